"""What the synthesis pages show, apart from the HTTP: a scope's snapshot read without its cube
(and the cube read once, when needed), the filters' facets and their description in words, a
question's charts (cached), the family → component table, a page's one-line summary, and the
rows of a comparison.
"""

from dataclasses import dataclass
from typing import cast

from django.core.cache import cache
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from criteria.models import Question
from criteria.selectors import grid_current
from syntheses import charts
from syntheses.forms import Facets, filters_query, language_name
from syntheses.models import Snapshot
from syntheses.selectors import (
    ComponentFigures,
    FamilyFigures,
    Figures,
    Filters,
    ScopeRef,
    figures_from,
    profile_choices,
)
from territories.models import Profile
from wikispiral.tenancy import cross_tenant

CACHE_SECONDS = 60 * 60 * 24
# Part of every cache key: bump it when the figures' markup changes, so a deploy never serves
# HTML rendered by the previous template.
MARKUP_VERSION = 3
NETWORK_QUESTIONS = ("Q1", "Q2", "Q3")
# A difference of shares this large (in percentage points) is shown stronger.
STRONG_POINTS = 5.0


# --- Snapshots, facets and figures ----------------------------------------------------------


def snapshot_head(ref: ScopeRef) -> Snapshot | None:
    """The scope's snapshot without its cube and groups (a warm page needs neither)."""
    return (
        Snapshot.objects.filter(scope=ref.scope, scope_id=ref.scope_id)
        .select_related("grid_version")
        .defer("cube", "groups")
        .first()
    )


class SnapshotBody:
    """The snapshot's cube and groups, read at most once per request, only when needed."""

    def __init__(self, head: Snapshot) -> None:
        self.head = head
        self._data: tuple[dict, dict] | None = None

    def get(self) -> tuple[dict, dict]:
        if self._data is None:
            row = Snapshot.objects.filter(pk=self.head.pk).values_list("cube", "groups").first()
            self._data = cast("tuple[dict, dict]", row or ({}, {}))
        return self._data


def snapshot_stamp(head: Snapshot) -> str:
    return f"{MARKUP_VERSION}:{head.pk}:{head.computed_at.timestamp():.6f}:{get_language()}"


def questions_of(codes: set[str]) -> list[Question]:
    """The questions of these codes as figures_from orders them: the network's first."""
    found = list(Question.objects.shared().filter(code__in=codes).order_by("order", "code"))
    extra = codes - {question.code for question in found}
    if extra:
        seen: set[str] = set()
        with cross_tenant():
            extras = list(Question.objects.filter(code__in=extra).order_by("order", "pk"))
        for question in extras:
            if question.code not in seen:
                seen.add(question.code)
                found.append(question)
    return found


def facets_of_cube(cube: dict) -> Facets:
    profiles = sorted({int(profile) for profile in cube.get("profile", [])} - {0})
    codes = set(cube.get("question", [])) | set(NETWORK_QUESTIONS)
    return Facets(
        years=sorted({int(year) for year in cube.get("year", [])}),
        questions=[
            (question.code, f"{question.code} · {question.short_name()}")
            for question in questions_of(codes)
        ],
        profiles=[(profile.pk, profile.label()) for profile in profile_choices(profiles)],
        languages=sorted(set(cube.get("language", []))),
    )


def facets_for(head: Snapshot | None, body: SnapshotBody | None) -> Facets:
    if head is None or body is None:
        return Facets()
    key = f"syntheses:facets:{snapshot_stamp(head)}"
    facets = cache.get(key)
    if facets is None:
        facets = facets_of_cube(body.get()[0])
        cache.set(key, facets, CACHE_SECONDS)
    return facets


def filters_in_words(filters: Filters, facets: Facets) -> str:
    """The filters in words ("2024 to 2025 · Q1 · Young people · fr"), "" when none."""
    parts = []
    if filters.year_from is not None and filters.year_from == filters.year_to:
        parts.append(str(filters.year_from))
    elif filters.year_from is not None and filters.year_to is not None:
        parts.append(
            _("%(first)s to %(last)s") % {"first": filters.year_from, "last": filters.year_to}
        )
    elif filters.year_from is not None:
        parts.append(_("from %(year)s") % {"year": filters.year_from})
    elif filters.year_to is not None:
        parts.append(_("until %(year)s") % {"year": filters.year_to})
    if filters.question:
        label = dict(facets.questions).get(filters.question)
        if label is None:
            found = questions_of({filters.question})
            label = f"{filters.question} · {found[0].short_name()}" if found else filters.question
        parts.append(label)
    if filters.profile is not None:
        label = dict(facets.profiles).get(filters.profile)
        if label is None:
            profile = Profile.objects.filter(pk=filters.profile).first()
            label = profile.label() if profile else str(filters.profile)
        parts.append(label)
    if filters.language:
        parts.append(language_name(filters.language))
    return " · ".join(parts)


def question_charts_cached(
    ref: ScopeRef, head: Snapshot, body: SnapshotBody, filters: Filters
) -> charts.QuestionCharts | None:
    """The charts of filters.question: its families, and each family's components (None when
    the snapshot knows no such question). Cached as the synthesis page's figures are."""
    key = f"syntheses:components:{snapshot_stamp(head)}:{ref.key}:{filters_query(filters)}"
    found = cache.get(key)
    if found is None:
        cube, groups = body.get()
        figures = figures_from(cube=cube, groups=groups, version=head.grid_version, filters=filters)
        blocks = [
            block
            for block in charts.question_charts(figures)
            if block.question.code == filters.question
        ]
        found = blocks[0] if blocks else ()
        cache.set(key, found, CACHE_SECONDS)
    return found or None


# --- The figures' table ---------------------------------------------------------------------


@dataclass(frozen=True)
class TableRow:
    """One line of the family → component table, its figures formatted as the charts show
    them (counts per question, total, share of all the criteria shown)."""

    code: str
    label: str
    counts: list[str]
    total: str
    share: str
    link: str = ""
    provisional: bool = False


@dataclass(frozen=True)
class TableFamily:
    row: TableRow
    components: list[TableRow]


def figures_table(figures: Figures, links: dict[str, str]) -> list[TableFamily]:
    codes = [question.code for question in figures.questions]
    table = []
    for family in figures.families:
        row = TableRow(
            family.family.letter,
            f"{family.family.letter} · {family.family.label()}",
            [charts.count_text(family.by_question.get(code, 0)) for code in codes],
            charts.count_text(family.total),
            charts.share_text(family.share),
        )
        components = [
            TableRow(
                item.component.code,
                f"{item.component.code} · {item.component.label()}",
                [charts.count_text(item.by_question.get(code, 0)) for code in codes],
                charts.count_text(item.total),
                charts.share_text(item.share),
                links.get(item.component.code, ""),
                item.component.label_is_provisional(),
            )
            for item in family.components
        ]
        table.append(TableFamily(row, components))
    return table


def figures_summary(figures: Figures, filtered: bool) -> str:
    if figures.is_empty:
        return _("Nothing matches these filters.") if filtered else _("No criteria yet.")
    return ngettext("%(count)s criterion shown.", "%(count)s criteria shown.", figures.total) % {
        "count": charts.count_text(figures.total)
    }


# --- Comparison -----------------------------------------------------------------------------


@dataclass
class CompareRow:
    key: str
    label: str
    is_family: bool
    first_count: int
    first_share: float
    second_count: int
    second_share: float

    @property
    def points(self) -> float:
        return (self.first_share - self.second_share) * 100

    @property
    def direction(self) -> str:
        rounded = round(self.points, 1)
        return "up" if rounded > 0 else "down" if rounded < 0 else "same"

    @property
    def strong(self) -> bool:
        return abs(self.points) >= STRONG_POINTS

    @property
    def points_text(self) -> str:
        return charts.points_text(self.points)

    @property
    def first_count_text(self) -> str:
        return charts.count_text(self.first_count)

    @property
    def second_count_text(self) -> str:
        return charts.count_text(self.second_count)

    @property
    def first_share_text(self) -> str:
        return charts.share_text(self.first_share)

    @property
    def second_share_text(self) -> str:
        return charts.share_text(self.second_share)


def compare_rows(first: Figures, second: Figures) -> list[CompareRow]:
    """Families and their components in grid order (the first side's families first, then any
    only the second has), matched by family letter and component code."""
    second_families = {family.family.letter: family for family in second.families}
    rows: list[CompareRow] = []
    letters = [family.family.letter for family in first.families]
    letters += [letter for letter in second_families if letter not in letters]
    first_families = {family.family.letter: family for family in first.families}
    for letter in letters:
        mine, theirs = first_families.get(letter), second_families.get(letter)
        # Each letter comes from one side at least.
        family = cast(FamilyFigures, mine or theirs).family
        rows.append(compare_row(letter, f"{letter} · {family.label()}", True, mine, theirs))
        components = {item.component.code: item for item in (mine.components if mine else [])}
        others = {item.component.code: item for item in (theirs.components if theirs else [])}
        # In grid order, whichever side mentions the component.
        codes = sorted(
            {*components, *others},
            key=lambda code: ((components.get(code) or others[code]).component.order, code),
        )
        for code in codes:
            one, two = components.get(code), others.get(code)
            component = cast(ComponentFigures, one or two).component
            rows.append(compare_row(code, f"{code} · {component.label()}", False, one, two))
    return rows


def compare_row(
    key: str,
    label: str,
    is_family: bool,
    mine: FamilyFigures | ComponentFigures | None,
    theirs: FamilyFigures | ComponentFigures | None,
) -> CompareRow:
    """One line of a comparison; a side that does not mention it counts 0."""
    return CompareRow(
        key,
        label,
        is_family,
        mine.total if mine else 0,
        mine.share if mine else 0.0,
        theirs.total if theirs else 0,
        theirs.share if theirs else 0.0,
    )


def scope_figures(ref: ScopeRef, filters: Filters) -> tuple[Snapshot | None, Figures]:
    """One side of a comparison (a scope never computed counts as empty)."""
    head = snapshot_head(ref)
    if head is None:
        return None, figures_from(cube={}, groups={}, version=grid_current(), filters=filters)
    cube, groups = SnapshotBody(head).get()
    return head, figures_from(cube=cube, groups=groups, version=head.grid_version, filters=filters)


def side_name(ref: ScopeRef, described: str) -> str:
    return f"{ref.name} ({described})" if described else ref.name
