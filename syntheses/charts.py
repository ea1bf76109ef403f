"""Server-side SVG bar charts of a synthesis, readable without JavaScript.

A chart is built once as data (Chart: bars with their figures already formatted) and drawn
twice from it: as SVG (role="img", with a <title> and a <desc> that say what it shows) and, by
the template, as the equivalent data table that follows it. Both read the same formatted
strings, so the table always says what the chart shows.

The SVG is well-formed XML on its own (every text escaped, no HTML entities), with presentation
attributes rather than style (strict CSP allows them): the text's size and colour are set once
on the <svg> and inherited, coordinates are written short ("304", not "304.0"), and what would
repeat on every bar is left to the stylesheet (the bars' colour, the values' smaller, muted
text), so a chart of nine bars weighs under 2 KB. Labels sit above their bar, so a phone
scaling the chart down keeps them readable; very long labels are shortened in the chart only
(the table keeps them whole).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from criteria.models import Family, Question
from syntheses.selectors import Figures

WIDTH = 400
LABEL_SIZE = 13
VALUE_SIZE = 12
ROW = 38
BAR_HEIGHT = 12
BAR_TOP = 19
VALUE_ROOM = 96
MAX_LABEL = 54
PAD = 4
FIRST_FILL = "#0b6b4f"
SECOND_FILL = "#ffffff"
SECOND_STROKE = "#0a5a8c"
TEXT_FILL = "#1c2321"
MUTED_FILL = "#4a5551"
EMPTY_FILL = "#cfd8d3"


def count_text(count: int) -> str:
    return number_format(count, force_grouping=True)


_TENTH = Decimal("0.1")


def one_decimal(value: float) -> Decimal:
    """value rounded half up (away from zero) to one decimal, as written: 2.25 is 2.3. From
    the float's shortest form, not its binary value (round(2.675, 2) is 2.67 in Python)."""
    return Decimal(str(float(value))).quantize(_TENTH, rounding=ROUND_HALF_UP)


def percent(share: float) -> Decimal:
    """A share (0–1) as a percentage with one decimal, rounded half up: 0.1225 (49 of 400) is
    12.3, which 0.1225 * 100 in binary (12.249…) would not give."""
    return (Decimal(str(float(share))) * 100).quantize(_TENTH, rounding=ROUND_HALF_UP)


def share_text(share: float) -> str:
    """A share (0–1) as a percentage with one decimal, in the reader's notation: the one
    rounding of shares for the synthesis pages, the comparison and the PDF reports."""
    # number_format cuts extra decimals off (1.98 would print 1.9): round first, always.
    return _("%(value)s%%") % {"value": number_format(percent(share), 1)}


def points_text(points: float) -> str:
    """A difference of shares in percentage points, always signed ("+3.2", "−1.0", "0.0")."""
    rounded = one_decimal(points)
    if rounded == 0:
        return number_format(0.0, 1)
    sign = "+" if rounded > 0 else "\u2212"
    return f"{sign}{number_format(abs(rounded), 1)}"


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    count: int
    share: float

    @property
    def count_text(self) -> str:
        return count_text(self.count)

    @property
    def share_text(self) -> str:
        return share_text(self.share)

    @property
    def value_text(self) -> str:
        return f"{self.count_text} ({self.share_text})"


@dataclass(frozen=True)
class Chart:
    """One bar chart: its id (unique on the page), what it shows, its bars in order."""

    id: str
    title: str
    description: str
    label_heading: str
    total: int
    bars: list[Bar]

    @property
    def svg(self) -> SafeString:
        return mark_safe(chart_svg(self))  # noqa: S308 - every text is escaped in chart_svg


@dataclass
class QuestionCharts:
    """A question's chart of families, and one chart of components per family with answers."""

    question: Question
    total: int
    families: Chart
    components: list[tuple[Family, Chart]] = field(default_factory=list)


def _shorten(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1].rstrip() + "\u2026"


def _family_label(family: Family) -> str:
    return f"{family.letter} · {family.label()}"


def _top(bars: list[Bar]) -> str:
    top = sorted((bar for bar in bars if bar.count), key=lambda bar: -bar.count)[:3]
    return ", ".join(f"{bar.label} {bar.value_text}" for bar in top)


def _described(bars: list[Bar], lead: str, *, below: str = "") -> str:
    """The chart's summary for screen readers: what it counts, the first bars, and where its
    data table is (below: a sentence saying it, when it is not the one that follows)."""
    named = _top(bars)
    if not named:
        return lead
    if below:
        return _("%(lead)s Most mentioned: %(bars)s. %(below)s") % {
            "lead": lead,
            "bars": named,
            "below": below,
        }
    return _("%(lead)s Most mentioned: %(bars)s. The data table below gives every figure.") % {
        "lead": lead,
        "bars": named,
    }


def families_chart(figures: Figures) -> Chart:
    """Every question together, families as bars (shares of all the criteria shown): the
    families' rows of the synthesis page's table, which is its data table."""
    bars = [
        Bar(item.family.letter, _family_label(item.family), item.total, item.share)
        for item in figures.families
    ]
    lead = ngettext(
        "%(count)s criterion, by family of the grid.",
        "%(count)s criteria, by family of the grid.",
        figures.total,
    ) % {"count": count_text(figures.total)}
    below = _("The table of families and components below gives every figure.")
    together = len(figures.questions) > 1
    return Chart(
        id="chart-families",
        title=_("Criteria by family, every question together")
        if together
        else _("Criteria by family"),
        description=_described(bars, lead, below=below),
        label_heading=_("Family"),
        total=figures.total,
        bars=bars,
    )


def question_summary(block: QuestionCharts) -> str:
    """A question's answers in a sentence: how many, and the families most mentioned."""
    count = ngettext("%(count)s answer.", "%(count)s answers.", block.total) % {
        "count": count_text(block.total)
    }
    named = _top(block.families.bars)
    if not named:
        return count
    return _("%(count)s Most mentioned: %(bars)s.") % {"count": count, "bars": named}


def question_charts(figures: Figures) -> list[QuestionCharts]:
    """Per question: families as bars (shares of that question's answers), and per family
    with answers, its components as bars."""
    blocks: list[QuestionCharts] = []
    for question in figures.questions:
        code = question.code
        named = f"{code} · {question.short_name()}"
        total = figures.by_question.get(code, 0)
        base = f"chart-{slugify(code) or 'q'}"
        family_bars = [
            Bar(
                family.family.letter,
                _family_label(family.family),
                family.by_question.get(code, 0),
                family.by_question.get(code, 0) / total if total else 0.0,
            )
            for family in figures.families
        ]
        lead = ngettext(
            "%(count)s answer to %(question)s, by family of the grid.",
            "%(count)s answers to %(question)s, by family of the grid.",
            total,
        ) % {"count": count_text(total), "question": named}
        families_chart = Chart(
            id=f"{base}-families",
            title=_("%(question)s: answers by family") % {"question": named},
            description=_described(family_bars, lead),
            label_heading=_("Family"),
            total=total,
            bars=family_bars,
        )
        block = QuestionCharts(question, total, families_chart)
        for family in figures.families:
            in_question = family.by_question.get(code, 0)
            if not in_question:
                continue
            bars = [
                Bar(
                    item.component.code,
                    f"{item.component.code} · {item.component.label()}",
                    item.by_question.get(code, 0),
                    item.by_question.get(code, 0) / in_question,
                )
                for item in family.components
            ]
            lead = ngettext(
                "%(count)s answer to %(question)s in family %(family)s, by component.",
                "%(count)s answers to %(question)s in family %(family)s, by component.",
                in_question,
            ) % {
                "count": count_text(in_question),
                "question": named,
                "family": _family_label(family.family),
            }
            chart = Chart(
                id=f"{base}-family-{slugify(family.family.letter)}",
                title=_("%(question)s: components of %(family)s")
                % {"question": named, "family": _family_label(family.family)},
                description=_described(bars, lead),
                label_heading=_("Component"),
                total=in_question,
                bars=bars,
            )
            block.components.append((family.family, chart))
        blocks.append(block)
    return blocks


def _n(value: float) -> str:
    """A coordinate as short as it is exact to the tenth: 304, 152.5."""
    return f"{round(value, 1):g}"


def _svg_open(
    chart_id: str, height: int, title: str, description: str, kind: str = ""
) -> list[str]:
    chart_id = escape(chart_id)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart{kind}" id="{chart_id}" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-size="{LABEL_SIZE}" '
        f'fill="{TEXT_FILL}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]


def _label(y: int, label: str) -> str:
    """The bar's label above it (size and colour from the <svg>); a shortened one has the whole
    label as its group's tooltip (the <title> comes first in the group, as SVG wants)."""
    shown = _shorten(label)
    hint = f"<title>{escape(label)}</title>" if shown != label else ""
    return f'{hint}<text y="{y}">{escape(shown)}</text>'


def chart_svg(chart: Chart) -> str:
    """The chart as an SVG element: one row per bar, label above, bar scaled to the largest,
    count and share after it. The stylesheet colours the bars and makes the values smaller
    and muted (svg.chart-bars): without it, bars and texts take the <svg>'s ink."""
    height = PAD * 2 + ROW * max(len(chart.bars), 1)
    parts = _svg_open(chart.id, height, chart.title, chart.description, " chart-bars")
    largest = max((bar.count for bar in chart.bars), default=0)
    room = WIDTH - VALUE_ROOM
    for index, bar in enumerate(chart.bars):
        top = PAD + index * ROW
        width = round(room * bar.count / largest, 1) if largest else 0
        parts.append(f'<g data-key="{escape(bar.key)}">')
        parts.append(_label(top + LABEL_SIZE, bar.label))
        shape = f'width="{_n(width)}"' if bar.count else 'class="chart-empty" width="2"'
        parts.append(f'<rect y="{top + BAR_TOP}" {shape} height="{BAR_HEIGHT}"/>')
        parts.append(
            f'<text x="{_n(width + 6)}" y="{top + BAR_TOP + BAR_HEIGHT - 1}">'
            f"{escape(bar.value_text)}</text>"
        )
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


# --- Comparison -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PairedBar:
    key: str
    label: str
    first: float
    second: float


def compare_svg(
    *,
    chart_id: str,
    title: str,
    description: str,
    first_name: str,
    second_name: str,
    bars: Iterable[PairedBar],
) -> SafeString:
    """Two bars per row (shares of each side's total): the first filled, the second outlined,
    so they differ without colour; a legend on top names them, each bar carries its value."""
    bars = list(bars)
    legend = 2 * BAR_HEIGHT + 12
    row = ROW + BAR_HEIGHT + 4
    height = legend + PAD + row * max(len(bars), 1)
    parts = _svg_open(chart_id, height, title, description)
    parts.append(
        f'<rect x="0" y="{PAD}" width="14" height="{BAR_HEIGHT}" fill="{FIRST_FILL}"/>'
        f'<text x="20" y="{PAD + BAR_HEIGHT - 1}" font-size="{VALUE_SIZE}" fill="{TEXT_FILL}">'
        f"{escape(_shorten(first_name))}</text>"
        f'<rect x="0.5" y="{PAD + BAR_HEIGHT + 6.5}" width="13" height="{BAR_HEIGHT - 1}" '
        f'fill="{SECOND_FILL}" stroke="{SECOND_STROKE}" stroke-width="1"/>'
        f'<text x="20" y="{PAD + 2 * BAR_HEIGHT + 5}" font-size="{VALUE_SIZE}" '
        f'fill="{TEXT_FILL}">{escape(_shorten(second_name))}</text>'
    )
    largest = max((max(bar.first, bar.second) for bar in bars), default=0.0)
    room = WIDTH - VALUE_ROOM
    for index, bar in enumerate(bars):
        top = legend + PAD + index * row
        parts.append(
            f'<g class="chart-pair" data-key="{escape(bar.key)}" '
            f'data-first="{bar.first:.6f}" data-second="{bar.second:.6f}">'
        )
        parts.append(_label(top + LABEL_SIZE, bar.label))
        for offset, share, first in (
            (BAR_TOP, bar.first, True),
            (BAR_TOP + BAR_HEIGHT + 2, bar.second, False),
        ):
            width = round(room * share / largest, 1) if largest else 0
            y = top + offset
            if first:
                shape = f'fill="{FIRST_FILL}"'
            else:
                shape = f'fill="{SECOND_FILL}" stroke="{SECOND_STROKE}" stroke-width="1"'
            parts.append(
                f'<rect x="0.5" y="{y + 0.5}" width="{max(width, 2)}" '
                f'height="{BAR_HEIGHT - 1}" {shape}/>'
            )
            parts.append(
                f'<text class="chart-value" x="{width + 6}" y="{y + BAR_HEIGHT - 2}" '
                f'font-size="{VALUE_SIZE - 1}" fill="{MUTED_FILL}">'
                f"{escape(share_text(share))}</text>"
            )
        parts.append("</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above
