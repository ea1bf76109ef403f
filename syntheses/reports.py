"""PDF reports of syntheses: asked for by a group's facilitators or the secretariat, drawn by
a Celery task with WeasyPrint from a frozen copy of the scope's snapshot, listed and downloaded
next to the synthesis, and announced in the feeds once done.

A report is drawn in three steps that can be tested apart: freeze (the snapshot's figures, the
criteria texts behind the main components and the narrative's revision, stored on the report
so it can be reproduced and compared with the next one), HTML (report_html, in the report's
language) and PDF (report_pdf). The PDF reaches nothing over the network: its stylesheet is
inline and the URL fetcher serves only our static files from disk.
"""

import contextlib
import dataclasses
import datetime
import logging
import mimetypes
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import (
    Case,
    CharField,
    F,
    IntegerField,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from criteria.models import GridVersion, Question
from criteria.selectors import grid_current
from syntheses import charts
from syntheses.models import Report, Scope, SynthesisPage
from syntheses.permissions import can_act_on_scope
from syntheses.selectors import (
    Figures,
    Filters,
    ScopeRef,
    figures_from,
    scope_get,
    snapshot_get,
    synthesis_criteria,
)
from territories.models import (
    Continent,
    CoordinationGroup,
    Country,
    HomogeneousGroup,
    Locality,
    Profile,
    Region,
)
from wikispiral.errors import DomainError
from wikispiral.jobs.services import job_enqueue
from wikispiral.tenancy import cross_tenant
from wikispiral.wiki.models import Page
from wikispiral.wiki.selectors import page_translation_find, revision_find, revision_render

logger = logging.getLogger(__name__)

# Celery's hard limit of the rendering job (syntheses/jobs.py; the soft limit comes 10 % before).
# A country report takes seconds; the soft limit turns a runaway layout into a failed report
# instead of a killed worker.
TIME_LIMIT = 300
# A report "running" for longer than the hard limit lost its worker (killed, out of memory): a
# run may claim it again (the jobs' sweep normally puts it back to waiting before that).
RUNNING_TIMEOUT = datetime.timedelta(seconds=TIME_LIMIT + 60)

TOP_COMPONENTS = 5
TEXTS_PER_COMPONENT = 10
CHART_COMPONENTS = 10
IN_PROGRESS = (Report.Status.QUEUED, Report.Status.RUNNING)
PLACE_SCOPES = (
    Scope.LOCALITY,
    Scope.REGION,
    Scope.COUNTRY,
    Scope.CONTINENT,
    Scope.NETWORK,
    Scope.PROJECT,
)

# Messages stored on a failed report, translated when shown (the reader's language).
FAILED_GENERIC = gettext_noop(
    "The report could not be drawn. Ask for it again; if it fails again, tell the secretariat."
)
FAILED_TOO_LONG = gettext_noop("The report took too long to draw. Ask for it again later.")
FAILED_NO_SCOPE = gettext_noop("This synthesis no longer exists.")

_FILTER_FIELDS = {f.name for f in dataclasses.fields(Filters)}


# --- Who may do what ------------------------------------------------------------------------------


# --- Filters --------------------------------------------------------------------------------------


def filters_canonical(filters: Filters) -> dict:
    """Filters as stored on a report: set fields only, keys sorted, so the same filters are
    the same JSON (the one-report-in-progress constraint compares it)."""
    return dict(sorted(filters.as_dict().items()))


def report_filters(report: Report) -> Filters:
    return Filters(**{k: v for k, v in (report.filters or {}).items() if k in _FILTER_FIELDS})


def filters_described(filters: Filters) -> list[str]:
    """The filters in words, one line each, in the active language (empty: no filter)."""
    lines: list[str] = []
    low, high = filters.year_from, filters.year_to
    if low is not None and high is not None:
        if low == high:
            lines.append(_("Year %(year)s") % {"year": low})
        else:
            lines.append(_("From %(start)s to %(end)s") % {"start": low, "end": high})
    elif low is not None:
        lines.append(_("From %(start)s") % {"start": low})
    elif high is not None:
        lines.append(_("Until %(end)s") % {"end": high})
    if filters.question:
        question = Question.objects.filter(tenant=None, code=filters.question).first()
        name = f"{question.short_name()} ({question.code})" if question else filters.question
        lines.append(_("Question: %(question)s") % {"question": name})
    if filters.profile is not None:
        profile = Profile.objects.filter(pk=filters.profile).first()
        name = profile.label() if profile else str(filters.profile)
        lines.append(_("Groups of people: %(profile)s") % {"profile": name})
    if filters.language:
        lines.append(
            _("Criteria written in: %(language)s") % {"language": _language_name(filters.language)}
        )
    return lines


def _language_name(code: str) -> str:
    try:
        return translation.get_language_info(code)["name_translated"]
    except KeyError:
        return code


# --- Asking for a report --------------------------------------------------------------------------


@transaction.atomic
def report_request(
    *, ref: ScopeRef, language: str, filters: Filters, actor: object | None
) -> Report:
    """A report of ref in language under filters, queued and enqueued after the commit; or the
    one already queued or running for the same scope, language and filters (asked twice at
    once: one job). Raises DomainError for a language the site does not offer."""
    if language not in dict(settings.LANGUAGES):
        raise DomainError(_("Choose one of the site's languages."), "report_language")
    wanted = {
        "scope": ref.scope,
        "scope_id": ref.scope_id,
        "language": language,
        "filters": filters_canonical(filters),
    }
    existing = _in_progress(wanted)
    if existing is not None:
        return existing
    try:
        # A savepoint: the constraint refuses a second report in progress when two requests
        # race past the check above; the loser returns the winner's report.
        with transaction.atomic():
            report = Report.objects.create(**wanted, created_by=_user_or_none(actor))
    except IntegrityError:
        existing = _in_progress(wanted)
        if existing is None:
            raise
        return existing
    job_enqueue(
        kind="syntheses.report",
        key=report_job_key(report.pk),
        args={"report_id": report.pk},
        actor=actor,
        language=language,
    )
    return report


def report_job_key(report_id: int) -> str:
    return f"syntheses.report:{report_id}"


def _in_progress(wanted: dict) -> Report | None:
    return Report.objects.filter(**wanted, status__in=IN_PROGRESS).first()


def _user_or_none(actor: object | None) -> object | None:
    return actor if getattr(actor, "is_authenticated", False) else None


# --- Drawing a report -----------------------------------------------------------------------------


def report_render(*, report_id: int, checkpoint: Callable[[], None] | None = None) -> Report | None:
    """Draw the PDF of a waiting report (or of one whose last run died): freeze the scope's
    latest snapshot, write the HTML in the report's language, lay it out with WeasyPrint,
    save the file; progress goes from 0 to 100 on the way.

    Returns the report, or None when there was nothing to do (already done or failed, or
    another run holds it): running it twice draws one PDF. A failure marks the report failed
    with a message (earlier reports stay). A transient database error (OperationalError) puts
    the report back in the queue and is raised again, for the task to retry.
    """
    started_at = _claim(report_id)
    if started_at is None:
        return None
    report = Report.objects.select_related("grid_version").get(pk=report_id)
    try:
        ref = _scope_of(report)
        report_freeze(report=report, ref=ref)
        _progress(report, started_at, 30)
        html = report_html(report)
        _progress(report, started_at, 50)
        pdf, pages = report_pdf(html)
        _progress(report, started_at, 90)
        if checkpoint is not None:
            checkpoint()
        return _finish(report, started_at, pdf=pdf, pages=pages, ref=ref)
    except OperationalError:
        _release(report_id, started_at)
        raise
    except Http404:
        _fail(report_id, started_at, FAILED_NO_SCOPE)
    except Exception as error:
        # Anything else is a bug or a limit: the person gets a plain message, the logs the rest.
        logger.exception("Report %s failed", report_id)
        too_long = type(error).__name__ == "SoftTimeLimitExceeded"
        _fail(report_id, started_at, FAILED_TOO_LONG if too_long else FAILED_GENERIC)
    report.refresh_from_db()
    return report


def _claim(report_id: int) -> datetime.datetime | None:
    """Take the report (queued, or running longer than the time limit) in one conditional
    UPDATE; None when another run has it or it is finished."""
    now = timezone.now()
    claimed = (
        Report.objects.filter(pk=report_id)
        .filter(
            Q(status=Report.Status.QUEUED)
            | Q(status=Report.Status.RUNNING, started_at__lt=now - RUNNING_TIMEOUT)
        )
        .update(status=Report.Status.RUNNING, started_at=now, progress=5, message="")
    )
    return now if claimed else None


def _ours(report_id: int, started_at: datetime.datetime) -> QuerySet[Report]:
    # A run that was presumed dead and reclaimed must not write over its successor.
    return Report.objects.filter(pk=report_id, status=Report.Status.RUNNING, started_at=started_at)


def _progress(report: Report, started_at: datetime.datetime, value: int) -> None:
    _ours(report.pk, started_at).update(progress=value)


def _release(report_id: int, started_at: datetime.datetime) -> None:
    # If the database is away, the jobs' sweep puts the report back once the run's lease is over.
    with contextlib.suppress(OperationalError):
        _ours(report_id, started_at).update(status=Report.Status.QUEUED, progress=0)


def _fail(report_id: int, started_at: datetime.datetime, message: str) -> None:
    _ours(report_id, started_at).update(
        status=Report.Status.FAILED, message=message, finished_at=timezone.now()
    )


def _scope_of(report: Report) -> ScopeRef:
    key = report.scope if report.scope == Scope.NETWORK else f"{report.scope}-{report.scope_id}"
    return scope_get(key)


def _finish(
    report: Report, started_at: datetime.datetime, *, pdf: bytes, pages: int, ref: ScopeRef
) -> Report | None:
    finished_at = timezone.now()
    name = (
        f"{ref.key}-{report.pk}-{report.language}-{finished_at:%Y-%m-%d}-"
        # Media may be served by the web server: a hidden group's report must not be guessable.
        f"{secrets.token_hex(8)}.pdf"
    )
    report.file.save(name, ContentFile(pdf), save=False)
    done = _ours(report.pk, started_at).update(
        status=Report.Status.DONE,
        progress=100,
        file=report.file.name,
        pages=pages,
        finished_at=finished_at,
        frozen=report.frozen,
        grid_version=report.grid_version,
        criteria_count=report.criteria_count,
        snapshot_computed_at=report.snapshot_computed_at,
    )
    if not done:
        report.file.delete(save=False)
        return None
    report.refresh_from_db()
    return report


def report_freeze(*, report: Report, ref: ScopeRef) -> None:
    """Copy onto report (not saved) what it is drawn from: the scope's latest snapshot, the
    criteria texts behind the main components of each question, and the narrative's current
    revision. An unknown or empty scope freezes an empty cube (a short "no criteria yet"
    report)."""
    snapshot = snapshot_get(ref)
    if snapshot is None:
        version = grid_current()
        frozen = {"cube": {}, "groups": {}, "computed_at": None, "criteria_count": 0}
    else:
        version = snapshot.grid_version
        frozen = {
            "cube": snapshot.cube,
            "groups": snapshot.groups,
            "computed_at": snapshot.computed_at.isoformat(),
            "criteria_count": snapshot.criteria_count,
        }
    filters = report_filters(report)
    figures = figures_from(
        cube=frozen["cube"], groups=frozen["groups"], version=version, filters=filters
    )
    frozen["grid_version"] = version.number
    frozen["criteria"] = _criteria_behind(ref, figures, filters)
    frozen["narrative"] = _narrative_frozen(ref, report.language)
    report.frozen = frozen
    report.grid_version = version
    report.criteria_count = figures.total
    report.snapshot_computed_at = snapshot.computed_at if snapshot else None


def _top_components(figures: Figures, question: str, limit: int) -> list:
    components = [c for f in figures.families for c in f.components if c.by_question[question]]
    components.sort(key=lambda c: (-c.by_question[question], c.component.code))
    return components[:limit]


def _criteria_behind(ref: ScopeRef, figures: Figures, filters: Filters) -> dict[str, list]:
    """{question code: [{"component": code, "texts": [...]}, ...]} for the TOP_COMPONENTS of
    each question, TEXTS_PER_COMPONENT newest texts each."""
    behind: dict[str, list] = {}
    for question in figures.questions:
        entries = []
        for figure in _top_components(figures, question.code, TOP_COMPONENTS):
            page = synthesis_criteria(
                ref=ref,
                component=figure.component,
                filters=dataclasses.replace(filters, question=question.code),
                page=1,
            )
            texts = [
                {
                    "text": criterion.text,
                    "language": criterion.language,
                    "date": criterion.session_date.isoformat() if criterion.session_date else "",
                }
                for criterion in page.object_list[:TEXTS_PER_COMPONENT]
            ]
            entries.append({"component": figure.component.code, "texts": texts})
        behind[question.code] = entries
    return behind


def _narrative_page(ref: ScopeRef, language: str) -> Page | None:
    """The synthesis page of the scope, in language when it has that translation."""
    synthesis = (
        SynthesisPage.objects.select_related("page")
        .filter(scope=ref.scope, scope_id=ref.scope_id)
        .first()
    )
    if synthesis is None:
        return None
    page = synthesis.page
    if page.language != language:
        translated = page_translation_find(page=page, language=language)
        page = translated or page
    if page.is_deleted or page.current_revision_id is None:
        return None
    return page


def _narrative_frozen(ref: ScopeRef, language: str) -> dict | None:
    page = _narrative_page(ref, language)
    if page is None:
        return None
    return {"page": page.pk, "revision": page.current_revision_id}


def _narrative_html(frozen: dict | None) -> str:
    """The frozen revision rendered as the wiki renders it (sanitised there, not here)."""
    if not frozen:
        return ""
    revision = revision_find(page_id=frozen["page"], revision_id=frozen["revision"])
    if revision is None:
        return ""
    return revision_render(page=revision.page, revision=revision).html


# --- HTML -----------------------------------------------------------------------------------------


def css_string(text: str) -> str:
    """text as a CSS string literal, safe inside <style> (no quote, backslash or "<" left)."""
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\a ")
        .replace("<", "\\3c ")
        .replace(">", "\\3e ")
    )
    return f'"{escaped}"'


def page_of_pages() -> str:
    """The footer's "Page X of Y" in the active language, as a CSS content value with the
    page counters."""
    pieces = re.split(r"(%\(number\)s|%\(total\)s)", _("Page %(number)s of %(total)s"))
    parts = []
    for piece in pieces:
        if piece == "%(number)s":
            parts.append("counter(page)")
        elif piece == "%(total)s":
            parts.append("counter(pages)")
        elif piece:
            parts.append(css_string(piece))
    return " ".join(parts)


@dataclass(frozen=True)
class _ChartRow:
    label: str
    value: str
    width: float  # of the longest bar, 0–100
    fill: str


def _chart_rows(bars: list[charts.Bar]) -> list[_ChartRow]:
    """Bars (syntheses.charts' figures) as rows of the PDF's charts: label and value are HTML
    text, the bar is an SVG rectangle. WeasyPrint draws SVG text letter by letter (about 2 ms
    a label, and without shaping for scripts that need it), so no text goes in the SVG."""
    largest = max((bar.count for bar in bars), default=0)
    return [
        _ChartRow(
            bar.label,
            bar.value_text,
            round(100 * bar.count / largest, 1) if bar.count else 0.6,
            charts.FIRST_FILL if bar.count else charts.EMPTY_FILL,
        )
        for bar in bars
    ]


def _top_component_bars(figures: Figures, code: str, total: int) -> list[charts.Bar]:
    """The CHART_COMPONENTS components with the most answers to question code."""
    return [
        charts.Bar(
            c.component.code,
            f"{c.component.code} · {c.component.label()}",
            c.by_question[code],
            c.by_question[code] / total if total else 0.0,
        )
        for c in _top_components(figures, code, CHART_COMPONENTS)
    ]


@dataclass
class _QuestionSection:
    question: object
    total: int
    families_chart: list[_ChartRow]
    components_chart: list[_ChartRow]
    criteria: list[dict]


@dataclass
class _Row:
    kind: str
    label: str
    counts: list[int]
    total: int
    share: str


def report_html(report: Report) -> str:
    """The report's HTML, in its language, from its frozen figures (report_freeze first)."""
    with translation.override(report.language):
        return _report_html(report)


def _report_html(report: Report) -> str:
    frozen = report.frozen or {}
    filters = report_filters(report)
    version: GridVersion = report.grid_version or grid_current()
    figures = figures_from(
        cube=frozen.get("cube", {}),
        groups=frozen.get("groups", {}),
        version=version,
        filters=filters,
    )
    try:
        ref = _scope_of(report)  # the name in the report's language
        scope_name = ref.name
    except Http404:
        scope_name = _("A synthesis that no longer exists")
    by_code = {c.component.code: c for f in figures.families for c in f.components}
    sections = []
    for block in charts.question_charts(figures):
        question, code = block.question, block.question.code
        criteria = []
        for entry in frozen.get("criteria", {}).get(code, []):
            figure = by_code.get(entry["component"])
            if figure is not None:
                criteria.append(
                    {"figure": figure, "count": figure.by_question[code], "texts": entry["texts"]}
                )
        sections.append(
            _QuestionSection(
                question=question,
                total=block.total,
                families_chart=_chart_rows(block.families.bars),
                components_chart=_chart_rows(_top_component_bars(figures, code, block.total)),
                criteria=criteria,
            )
        )
    rows = []
    for family in figures.families:
        if not family.total:
            continue
        rows.append(
            _Row(
                "family",
                f"{family.family.letter} · {family.family.label()}",
                list(family.by_question.values()),
                family.total,
                charts.share_text(family.share),
            )
        )
        rows += [
            _Row(
                "component",
                f"{c.component.code} · {c.component.label()}",
                list(c.by_question.values()),
                c.total,
                charts.share_text(c.share),
            )
            for c in family.components
        ]
    drawn_on = report.finished_at or timezone.now()
    computed_at = frozen.get("computed_at")
    footer = _("%(scope)s · %(date)s · grid version %(version)s") % {
        "scope": scope_name,
        "date": date_format(timezone.localtime(drawn_on), "DATE_FORMAT"),
        "version": version.number,
    }
    context = {
        "report": report,
        "scope_name": scope_name,
        "scope_kind": Scope(report.scope).label,
        "filters": filters_described(filters),
        "language": report.language,
        "drawn_on": drawn_on,
        "computed_at": datetime.datetime.fromisoformat(computed_at) if computed_at else None,
        "version": version,
        "figures": figures,
        "groups_text": ngettext(
            "%(count)s homogeneous group", "%(count)s homogeneous groups", figures.groups_count
        )
        % {"count": figures.groups_count},
        "sections": sections,
        "rows": rows,
        "top_components": TOP_COMPONENTS,
        "texts_per_component": TEXTS_PER_COMPONENT,
        "narrative": mark_safe(_narrative_html(frozen.get("narrative"))),  # noqa: S308 (nh3)
        "css_footer": mark_safe(css_string(footer)),  # noqa: S308 (css_string escapes)
        "css_page_of": mark_safe(page_of_pages()),  # noqa: S308 (css_string escapes)
    }
    return render_to_string("syntheses/pdf/report.html", context)


# --- PDF ------------------------------------------------------------------------------------------


def static_url_fetcher(url: str) -> object:
    """WeasyPrint's URL fetcher for reports: our static files from disk, nothing else (a
    report never reaches the network, whatever a narrative links to)."""
    from weasyprint.urls import URLFetcherResponse

    prefix = urlsplit(settings.SITE_URL + settings.STATIC_URL).path
    parts = urlsplit(url)
    if url.startswith(settings.SITE_URL) and parts.path.startswith(prefix):
        found = finders.find(unquote(parts.path[len(prefix) :]))
        if found:
            path = Path(found)
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime})
    raise ValueError(f"Reports fetch only static files, not {url}")


def report_pdf(html: str) -> tuple[bytes, int]:
    """The PDF of html and its number of pages."""
    from weasyprint import HTML

    document = HTML(
        string=html, base_url=f"{settings.SITE_URL}/", url_fetcher=static_url_fetcher
    ).render()
    return document.write_pdf(), len(document.pages)


# --- The sweep ------------------------------------------------------------------------------------


def reports_in_progress_ids() -> list[int]:
    """Reports waiting or being drawn (the jobs' sweep checks each has a job)."""
    return list(
        Report.objects.filter(status__in=IN_PROGRESS)
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )


def report_requeue(*, report_id: int) -> None:
    """A run that died left the report running: it waits again for the next run."""
    Report.objects.filter(pk=report_id, status=Report.Status.RUNNING).update(
        status=Report.Status.QUEUED, progress=0
    )


def report_revive(*, report_id: int) -> None:
    """A failed report asked again through its job (the operators' retry)."""
    Report.objects.filter(pk=report_id, status__in=[*IN_PROGRESS, Report.Status.FAILED]).update(
        status=Report.Status.QUEUED, progress=0, message="", finished_at=None
    )


def report_give_up(*, report_id: int) -> None:
    """Its job stopped trying (its runs kept dying): the report is failed, not waiting."""
    Report.objects.filter(pk=report_id, status__in=IN_PROGRESS).update(
        status=Report.Status.FAILED, message=FAILED_TOO_LONG, finished_at=timezone.now()
    )


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
            "language": _language_name(self.report.language),
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
        if report.scope in (Scope.NETWORK, Scope.PROJECT) or report.scope_name is not None:
            published.append(PublishedReport(report, name, report.scope_tenant))
    return published


_PLACE_MODELS = {
    Scope.LOCALITY: Locality,
    Scope.REGION: Region,
    Scope.COUNTRY: Country,
    Scope.CONTINENT: Continent,
}


def _with_scope_names(reports: QuerySet[Report]) -> QuerySet[Report]:
    """reports annotated with their scope's name (scope_name), its names in other languages
    for places (scope_names), its coordination group (scope_tenant, scope_group_name)."""

    def column(model: type, field: str) -> Subquery:
        return Subquery(model.objects.filter(pk=OuterRef("scope_id")).values(field)[:1])

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
