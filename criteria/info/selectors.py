"""Reading the Info criteria pages: a coordination group's (or one homogeneous group's)
classified criteria by family, component and question of the current grid.

The criteria come in one query ordered as the page reads, grouped here in one pass; the grid
and the questions in one small query each. Views cache the result as rendered HTML under
info_version, which moves whenever a criterion of the scope is added, changed or deleted.
Nothing here reads who entered or classified a criterion.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Max, Q, QuerySet
from django.db.models.functions import ExtractYear

from criteria.models import Component, Criterion, Family, GridVersion, Question
from criteria.selectors import component_list, family_list, question_list
from territories.models import CoordinationGroup, HomogeneousGroup

CLASSIFIED = Criterion.Status.CLASSIFIED


@dataclass(frozen=True)
class InfoYear:
    """A year with criteria in the scope: how many are classified and how many wait."""

    year: int
    classified: int
    waiting: int


@dataclass(frozen=True)
class InfoEntry:
    """One text as written, with how many times the group wrote it in this place."""

    text: str
    language: str
    times: int = 1


@dataclass
class InfoQuestion:
    question: Question
    count: int = 0
    entries: list[InfoEntry] = field(default_factory=list)
    # The entries as HTML list items, filled by the view that renders them.
    items_html: str = ""


@dataclass
class InfoComponent:
    component: Component
    count: int = 0
    questions: list[InfoQuestion] = field(default_factory=list)


@dataclass
class InfoFamily:
    family: Family
    count: int = 0
    components: list[InfoComponent] = field(default_factory=list)


@dataclass
class InfoCriteria:
    """Every family of the grid in order (empty ones with count 0), the components that have
    criteria in each, and the totals."""

    families: list[InfoFamily]
    classified: int
    components_used: int
    components_total: int

    @property
    def first_family(self) -> str:
        """The letter of the first family with criteria ("" when there is none)."""
        return next((entry.family.letter for entry in self.families if entry.count), "")


def _scope(*, tenant: CoordinationGroup, group: HomogeneousGroup | None) -> QuerySet[Criterion]:
    criteria = Criterion.objects.filter(tenant=tenant)
    if group is not None:
        criteria = criteria.filter(group=group)
    return criteria.order_by()


def info_version(*, tenant: CoordinationGroup, group: HomogeneousGroup | None = None) -> str:
    """Changes whenever a criterion of the scope is added, changed (every service saves
    modified_at) or deleted (the count drops). One aggregate over the scope's index."""
    # COUNT(*) rather than COUNT(id): nothing but the rows' existence is needed.
    stats = _scope(tenant=tenant, group=group).aggregate(
        count=Count("*"), changed=Max("modified_at")
    )
    changed = stats["changed"].timestamp() if stats["changed"] else 0
    return f"{stats['count']}-{changed}"


def info_years(
    *, tenant: CoordinationGroup, group: HomogeneousGroup | None = None
) -> list[InfoYear]:
    """The years (of session date) that have criteria in the scope, newest first, with their
    classified and waiting (unclassified or disputed) counts. One query."""
    rows = (
        _scope(tenant=tenant, group=group)
        .annotate(year=ExtractYear("session_date"))
        .values("year")
        .annotate(
            classified=Count("pk", filter=Q(status=CLASSIFIED)),
            waiting=Count("pk", filter=~Q(status=CLASSIFIED)),
        )
        .order_by("-year")
    )
    return [InfoYear(row["year"], row["classified"], row["waiting"]) for row in rows]


def info_criteria(
    *,
    tenant: CoordinationGroup,
    version: GridVersion,
    group: HomogeneousGroup | None = None,
    year: int | None = None,
) -> InfoCriteria:
    """The scope's classified criteria in version (the current grid), by family → component →
    question, texts in the order they were written; the same text written again in one place
    is listed once with how many times. Four queries, whatever the number of criteria."""
    families = {family.pk: InfoFamily(family) for family in family_list(version=version)}
    components = {c.pk: c for c in component_list(version=version, active_only=False)}
    questions = {q.pk: q for q in question_list(tenant=tenant, active_only=False)}
    criteria = _scope(tenant=tenant, group=group).filter(
        status=CLASSIFIED, component__version=version
    )
    if year is not None:
        criteria = criteria.filter(
            session_date__gte=datetime.date(year, 1, 1),
            session_date__lt=datetime.date(year + 1, 1, 1),
        )
    # Integer sort keys only: ordering on the letters and codes (collated text) costs as
    # much as the rest of the query. The ids break ties, so one component's rows stay together.
    rows = criteria.order_by(
        "component__family__order",
        "component__family_id",
        "component__order",
        "component_id",
        F("question__tenant_id").asc(nulls_first=True),
        "question__order",
        "question_id",
        "session_date",
        "pk",
    ).values_list("component_id", "question_id", "text", "language")

    classified = 0
    # Set on the first row (its component and question differ from None), before any use.
    block: InfoComponent
    place: InfoQuestion
    block_id = question_key = None
    seen: dict[tuple[str, str], int] = {}
    for component_id, question_id, text, language in rows:
        classified += 1
        if component_id != block_id:
            component = components[component_id]
            block = InfoComponent(component)
            family = families[component.family_id]
            family.components.append(block)
            block_id, question_key = component_id, None
        if question_id != question_key:
            place = InfoQuestion(questions[question_id])
            block.questions.append(place)
            question_key, seen = question_id, {}
        block.count += 1
        place.count += 1
        family.count += 1
        key = (text, language)
        index = seen.get(key)
        if index is None:
            seen[key] = len(place.entries)
            place.entries.append(InfoEntry(text, language))
        else:
            entry = place.entries[index]
            place.entries[index] = InfoEntry(text, language, entry.times + 1)
    used_components = {
        block.component.pk for entry in families.values() for block in entry.components
    }
    return InfoCriteria(
        families=list(families.values()),
        classified=classified,
        components_used=len(used_components),
        # Inactive components count only when criteria still sit in them.
        components_total=sum(
            1 for c in components.values() if c.is_active or c.pk in used_components
        ),
    )
