"""Reading impact reports: who sees which, one of them, its download name.

A platform's reports, and those of its published actions, are read by whoever may see the
platform (tenant_required(public=True) already refused a hidden group to outsiders); a draft
action's reports by the group's members only. Those who may ask for reports (facilitators, the
secretariat) also see reports waiting, being drawn or failed; everyone else only done ones.
Everything else answers 404, as for what does not exist.
"""

from django.db.models import QuerySet
from django.http import Http404
from django.utils.text import slugify
from django.utils.translation import gettext as _

from projects.models import Action, ImpactReport
from projects.permissions import can_build_progress, can_see_progress_drafts
from territories.models import CoordinationGroup


def impact_action_get(*, tenant: CoordinationGroup, user: object, pk: int) -> Action:
    """The tenant's action pk if user may see it (published, or user sees drafts); else 404."""
    action = Action.objects.filter(tenant=tenant, pk=pk).first()
    if action is None or not (action.published or can_see_progress_drafts(user, tenant)):
        raise Http404(_("No such action."))
    return action


def _visible(tenant: CoordinationGroup, user: object) -> QuerySet[ImpactReport]:
    reports = ImpactReport.objects.filter(tenant=tenant)
    if not can_build_progress(user, tenant):
        reports = reports.filter(status=ImpactReport.Status.DONE)
    if not can_see_progress_drafts(user, tenant):
        reports = reports.exclude(action__published=False)
    return reports


def impact_report_list(
    *, tenant: CoordinationGroup, user: object, action: Action | None, limit: int = 20
) -> list[ImpactReport]:
    """The reports of action (None: the whole platform's) user may see, newest first."""
    reports = _visible(tenant, user)
    reports = reports.filter(action=action) if action is not None else reports.filter(action=None)
    return list(reports.defer("frozen").order_by("-created_at", "-pk")[:limit])


def impact_report_get(*, tenant: CoordinationGroup, user: object, pk: int) -> ImpactReport:
    """One of the tenant's reports that user may see (as impact_report_list), or 404."""
    report = _visible(tenant, user).filter(pk=pk).select_related("action").defer("frozen").first()
    if report is None:
        raise Http404(_("No such report."))
    return report


def impact_report_is_public(report: ImpactReport, tenant: CoordinationGroup) -> bool:
    """Whether anyone may read report (its group visible, its action published): a download
    may then be cached by shared caches."""
    return not tenant.is_hidden and (report.action is None or report.action.published)


def impact_report_download_name(report: ImpactReport, tenant: CoordinationGroup) -> str:
    """The file name a download is saved under: what it is about, language, date (ASCII)."""
    subject = report.action.title if report.action is not None else tenant.name
    day = (report.finished_at or report.created_at).date().isoformat()
    slug = slugify(subject)[:60] or ("action" if report.action is not None else "platform")
    return f"impact-{slug}-{report.language}-{day}.pdf"
