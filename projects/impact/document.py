"""The impact report's document: its HTML from the frozen copy alone (impact_report_html: the
same frozen dict gives the same HTML, whatever changed since), and its PDF (impact_report_pdf).

The PDF goes through the syntheses reports' pipeline: their print stylesheet, "Page X of Y"
from the page counters, CSS strings escaped by css_string, and a URL fetcher that serves only
our static files (a narrative's links and images never reach the network). Every text is
escaped by the template; the narrative was sanitised when it was frozen and is sanitised again
here before it is marked safe. Charts are SVG rectangles beside HTML text, as in the syntheses'
reports (WeasyPrint draws SVG text slowly and without shaping).
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from syntheses import charts
from syntheses.reports import css_string, page_of_pages, report_pdf
from wikispiral.wiki.markup import sanitize_html


@dataclass(frozen=True)
class Bar:
    """One level's placements in one evaluation: count, share text, bar width (0–100)."""

    count: int
    share: str
    width: float
    fill: str


@dataclass(frozen=True)
class LevelRow:
    position: int
    name: str
    before: Bar | None
    after: Bar | None


@dataclass(frozen=True)
class Evaluated:
    """One indicator's distributions (before and after, or the one there is) and medians."""

    title: str
    rows: list[LevelRow]
    before_total: int | None
    after_total: int | None
    before_median: str
    after_median: str
    moved: str


def impact_report_html(*, frozen: dict[str, Any]) -> str:
    """The report's HTML, in the frozen language, from frozen only."""
    language = frozen.get("language") or settings.LANGUAGE_CODE
    with translation.override(language):
        return render_to_string("projects/impact/pdf.html", _context(frozen, language))


def impact_report_pdf(html: str) -> tuple[bytes, int]:
    """The PDF of html and its number of pages (WeasyPrint; nothing fetched over the network)."""
    return report_pdf(html)


# --- The context ----------------------------------------------------------------------------------


def _context(frozen: dict[str, Any], language: str) -> dict[str, Any]:
    platform = frozen.get("platform") or {}
    kind = frozen.get("kind", "platform")
    actions = [_action(entry) for entry in frozen.get("actions", [])]
    frozen_at = _moment(frozen.get("frozen_at"))
    if kind == "action" and actions:
        title = actions[0]["title"]
    else:
        title = _("Impact of the platform %(platform)s") % {"platform": platform.get("name", "")}
    day = date_format(timezone.localtime(frozen_at), "DATE_FORMAT") if frozen_at else ""
    footer = _("%(title)s · impact report · %(date)s") % {"title": title, "date": day}
    return {
        "language": language,
        "kind": kind,
        "title": title,
        "platform": platform,
        "frozen_at": frozen_at,
        "actions": actions,
        "indicators": [_platform_indicator(entry) for entry in frozen.get("indicators", [])],
        "css_footer": mark_safe(css_string(footer)),  # noqa: S308 (css_string escapes)
        "css_page_of": mark_safe(page_of_pages()),  # noqa: S308 (css_string escapes)
    }


def _moment(value: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(value) if value else None


def _day(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _action(entry: dict[str, Any]) -> dict[str, Any]:
    """A frozen action with its dates parsed, its evaluations as charts and its narrative
    sanitised (the template escapes everything else)."""
    narrative = entry.get("narrative")
    return {
        **entry,
        "starts_on": _day(entry.get("starts_on")),
        "ends_on": _day(entry.get("ends_on")),
        "before": _session(entry.get("before")),
        "after": _session(entry.get("after")),
        "changes": [_evaluated(change) for change in entry.get("changes", [])],
        "narrative_html": _narrative(narrative),
        "narrative_language": (narrative or {}).get("language", ""),
        "narrative_revision": (narrative or {}).get("revision"),
    }


def _session(session: dict[str, Any] | None) -> dict[str, Any] | None:
    if session is None:
        return None
    return {**session, "held_on": _day(session.get("held_on"))}


def _narrative(narrative: dict[str, Any] | None) -> SafeString:
    if not narrative or not narrative.get("html"):
        return mark_safe("")  # noqa: S308 (empty)
    return mark_safe(sanitize_html(narrative["html"]))  # noqa: S308 (sanitised by nh3)


def _bars(counts: list[int] | None, fill: str) -> list[Bar | None]:
    if counts is None:
        return []
    total = sum(counts)
    return [
        Bar(
            count,
            charts.share_text(count / total if total else 0.0),
            round(100 * count / total, 1) if count else 0.6,
            fill if count else charts.EMPTY_FILL,
        )
        for count in counts
    ]


def _evaluated(change: dict[str, Any]) -> Evaluated:
    levels: list[str] = change.get("levels") or []
    before, after = change.get("before"), change.get("after")
    before_bars = _bars(before["counts"] if before else None, charts.FIRST_FILL)
    after_bars = _bars(after["counts"] if after else None, charts.SECOND_STROKE)
    size = max(len(levels), len(before_bars), len(after_bars))
    rows = [
        LevelRow(
            position,
            levels[position - 1] if position <= len(levels) else "",
            before_bars[position - 1] if position <= len(before_bars) else None,
            after_bars[position - 1] if position <= len(after_bars) else None,
        )
        for position in range(1, size + 1)
    ]
    return Evaluated(
        title=change.get("title", ""),
        rows=rows,
        before_total=sum(before["counts"]) if before else None,
        after_total=sum(after["counts"]) if after else None,
        before_median=median_text(before["median"] if before else None, levels),
        after_median=median_text(after["median"] if after else None, levels),
        moved=moved_text(change.get("moved")),
    )


def _platform_indicator(entry: dict[str, Any]) -> dict[str, Any]:
    found = entry.get("distribution")
    evaluated = _evaluated(
        {
            "title": entry.get("title", ""),
            "levels": entry.get("levels") or [],
            "after": found,
            "moved": None,
        }
    )
    return {**entry, "session": _session(entry.get("session")), "evaluated": evaluated}


def median_text(median: float | None, levels: list[str]) -> str:
    """The median in words: "2 (Bad)", "2.5 (between Bad and Average)"; "–" without
    placements."""
    if median is None:
        return "–"
    number = floatformat(median, -1)
    low = int(median)
    if median == low:
        if 1 <= low <= len(levels) and levels[low - 1]:
            return _("%(median)s (%(level)s)") % {"median": number, "level": levels[low - 1]}
        return str(number)
    high = low + 1
    if low >= 1 and high <= len(levels):
        return _("%(median)s (between %(low)s and %(high)s)") % {
            "median": number,
            "low": levels[low - 1],
            "high": levels[high - 1],
        }
    return str(number)


def moved_text(moved: float | None) -> str:
    """How far the median moved, signed ("+1", "−0.5", "0"); "–" when it cannot be said."""
    if moved is None:
        return "–"
    number = floatformat(abs(moved), -1)
    if moved > 0:
        return f"+{number}"
    if moved < 0:
        return f"−{number}"
    return str(number)
