"""A summary's stored figures made ready to show (labels in the reader's language, figures
formatted, charts drawn) for its page and its exports: both read the same rows."""

import datetime
from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from projects import charts
from projects.models import GOAL_KG_PER_PERSON, Category, Choice, Participant
from projects.services.validation import SUBTYPES
from projects.summaries import BANDS


def _count(value: int) -> str:
    return number_format(value, force_grouping=True)


def band_label(index: int) -> str:
    low, high = BANDS[index] / 1000, BANDS[index + 1] / 1000
    if high == float("inf"):
        return _("%(low)s t and more") % {"low": number_format(low, 0)}
    return _("%(low)s to %(high)s t") % {
        "low": number_format(low, 0),
        "high": number_format(high, 0),
    }


@dataclass
class CategoryRow:
    label: str
    total: int
    by_status: list[int]


@dataclass
class SummaryDisplay:
    participants: list[tuple[str, int]]
    # (kind, type, participants) of the types that have some, in the network's order.
    subtypes: list[tuple[str, str, int]]
    participants_total: int
    people: int
    choices: int
    statuses: list[str]
    categories: list[CategoryRow]
    avoided_tonnes: str
    with_footprint: int
    median_tonnes: str | None
    below_goal: int
    bands: list[tuple[str, int]]
    years: list[tuple[int, str, int]]
    shared: list[dict]
    goal_tonnes: str = field(default_factory=lambda: charts.tonnes_text(GOAL_KG_PER_PERSON))
    category_chart: SafeString = SafeString("")
    band_chart: SafeString = SafeString("")

    @property
    def is_empty(self) -> bool:
        return self.participants_total == 0

    def tables(self) -> list[tuple[str, list[str], list[list[object]]]]:
        """Every table of the summary as (title, header, rows): what the exports write."""
        return [
            (
                _("Participants"),
                [_("Kind"), _("Participants")],
                [list(r) for r in self.participants],
            ),
            (
                _("Participants by type"),
                [_("Kind"), _("Type"), _("Participants")],
                [list(r) for r in self.subtypes],
            ),
            (
                _("Choices"),
                [_("Category"), _("Total"), *self.statuses],
                [[row.label, row.total, *row.by_status] for row in self.categories],
            ),
            (
                _("Footprints"),
                [_("Tonnes of CO2e per person a year"), _("Participants")],
                [list(r) for r in self.bands],
            ),
            (
                _("Footprints by year"),
                [_("Year"), _("Median per person (t)"), _("Measures")],
                [list(r) for r in self.years],
            ),
            (
                _("Most shared choices"),
                [_("Choice"), _("Participant"), _("Participants who do it too")],
                [[item["title"], item["participant"], item["shares"]] for item in self.shared],
            ),
        ]


def summary_display(figures: dict) -> SummaryDisplay:
    counts = figures.get("participants", {})
    statuses = list(Choice.Status.values)
    categories = []
    for value, label in Category.choices:
        by_status = figures.get("by_category", {}).get(value, {})
        row = CategoryRow(label, sum(by_status.values()), [by_status.get(s, 0) for s in statuses])
        categories.append(row)
    prints = figures.get("footprints", {})
    bands = prints.get("bands") or []
    band_rows = [(band_label(index), count) for index, count in enumerate(bands)]
    median = prints.get("median_kg")
    by_subtype = figures.get("subtypes", {})
    display = SummaryDisplay(
        participants=[(label, counts.get(kind, 0)) for kind, label in Participant.Kind.choices],
        subtypes=[
            (str(label), str(subtype.label), by_subtype[subtype.value])
            for kind, label in Participant.Kind.choices
            for subtype in SUBTYPES[kind]
            if by_subtype.get(subtype.value)
        ],
        participants_total=sum(counts.values()),
        people=figures.get("people", 0),
        choices=figures.get("choices", 0),
        statuses=[str(label) for _value, label in Choice.Status.choices],
        categories=categories,
        avoided_tonnes=charts.tonnes_text(figures.get("avoided_kg", 0)),
        with_footprint=prints.get("participants", 0),
        median_tonnes=charts.tonnes_text(median) if median is not None else None,
        below_goal=prints.get("below_goal", 0),
        bands=band_rows,
        years=[(year, charts.tonnes_text(kg), n) for year, kg, n in figures.get("years", [])],
        shared=figures.get("shared", []),
    )
    display.category_chart = charts.bars_svg(
        [charts.Bar(row.label, row.total, _count(row.total)) for row in categories if row.total],
        chart_id="choices-by-category",
        title=_("Choices by category"),
        desc=_("%(count)s choices; the table below gives them by status.")
        % {"count": _count(display.choices)},
    )
    display.band_chart = charts.bars_svg(
        [charts.Bar(label, count, _count(count)) for label, count in band_rows],
        chart_id="footprint-bands",
        title=_("Participants by footprint per person"),
        desc=_("%(count)s participants with a footprint; %(below)s below the goal.")
        % {"count": _count(display.with_footprint), "below": _count(display.below_goal)},
    )
    return display


@dataclass
class ReviewDisplay:
    participants: list[tuple[str, int]]
    joined: int
    choices: int
    categories: list[tuple[str, int]]
    avoided_tonnes: str
    footprints: int
    workshops: list[dict]

    @property
    def is_empty(self) -> bool:
        return not (self.joined or self.choices or self.footprints or self.workshops)


def review_display(figures: dict) -> ReviewDisplay:
    counts = figures.get("participants", {})
    by_category = figures.get("by_category", {})
    workshops = []
    for workshop in figures.get("workshops", []):
        workshops.append(
            workshop | {"starts_at": datetime.datetime.fromisoformat(workshop["starts_at"])}
        )
    return ReviewDisplay(
        participants=[(label, counts.get(kind, 0)) for kind, label in Participant.Kind.choices],
        joined=sum(counts.values()),
        choices=figures.get("choices", 0),
        categories=[
            (label, by_category.get(value, 0))
            for value, label in Category.choices
            if by_category.get(value)
        ],
        avoided_tonnes=charts.tonnes_text(figures.get("avoided_kg", 0)),
        footprints=figures.get("footprints", 0),
        workshops=workshops,
    )
