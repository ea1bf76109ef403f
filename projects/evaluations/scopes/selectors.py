"""Reading the evaluations' roll-ups for pages: a scope's results per indicator lineage in one
year (its distribution over the levels, the median, the sessions and participants behind it),
titled and with the level names of the lineage's root indicator in the reader's language; and
what lies directly under a scope, to browse down.

Pages read one EvaluationSnapshot (projects/evaluations/rollup.py); they never count
placements. Who may read a scope is the syntheses' rule (syntheses.permissions.scope_access),
checked by the views.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from projects.evaluations.figures import (
    Distribution,
    distribution,
    level_names,
    median_of,
    median_words,
    reader_language,
)
from projects.models import EvaluationSnapshot, Indicator
from syntheses.browse import scopes_below, scopes_condition
from syntheses.models import Scope
from syntheses.selectors import ScopeRef
from wikispiral.tenancy import cross_tenant


@dataclass(frozen=True)
class LineageYear:
    """One lineage's figures in one year: placements per level (position: count), sessions
    and their participants."""

    counts: dict[int, int]
    sessions: int
    participants: int


def evaluation_snapshot_get(*, scope: str, scope_id: int) -> EvaluationSnapshot | None:
    """The scope's snapshot (None: never computed)."""
    return EvaluationSnapshot.objects.filter(scope=scope, scope_id=scope_id).first()


def snapshot_figures(snapshot: EvaluationSnapshot | None) -> dict[tuple[int, int], LineageYear]:
    """Every (lineage, year) of a snapshot with its figures."""
    if snapshot is None:
        return {}
    counts: dict[tuple[int, int], dict[int, int]] = {}
    cube = snapshot.cube or {}
    for lineage, year, level, count in zip(
        cube.get("lineage", []),
        cube.get("year", []),
        cube.get("level", []),
        cube.get("count", []),
        strict=True,
    ):
        counts.setdefault((lineage, year), {})[level] = count
    table = snapshot.sessions or {}
    behind = {
        (lineage, year): (sessions, participants)
        for lineage, year, sessions, participants in zip(
            table.get("lineage", []),
            table.get("year", []),
            table.get("sessions", []),
            table.get("participants", []),
            strict=True,
        )
    }
    return {key: LineageYear(levels, *behind.get(key, (0, 0))) for key, levels in counts.items()}


@dataclass(frozen=True)
class LineageResult:
    """An indicator lineage in one scope and year, as a page shows it."""

    lineage: int
    title: str
    distribution: Distribution
    level_names: list[str]
    sessions: int
    participants: int
    # The latest earlier year with placements, and its median.
    previous_year: int | None = None
    previous_median: float | None = None

    @property
    def median(self) -> float | None:
        return self.distribution.median

    @property
    def median_text(self) -> str:
        return median_words(self.median, self.level_names)

    @property
    def previous_text(self) -> str:
        return median_words(self.previous_median, self.level_names)

    @property
    def moved(self) -> float | None:
        """How far the median moved since previous_year (positive: towards the ideal)."""
        if self.median is None or self.previous_median is None:
            return None
        return self.median - self.previous_median


@dataclass(frozen=True)
class ScopeResults:
    """A scope's evaluations in one year (year None: nothing evaluated yet)."""

    snapshot: EvaluationSnapshot | None
    years: list[int]
    year: int | None
    lineages: list[LineageResult]

    @property
    def is_empty(self) -> bool:
        return not self.lineages


def _counted(counts: dict[int, int]) -> list[int]:
    """Placements per level from 1 to the highest placed, as median_of takes them."""
    return [counts.get(position, 0) for position in range(1, max(counts, default=0) + 1)]


def snapshot_years(snapshot: EvaluationSnapshot | None) -> list[int]:
    """The years with placements in a snapshot, oldest first."""
    if snapshot is None:
        return []
    return sorted({int(year) for year in (snapshot.cube or {}).get("year", [])})


def _named_by(lineages: set[int], tenant_id: int | None) -> dict[int, Indicator]:
    """The indicator whose texts name each lineage, with its levels (two queries): in a
    coordination group's or homogeneous group's scope, the group's own indicator of it (its
    own words, a draft only its members see the scope of); in a place, a published indicator
    of a group that is not hidden, the lineage's first one when it qualifies. A lineage with
    none is shown with a neutral label."""
    with cross_tenant():
        rows = Indicator.objects.filter(lineage__in=sorted(lineages))
        if tenant_id is not None:
            rows = rows.filter(tenant_id=tenant_id)
        else:
            rows = rows.filter(status=Indicator.Status.PUBLISHED, tenant__is_hidden=False)
        found: dict[int, Indicator] = {}
        for indicator in rows.prefetch_related("levels").order_by("pk"):
            chosen = found.get(indicator.lineage)
            if chosen is None or (indicator.pk == indicator.lineage != chosen.pk):
                found[indicator.lineage] = indicator
        return found


def scope_results(
    snapshot: EvaluationSnapshot | None, *, year: int | None = None, tenant_id: int | None = None
) -> ScopeResults:
    """The snapshot's results in year (its latest year by default), one per lineage, by title
    in the reader's language; tenant_id: the coordination group behind the scope (None for
    places), whose own indicators name the lineages."""
    figures = snapshot_figures(snapshot)
    years = sorted({year for _lineage, year in figures})
    if year is None and years:
        year = years[-1]
    if year not in years:
        return ScopeResults(snapshot, years, year, [])
    language = reader_language()
    lineages = {lineage for lineage, at in figures if at == year}
    roots = _named_by(lineages, tenant_id)
    results = []
    for lineage in lineages:
        found = figures[(lineage, year)]
        root = roots.get(lineage)
        scale = len(root.levels.all()) if root is not None else 0
        size = max(scale, max(found.counts, default=0))
        if root is not None:
            title = root.text("title", language)
            names = level_names(root, size=size)
        else:
            title = ""
            names = [_("Level %(position)d") % {"position": n} for n in range(1, size + 1)]
        earlier = [at for (other, at) in figures if other == lineage and at < year]
        previous = max(earlier, default=None)
        results.append(
            LineageResult(
                lineage=lineage,
                title=title or _("Indicator %(number)s") % {"number": lineage},
                distribution=distribution(found.counts, size),
                level_names=names,
                sessions=found.sessions,
                participants=found.participants,
                previous_year=previous,
                previous_median=(
                    median_of(_counted(figures[(lineage, previous)].counts))
                    if previous is not None
                    else None
                ),
            )
        )
    results.sort(key=lambda result: (result.title.casefold(), result.lineage))
    return ScopeResults(snapshot, years, year, results)


# --- Browsing down ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildScope:
    """A scope directly under another, with the placements its snapshot counts."""

    scope: str
    scope_id: int
    name: str
    placements: int = 0

    @property
    def key(self) -> str:
        return f"{self.scope}-{self.scope_id}"

    @property
    def label(self) -> str:
        return str(Scope(self.scope).label)


def scope_children(ref: ScopeRef) -> list[ChildScope]:
    """What lies directly under ref that any visitor may see (hidden groups never appear),
    places first, with their placements: the syntheses' own listing, and one query."""
    below, _groups = scopes_below(ref)
    if not below:
        return []
    counts = {
        (scope, pk): count
        for scope, pk, count in EvaluationSnapshot.objects.filter(scopes_condition(below))
        .order_by()
        .values_list("scope", "scope_id", "placements_count")
    }
    return [
        ChildScope(
            child.scope, child.scope_id, child.name, counts.get((child.scope, child.scope_id), 0)
        )
        for child in below
    ]
