"""The report's document: its HTML in the report's language, from the figures frozen on it
(report_html), and its PDF (report_pdf). The PDF reaches nothing over the network: its
stylesheet is inline and the URL fetcher serves only our static files from disk. css_string and
page_of_pages serve other PDFs too (projects.reports).
"""

import datetime
import logging
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from criteria.models import GridVersion, Question
from criteria.selectors import grid_current
from syntheses import charts
from syntheses.models import Report, Scope
from syntheses.reports.selectors import (
    _scope_of,
    _top_components,
    report_filters,
)
from syntheses.selectors import (
    Figures,
    Filters,
    figures_from,
)
from territories.models import (
    Profile,
)
from wikispiral.text import language_name
from wikispiral.wiki.selectors import revision_find, revision_render

logger = logging.getLogger(__name__)


TOP_COMPONENTS = 5
TEXTS_PER_COMPONENT = 10
CHART_COMPONENTS = 10


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
        question = Question.objects.shared().filter(code=filters.question).first()
        name = f"{question.short_name()} ({question.code})" if question else filters.question
        lines.append(_("Question: %(question)s") % {"question": name})
    if filters.profile is not None:
        profile = Profile.objects.filter(pk=filters.profile).first()
        name = profile.label() if profile else str(filters.profile)
        lines.append(_("Groups of people: %(profile)s") % {"profile": name})
    if filters.language:
        lines.append(
            _("Criteria written in: %(language)s") % {"language": language_name(filters.language)}
        )
    return lines


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
