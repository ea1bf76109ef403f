"""Impact reports' pages: a platform's reports and the form to ask for one, an action's reports
(the same, for that action), a report's progress while it is drawn, and the download.

Pages load the group with tenant_required(public=True): a hidden group answers 404 to
everyone but its members and the secretariat. A draft action's reports answer 404 to anyone
who is not a member; asking for a report answers 404 to anyone who may not (a POST keeps its
404 for anonymous visitors too: there is no page to come back to). Bad input answers 400 with
the form's errors.
"""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from projects.impact import selectors, services
from projects.models import Action, ImpactReport
from projects.permissions import can_build_progress
from territories.models import CoordinationGroup
from wikispiral.errors import DomainError
from wikispiral.jobs.selectors import job_retry_note
from wikispiral.tenancy import TenantHttpRequest, tenant_required


class ImpactReportForm(forms.Form):
    """The language the report is written in."""

    language = forms.ChoiceField(
        label=gettext_lazy("Language of the report"), choices=settings.LANGUAGES
    )


def impact_form() -> ImpactReportForm:
    """An unbound form, in the reader's language when the site offers it."""
    current = translation.get_language() or settings.LANGUAGE_CODE
    initial = current if current in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    return ImpactReportForm(initial={"language": initial})


def impact_panel(
    request: HttpRequest, tenant: CoordinationGroup, action: Action | None = None
) -> dict[str, Any]:
    """Context for templates/projects/impact/_panel.html (an action's page, or the platform's):
    impact_tenant, impact_action (None: the platform), impact_reports (those the reader may
    see) and impact_form (None unless the reader may ask for reports). The caller has checked
    that the reader may see action."""
    return {
        "impact_tenant": tenant,
        "impact_action": action,
        "impact_reports": selectors.impact_report_list(
            tenant=tenant, user=request.user, action=action
        ),
        "impact_form": impact_form() if can_build_progress(request.user, tenant) else None,
    }


def _page(
    request: TenantHttpRequest,
    action: Action | None,
    form: ImpactReportForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = impact_panel(request, request.tenant, action)
    if form is not None and context["impact_form"] is not None:
        context["impact_form"] = form
    context["group"] = request.tenant
    template = "projects/impact/action.html" if action is not None else "projects/impact/list.html"
    return render(request, template, context, status=status)


def _ask(request: TenantHttpRequest, action: Action | None) -> HttpResponse:
    tenant = request.tenant
    if not can_build_progress(request.user, tenant):
        raise Http404(_("No such page."))
    form = ImpactReportForm(request.POST)
    if not form.is_valid():
        return _page(request, action, form, status=400)
    try:
        report = services.impact_report_request(
            tenant=tenant,
            actor=request.user,
            action=action,
            language=form.cleaned_data["language"],
        )
    except DomainError as error:
        error.add_to(form)
        return _page(request, action, form, status=400)
    if report.created_by_id == request.user.pk and report.status == ImpactReport.Status.QUEUED:
        messages.success(request, _("Your report is on its way: it takes a few seconds."))
    else:
        messages.info(request, _("The same report was already being drawn: here it is."))
    return redirect("impact:report", cg=tenant.slug, report=report.pk)


@never_cache
@tenant_required(public=True)
@require_http_methods(["GET", "POST"])
def report_list(request: TenantHttpRequest, cg: str) -> HttpResponse:
    """GET: the platform's impact reports. POST (impact:ask): ask for one, then its page."""
    if request.method == "POST":
        return _ask(request, None)
    return _page(request, None)


@never_cache
@tenant_required(public=True)
@require_http_methods(["GET", "POST"])
def action_reports(request: TenantHttpRequest, cg: str, action: int) -> HttpResponse:
    """GET: an action's impact reports. POST (impact:ask_action): ask for one."""
    found = selectors.impact_action_get(tenant=request.tenant, user=request.user, pk=action)
    if request.method == "POST":
        return _ask(request, found)
    return _page(request, found)


@never_cache
@vary_on_headers("HX-Request")
@tenant_required(public=True)
@require_http_methods(["GET"])
def report_status(request: TenantHttpRequest, cg: str, report: int) -> HttpResponse:
    """A report's progress (polled by htmx every second while it is drawn), then its link."""
    found = selectors.impact_report_get(tenant=request.tenant, user=request.user, pk=report)
    in_progress = found.status in services.IN_PROGRESS
    # Said only when it tells more than the report's own status: "interrupted, starting again".
    retrying = job_retry_note(key=services.impact_report_job_key(found.pk)) if in_progress else ""
    context = {"group": request.tenant, "report": found, "job_state": retrying}
    if request.htmx:
        if request.GET.get("seen") == f"{found.status}-{found.progress}" and not retrying:
            # Nothing new: htmx keeps the fragment (and screen readers hear nothing again).
            return HttpResponse(status=204)
        return render(request, "projects/impact/report.html#status", context)
    return render(request, "projects/impact/report.html", context)


@tenant_required(public=True)
@require_http_methods(["GET", "HEAD"])
def report_download(request: TenantHttpRequest, cg: str, report: int) -> FileResponse:
    """The PDF of a done report, as an attachment."""
    tenant = request.tenant
    found = selectors.impact_report_get(tenant=tenant, user=request.user, pk=report)
    if found.status != ImpactReport.Status.DONE or not found.file:
        raise Http404(_("No such report."))
    try:
        handle = found.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404(_("No such report.")) from missing
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=selectors.impact_report_download_name(found, tenant),
        content_type="application/pdf",
    )
    if selectors.impact_report_is_public(found, tenant):
        # A done report never changes; an hour bounds how long a report whose action or
        # group is unpublished later stays in shared caches.
        patch_cache_control(response, public=True, max_age=3600)
    else:
        patch_cache_control(response, private=True, no_store=True)
    return response
