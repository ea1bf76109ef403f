"""The path of a participant's footprint against the 2 t goal, as server-side SVG.

Built as data first (FootprintPath: points with their figures formatted), then drawn as SVG
(role="img", with a <title> and a <desc>) and, by the template, as the equivalent table: both
read the same strings. Presentation attributes only, as the synthesis charts (strict CSP, PDF).
"""

from dataclasses import dataclass

from django.utils.formats import date_format, number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from projects.models import GOAL_KG_PER_PERSON, Footprint

WIDTH, HEIGHT = 400, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 16, 36
LINE = "#0b6b4f"
GOAL = "#a33b12"
TEXT = "#1c2321"
GRID = "#cfd8d3"


def tonnes_text(kg: int | float) -> str:
    return number_format(round(kg / 1000, 1), 1)


@dataclass
class PathPoint:
    date: str
    tonnes_per_person: str
    tonnes: str
    value: float


@dataclass
class FootprintPath:
    points: list[PathPoint]
    goal: str

    @property
    def summary(self) -> str:
        if not self.points:
            return _("No footprint recorded yet.")
        first, last = self.points[0], self.points[-1]
        if len(self.points) == 1:
            return _("%(value)s t per person (%(date)s); the goal is %(goal)s t.") % {
                "value": first.tonnes_per_person,
                "date": first.date,
                "goal": self.goal,
            }
        return _(
            "From %(first)s t per person (%(first_date)s) to %(last)s t (%(last_date)s); "
            "the goal is %(goal)s t."
        ) % {
            "first": first.tonnes_per_person,
            "first_date": first.date,
            "last": last.tonnes_per_person,
            "last_date": last.date,
            "goal": self.goal,
        }


def footprint_path(footprints: list[Footprint]) -> FootprintPath:
    return FootprintPath(
        points=[
            PathPoint(
                date=date_format(footprint.measured_on, "SHORT_DATE_FORMAT"),
                tonnes_per_person=tonnes_text(footprint.per_person_kg),
                tonnes=tonnes_text(footprint.total_kg),
                value=footprint.per_person_kg / 1000,
            )
            for footprint in footprints
        ],
        goal=tonnes_text(GOAL_KG_PER_PERSON),
    )


def footprint_svg(path: FootprintPath, *, chart_id: str) -> SafeString:
    """The path as a line over time, with the goal as a dashed line."""
    if not path.points:
        return mark_safe("")
    goal = GOAL_KG_PER_PERSON / 1000
    top_value = max([goal, *(point.value for point in path.points)]) * 1.15
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(value: float) -> float:
        return TOP + plot_h * (1 - value / top_value)

    def x(index: int) -> float:
        if len(path.points) == 1:
            return LEFT + plot_w / 2
        return LEFT + plot_w * index / (len(path.points) - 1)

    title = _("Carbon footprint per person, in tonnes of CO2e a year")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(path.summary)}</desc>',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" '
        f'stroke="{GRID}"/>',
        f'<line x1="{LEFT}" y1="{y(goal):.1f}" x2="{WIDTH - RIGHT}" y2="{y(goal):.1f}" '
        f'stroke="{GOAL}" stroke-dasharray="6 4" stroke-width="2"/>',
        f'<text x="{WIDTH - RIGHT}" y="{y(goal) - 5:.1f}" text-anchor="end" font-size="12" '
        f'fill="{GOAL}">{escape(_("goal %(value)s t") % {"value": path.goal})}</text>',
        f'<text x="{LEFT - 6}" y="{TOP + plot_h}" text-anchor="end" font-size="11" '
        f'fill="{TEXT}">0</text>',
    ]
    coordinates = [(x(index), y(point.value)) for index, point in enumerate(path.points)]
    if len(coordinates) > 1:
        line = " ".join(f"{px:.1f},{py:.1f}" for px, py in coordinates)
        parts.append(f'<polyline points="{line}" fill="none" stroke="{LINE}" stroke-width="2.5"/>')
    for (px, py), point in zip(coordinates, path.points, strict=True):
        parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4" fill="{LINE}"/>')
        parts.append(
            f'<text x="{px:.1f}" y="{py - 8:.1f}" text-anchor="middle" font-size="11" '
            f'fill="{TEXT}">{escape(point.tonnes_per_person)}</text>'
        )
    for index in {0, len(path.points) - 1}:
        parts.append(
            f'<text x="{x(index):.1f}" y="{HEIGHT - 12}" text-anchor="middle" font-size="11" '
            f'fill="{TEXT}">{escape(path.points[index].date)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above


@dataclass
class Bar:
    label: str
    value: int
    text: str


def bars_svg(bars: list[Bar], *, chart_id: str, title: str, desc: str) -> SafeString:
    """Horizontal bars, each label above its bar (readable when a phone scales it down)."""
    if not bars:
        return mark_safe("")
    row, top = 34, 8
    height = top + row * len(bars)
    most = max(bar.value for bar in bars) or 1
    room = WIDTH - 80
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]
    for index, bar in enumerate(bars):
        y = top + index * row
        width = max(room * bar.value / most, 1 if bar.value else 0)
        parts.append(
            f'<text x="0" y="{y + 11}" font-size="12" fill="{TEXT}">{escape(bar.label)}</text>'
        )
        parts.append(f'<rect x="0" y="{y + 16}" width="{width:.1f}" height="11" fill="{LINE}"/>')
        parts.append(
            f'<text x="{width + 6:.1f}" y="{y + 26}" font-size="11" fill="{TEXT}">'
            f"{escape(bar.text)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above
