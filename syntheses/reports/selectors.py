"""Reading reports: the ones a reader may see of a scope, one of them, its download name and URL,
and the done reports the feeds announce.
"""

import dataclasses
import datetime
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    F,
    IntegerField,
    JSONField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from syntheses.models import Report, Scope
from syntheses.permissions import can_act_on_scope
from syntheses.selectors import (
    Figures,
    Filters,
    ScopeRef,
    scope_get,
)
from territories.models import (
    Continent,
    CoordinationGroup,
    Country,
    HomogeneousGroup,
    Locality,
    Region,
)
from wikispiral.tenancy import cross_tenant
from wikispiral.text import language_name

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

logger = logging.getLogger(__name__)


PLACE_SCOPES = (
    Scope.LOCALITY,
    Scope.REGION,
    Scope.COUNTRY,
    Scope.CONTINENT,
    Scope.NETWORK,
    Scope.PROJECT,
)


_FILTER_FIELDS = {f.name for f in dataclasses.fields(Filters)}


def report_filters(report: Report) -> Filters:
    return Filters(**{k: v for k, v in (report.filters or {}).items() if k in _FILTER_FIELDS})


def _scope_of(report: Report) -> ScopeRef:
    key = report.scope if report.scope == Scope.NETWORK else f"{report.scope}-{report.scope_id}"
    return scope_get(key)


def _top_components(figures: Figures, question: str, limit: int) -> list:
    components = [c for f in figures.families for c in f.components if c.by_question[question]]
    components.sort(key=lambda c: (-c.by_question[question], c.component.code))
    return components[:limit]


# --- Reading reports ------------------------------------------------------------------------------


def report_visible_list(*, ref: ScopeRef, user: object, limit: int = 20) -> list[Report]:
    """The scope's reports for user, newest first: done ones for everyone who may see the
    scope; waiting, running and failed ones too for those who may ask for reports."""
    reports = Report.objects.filter(scope=ref.scope, scope_id=ref.scope_id).order_by(
        "-created_at", "-pk"
    )
    if not can_act_on_scope(user, ref):
        reports = reports.filter(status=Report.Status.DONE)
    return list(reports.defer("frozen")[:limit])


def group_reports_latest(*, tenants: list[CoordinationGroup], per_tenant: int = 2) -> list[Report]:
    """The latest reports of each of coordination groups, any status (for the people who may
    ask for them: the caller checks), by group then newest first. One query for every group,
    on the index syntheses_reports (scope, scope_id, -created_at)."""
    ids = [tenant.pk for tenant in tenants]
    if not ids:
        return []
    ranked = (
        Report.objects.filter(scope=Scope.COORDINATION_GROUP, scope_id__in=ids)
        .only("pk", "scope", "scope_id", "language", "status", "pages", "created_at", "finished_at")
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("scope_id")],
                order_by=[F("created_at").desc(), F("pk").desc()],
            )
        )
        .filter(rank__lte=per_tenant)
        .order_by("scope_id", "rank")
    )
    return list(ranked)


def report_get(*, ref: ScopeRef, user: object, pk: int) -> Report:
    """One report of the scope for user (as report_visible_list), or 404."""
    reports = Report.objects.filter(scope=ref.scope, scope_id=ref.scope_id, pk=pk)
    if not can_act_on_scope(user, ref):
        reports = reports.filter(status=Report.Status.DONE)
    report = reports.select_related("grid_version").defer("frozen").first()
    if report is None:
        raise Http404(_("No such report."))
    return report


def report_download_name(report: Report, scope_name: str) -> str:
    """The file name a download is saved under: scope, language, date."""
    day = (report.finished_at or report.created_at).date().isoformat()
    slug = slugify(scope_name)[:60] or report.scope
    return f"{slug}-{report.language}-{day}.pdf"


def report_download_url(report: Report) -> str:
    key = report.scope if report.scope == Scope.NETWORK else f"{report.scope}-{report.scope_id}"
    return reverse("reports:download", kwargs={"key": key, "report": report.pk})


@dataclass(frozen=True)
class PublishedReport:
    """A done report as the feeds show it."""

    report: Report
    scope_name: str
    tenant_id: int | None

    @property
    def title(self) -> str:
        return _("Report: %(scope)s (%(language)s)") % {
            "scope": self.scope_name,
            "language": language_name(self.report.language),
        }

    @property
    def link(self) -> str:
        return report_download_url(self.report)

    @property
    def date(self) -> datetime.datetime:
        return self.report.finished_at or self.report.created_at

    @property
    def created_at(self) -> datetime.datetime:
        """As date: feeds sort revisions, homogeneous groups and reports on created_at."""
        return self.date

    @property
    def description(self) -> str:
        """A line for feed readers (HTML, escaped)."""
        details = [
            Scope(self.report.scope).label,
            ngettext("%(count)s page", "%(count)s pages", self.report.pages)
            % {"count": self.report.pages},
            ngettext("%(count)s criterion", "%(count)s criteria", self.report.criteria_count)
            % {"count": self.report.criteria_count},
        ]
        return format_html("<p>{}</p>", " · ".join(str(detail) for detail in details))

    @property
    def guid(self) -> str:
        return f"{settings.SITE_URL}/report/{self.report.pk}"


def reports_published(
    *,
    since: datetime.datetime | None = None,
    tenant: CoordinationGroup | None = None,
    limit: int = 20,
) -> list[PublishedReport]:
    """Done reports of visible scopes, newest first (for the feeds; the same for every
    reader): every place, and homogeneous and coordination groups that are not hidden. With
    tenant: the reports of that coordination group and of its homogeneous groups. One query
    (the scopes' names come as subqueries), so feeds keep their query budgets."""
    with cross_tenant():
        visible_groups = HomogeneousGroup.objects.filter(tenant__is_hidden=False)
        visible_tenants = CoordinationGroup.objects.filter(is_hidden=False)
        if tenant is not None:
            visible_groups = visible_groups.filter(tenant=tenant)
            visible_tenants = visible_tenants.filter(pk=tenant.pk)
        shown = Q(scope=Scope.HOMOGENEOUS_GROUP, scope_id__in=visible_groups.values("pk")) | Q(
            scope=Scope.COORDINATION_GROUP, scope_id__in=visible_tenants.values("pk")
        )
        if tenant is None:
            shown |= Q(scope__in=PLACE_SCOPES)
        reports = Report.objects.filter(shown, status=Report.Status.DONE)
        if since is not None:
            reports = reports.filter(finished_at__gte=since)
        found = list(
            _with_scope_names(reports.defer("frozen")).order_by("-finished_at", "-pk")[:limit]
        )
    published = []
    for report in found:
        name: str | None
        if report.scope == Scope.NETWORK:
            name = _("The whole network")
        elif report.scope == Scope.PROJECT:
            if report.scope_id not in CoordinationGroup.Project.values:
                continue
            name = str(CoordinationGroup.Project(report.scope_id).label)
        elif report.scope == Scope.HOMOGENEOUS_GROUP:
            name = _("%(name)s — %(group)s") % {
                "name": report.scope_name,
                "group": report.scope_group_name,
            }
        elif report.scope == Scope.COORDINATION_GROUP:
            name = report.scope_name
        else:
            name = (report.scope_names or {}).get(translation.get_language() or "en")
            name = name or report.scope_name
        if name is not None and (
            report.scope in (Scope.NETWORK, Scope.PROJECT) or report.scope_name is not None
        ):
            published.append(PublishedReport(report, name, report.scope_tenant))
    return published


_PLACE_MODELS = {
    Scope.LOCALITY: Locality,
    Scope.REGION: Region,
    Scope.COUNTRY: Country,
    Scope.CONTINENT: Continent,
}


class _ScopeNames(TypedDict):
    scope_name: str | None
    scope_names: dict[str, str] | None
    scope_tenant: int | None
    scope_group_name: str | None


def _with_scope_names(
    reports: QuerySet[Report],
) -> "QuerySet[WithAnnotations[Report, _ScopeNames]]":
    """reports annotated with their scope's name (scope_name), its names in other languages
    for places (scope_names), its coordination group (scope_tenant, scope_group_name)."""

    def column(model: type[Model], field: str) -> Subquery:
        return Subquery(model._default_manager.filter(pk=OuterRef("scope_id")).values(field)[:1])

    hg, cg = Scope.HOMOGENEOUS_GROUP, Scope.COORDINATION_GROUP
    return reports.annotate(
        scope_name=Case(
            When(scope=hg, then=column(HomogeneousGroup, "name")),
            When(scope=cg, then=column(CoordinationGroup, "name")),
            *(
                When(scope=scope, then=column(model, "name"))
                for scope, model in _PLACE_MODELS.items()
            ),
            output_field=CharField(),
        ),
        scope_names=Case(
            *(
                When(scope=scope, then=column(model, "names"))
                for scope, model in _PLACE_MODELS.items()
            ),
            output_field=JSONField(),
        ),
        scope_tenant=Case(
            When(scope=hg, then=column(HomogeneousGroup, "tenant_id")),
            When(scope=cg, then=F("scope_id")),
            output_field=IntegerField(),
        ),
        scope_group_name=Case(
            When(scope=hg, then=column(HomogeneousGroup, "tenant__name")),
            output_field=CharField(),
        ),
    )
