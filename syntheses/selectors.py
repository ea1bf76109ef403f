"""Reading syntheses: scopes, snapshots and the figures pages and reports show.

Pages never aggregate criteria: they read one snapshot (one row) and sum its cube in memory for
the filters asked (year or period, question, group profile, language).
"""

from dataclasses import dataclass, field

import pandas as pd
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from criteria.models import Component, Criterion, Family, GridVersion, Question
from syntheses import compute
from syntheses.models import PendingScope, Report, Scope, Snapshot, SynthesisPage
from territories.display import participants_figure, participants_text
from territories.models import (
    Continent,
    CoordinationGroup,
    Country,
    HomogeneousGroup,
    Locality,
    Profile,
    Region,
)
from wikispiral.tenancy import cross_tenant

CRITERIA_PER_PAGE = 50
# An id has at most 19 digits (a BigAutoField); int() refuses strings past 4,300 digits.
MAX_ID_DIGITS = 19


@dataclass(frozen=True)
class ScopeRef:
    """A resolved scope: what it is, its id, its name, and the coordination group behind it
    (for a homogeneous group or a coordination group: tenancy and visibility)."""

    scope: str
    scope_id: int
    name: str
    obj: object | None = None
    tenant: CoordinationGroup | None = None

    @property
    def key(self) -> str:
        """The scope in URLs: "network", "country-12", "cg-7"…"""
        return self.scope if self.scope == Scope.NETWORK else f"{self.scope}-{self.scope_id}"

    @property
    def is_hidden(self) -> bool:
        return bool(self.tenant is not None and self.tenant.is_hidden)


# The model of each place scope (for other modules: syntheses.followables resolves keys by it).
PLACE_MODELS: dict[str, type[Locality | Region | Country | Continent]] = {
    Scope.LOCALITY: Locality,
    Scope.REGION: Region,
    Scope.COUNTRY: Country,
    Scope.CONTINENT: Continent,
}
_MODELS = PLACE_MODELS  # the former private name, kept for older callers


def scope_get(key: str) -> ScopeRef:
    """The scope named by key ("network", "country-12", "hg-40"…), or 404 (unknown scope).
    Visibility is the caller's to check (ScopeRef.tenant)."""
    if key == Scope.NETWORK:
        return ScopeRef(Scope.NETWORK, 0, _("The whole network"))
    kind, _sep, raw = key.rpartition("-")
    if kind not in Scope.values or not raw.isdecimal() or len(raw) > MAX_ID_DIGITS:
        raise Http404(_("No such synthesis."))
    pk = int(raw)
    if kind == Scope.HOMOGENEOUS_GROUP:
        with cross_tenant():
            group = HomogeneousGroup.objects.select_related("tenant").filter(pk=pk).first()
        if group is None:
            raise Http404(_("No such synthesis."))
        return ScopeRef(kind, pk, group.name, group, group.tenant)
    if kind == Scope.COORDINATION_GROUP:
        tenant = CoordinationGroup.objects.filter(pk=pk).first()
        if tenant is None:
            raise Http404(_("No such synthesis."))
        return ScopeRef(kind, pk, tenant.name, tenant, tenant)
    if kind == Scope.PROJECT:
        if pk not in CoordinationGroup.Project.values or not pk:
            raise Http404(_("No such synthesis."))
        return ScopeRef(kind, pk, str(CoordinationGroup.Project(pk).label))
    place = PLACE_MODELS[kind].objects.filter(pk=pk).first()
    if place is None:
        raise Http404(_("No such synthesis."))
    return ScopeRef(kind, pk, place.label(), place)


def scope_parents(ref: ScopeRef) -> list[ScopeRef]:
    """The scopes above ref, nearest first, up to the network (for breadcrumbs and
    comparisons such as "this town against its country")."""
    parents: list[ScopeRef] = []
    tenant = ref.tenant
    if ref.scope == Scope.HOMOGENEOUS_GROUP and tenant is not None:  # always set for a group
        parents.append(ScopeRef(Scope.COORDINATION_GROUP, tenant.pk, tenant.name, tenant, tenant))
    chain: list[tuple[str, Locality | Region | Country | Continent | None]]
    if tenant is not None:
        chain = [
            (Scope.LOCALITY, tenant.locality),
            (Scope.REGION, tenant.region),
            (Scope.COUNTRY, tenant.country),
            (Scope.CONTINENT, tenant.country.continent),
        ]
    else:
        # scope_get gives a place scope its place.
        obj = ref.obj
        chain = []
        if ref.scope == Scope.LOCALITY and isinstance(obj, Locality):
            chain = [(Scope.REGION, obj.region), (Scope.COUNTRY, obj.region.country)]
            chain.append((Scope.CONTINENT, obj.region.country.continent))
        elif ref.scope == Scope.REGION and isinstance(obj, Region):
            chain = [(Scope.COUNTRY, obj.country), (Scope.CONTINENT, obj.country.continent)]
        elif ref.scope == Scope.COUNTRY and isinstance(obj, Country):
            chain = [(Scope.CONTINENT, obj.continent)]
    for scope, place in chain:
        if place is not None:
            parents.append(ScopeRef(scope, place.pk, place.label(), place))
    if tenant is not None and tenant.project:
        project = CoordinationGroup.Project(tenant.project)
        parents.append(ScopeRef(Scope.PROJECT, project.value, str(project.label)))
    if ref.scope != Scope.NETWORK:
        parents.append(ScopeRef(Scope.NETWORK, 0, _("The whole network")))
    return parents


def snapshot_get(ref: ScopeRef) -> Snapshot | None:
    """The latest snapshot of the scope (None: never computed, or nothing there yet)."""
    return Snapshot.objects.filter(scope=ref.scope, scope_id=ref.scope_id).first()


@dataclass(frozen=True)
class Filters:
    """What a synthesis is narrowed to; empty fields do not filter."""

    year_from: int | None = None
    year_to: int | None = None
    question: str = ""
    profile: int | None = None
    language: str = ""

    @classmethod
    def from_cleaned(cls, data: dict) -> "Filters":
        """From a form's cleaned data (fields year_from, year_to, question, profile,
        language)."""
        return cls(
            year_from=data.get("year_from"),
            year_to=data.get("year_to"),
            question=data.get("question") or "",
            profile=data.get("profile"),
            language=data.get("language") or "",
        )

    def as_dict(self) -> dict:
        return {name: value for name, value in self.__dict__.items() if value not in (None, "")}


@dataclass
class ComponentFigures:
    component: Component
    total: int
    by_question: dict[str, int]
    share: float  # of the scope's total, 0–1


@dataclass
class FamilyFigures:
    family: Family
    total: int
    by_question: dict[str, int]
    share: float
    components: list[ComponentFigures] = field(default_factory=list)


@dataclass
class Figures:
    """A synthesis as pages and reports show it."""

    questions: list[Question]
    total: int
    by_question: dict[str, int]
    families: list[FamilyFigures]
    unmentioned: list[Component]
    groups_count: int
    participants: int  # of the groups behind that gave a number
    participants_unknown: int  # groups behind that gave none
    years: list[int]
    languages: list[str]
    profiles: list[int]

    @property
    def is_empty(self) -> bool:
        return self.total == 0

    @property
    def participants_text(self) -> str:
        """A phrase: "12 participants", "at least 12 participants" or "number of participants
        not given"."""
        return participants_text(self.participants, unknown=self.participants_unknown)

    @property
    def participants_figure(self) -> str:
        """The same under a "Participants" heading: "12", "at least 12", "not given"."""
        return participants_figure(self.participants, unknown=self.participants_unknown)


def _filtered(cube: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    if filters.year_from is not None:
        cube = cube[cube["year"] >= filters.year_from]
    if filters.year_to is not None:
        cube = cube[cube["year"] <= filters.year_to]
    if filters.question:
        cube = cube[cube["question"] == filters.question]
    if filters.profile is not None:
        cube = cube[cube["profile"] == filters.profile]
    if filters.language:
        cube = cube[cube["language"] == filters.language]
    return cube


def _groups_behind(groups: pd.DataFrame, filters: Filters) -> tuple[int, int, int]:
    """Homogeneous groups with criteria matching the filters (the question filter aside: the
    groups table does not split by question): how many, their participants, and how many gave
    no number of participants (0 in the table; a real group has at least one)."""
    if groups.empty:
        return 0, 0, 0
    keep = pd.Series(True, index=groups.index)
    if filters.year_from is not None or filters.year_to is not None:
        low = filters.year_from if filters.year_from is not None else -(10**6)
        high = filters.year_to if filters.year_to is not None else 10**6
        keep &= groups["years"].map(lambda years: any(low <= y <= high for y in years))
    if filters.profile is not None:
        keep &= groups["profile"] == filters.profile
    if filters.language:
        keep &= groups["languages"].map(lambda languages: filters.language in languages)
    participants = groups[keep]["participants"].fillna(0)
    return len(participants), int(participants.sum()), int((participants == 0).sum())


def figures_from(
    *, cube: dict, groups: dict, version: GridVersion, filters: Filters | None = None
) -> Figures:
    """The figures of a cube (a snapshot's or a report's frozen one) under filters: counts per
    family and component split by question, shares, unmentioned components, groups behind."""
    filters = filters or Filters()
    frame = compute.cube_frame(cube)
    years = sorted({int(y) for y in frame["year"]}) if not frame.empty else []
    languages = sorted(set(frame["language"])) if not frame.empty else []
    profiles = sorted({int(p) for p in frame["profile"]} - {0}) if not frame.empty else []
    frame = _filtered(frame, filters)
    counts = frame.groupby(["component", "question"])["count"].sum().to_dict()
    question_codes = sorted({q for _c, q in counts} | {"Q1", "Q2", "Q3"})
    questions = list(Question.objects.shared().filter(code__in=question_codes).order_by("order"))
    known = {q.code for q in questions}
    extra = [code for code in question_codes if code not in known]
    if extra:
        with cross_tenant():
            extras = Question.objects.filter(code__in=extra).order_by("order")[: len(extra)]
            questions += list(extras)
    if filters.question:
        questions = [q for q in questions if q.code == filters.question]
    total = int(sum(counts.values()))
    by_question = {q.code: 0 for q in questions}
    for (_component, question), count in counts.items():
        by_question[question] = by_question.get(question, 0) + int(count)
    families: list[FamilyFigures] = []
    unmentioned: list[Component] = []
    components = Component.objects.filter(version=version).select_related("family")
    by_family: dict[int, FamilyFigures] = {}
    for row in Family.objects.filter(version=version).order_by("order", "letter"):
        by_family[row.pk] = FamilyFigures(row, 0, {q.code: 0 for q in questions}, 0.0)
        families.append(by_family[row.pk])
    for component in components.order_by("family__order", "order", "code"):
        split = {q.code: int(counts.get((component.code, q.code), 0)) for q in questions}
        component_total = sum(split.values())
        if component_total == 0:
            if component.is_active:
                unmentioned.append(component)
            continue
        family = by_family[component.family_id]
        family.components.append(
            ComponentFigures(
                component, component_total, split, component_total / total if total else 0.0
            )
        )
        family.total += component_total
        for code, count in split.items():
            family.by_question[code] += count
    for family in families:
        family.share = family.total / total if total else 0.0
    groups_count, participants, participants_unknown = _groups_behind(
        compute.groups_frame(groups), filters
    )
    return Figures(
        questions=questions,
        total=total,
        by_question=by_question,
        families=families,
        unmentioned=unmentioned,
        groups_count=groups_count,
        participants=participants,
        participants_unknown=participants_unknown,
        years=years,
        languages=languages,
        profiles=profiles,
    )


def synthesis_figures(snapshot: Snapshot, filters: Filters | None = None) -> Figures:
    return figures_from(
        cube=snapshot.cube, groups=snapshot.groups, version=snapshot.grid_version, filters=filters
    )


def profile_choices(ids: list[int]) -> list[Profile]:
    return list(Profile.objects.filter(pk__in=ids).order_by("order", "name"))


def synthesis_criteria(
    *, ref: ScopeRef, component: Component, filters: Filters, page: str | int | None = None
) -> Page:
    """The criteria texts behind one component of a scope (drill-down), paginated: published
    criteria only (classified, groups not hidden above the coordination-group level)."""
    with cross_tenant():
        criteria: QuerySet[Criterion] = Criterion.objects.filter(
            status=Criterion.Status.CLASSIFIED, component=component
        )
        if ref.scope == Scope.HOMOGENEOUS_GROUP:
            criteria = criteria.filter(group_id=ref.scope_id)
        elif ref.scope == Scope.COORDINATION_GROUP:
            criteria = criteria.filter(tenant_id=ref.scope_id)
        else:
            criteria = criteria.filter(tenant__is_hidden=False)
            lookup = compute.PLACE_LOOKUPS.get(ref.scope)
            if lookup:
                criteria = criteria.filter(**{f"tenant__{lookup}": ref.scope_id})
        if filters.year_from is not None:
            criteria = criteria.filter(session_date__year__gte=filters.year_from)
        if filters.year_to is not None:
            criteria = criteria.filter(session_date__year__lte=filters.year_to)
        if filters.question:
            criteria = criteria.filter(question__code=filters.question)
        if filters.profile is not None:
            criteria = criteria.filter(group__profile_id=filters.profile)
        if filters.language:
            criteria = criteria.filter(language=filters.language)
        criteria = criteria.select_related("question").only(
            "id", "text", "language", "session_date", "question__code", "question__short_names"
        )
        paginator = Paginator(criteria.order_by("-session_date", "id"), CRITERIA_PER_PAGE)
        result = paginator.get_page(page)
        result.object_list = list(result.object_list)
    return result


def synthesis_page_get(ref: ScopeRef) -> SynthesisPage | None:
    return (
        SynthesisPage.objects.select_related("page", "page__space", "page__current_revision")
        .filter(scope=ref.scope, scope_id=ref.scope_id)
        .first()
    )


def report_list(ref: ScopeRef) -> QuerySet[Report]:
    return Report.objects.filter(scope=ref.scope, scope_id=ref.scope_id)


def group_synthesis_states(
    *, tenants: list[CoordinationGroup]
) -> tuple[dict[int, Snapshot], set[int]]:
    """For coordination groups: their synthesis snapshot by group id (when it was computed,
    how many criteria; the cube left out) and the ids of those waiting to be recomputed. Two
    queries for every group, on the (scope, scope_id) unique indexes."""
    ids = [tenant.pk for tenant in tenants]
    if not ids:
        return {}, set()
    snapshots = Snapshot.objects.filter(scope=Scope.COORDINATION_GROUP, scope_id__in=ids).only(
        "pk", "scope", "scope_id", "criteria_count", "groups_count", "computed_at"
    )
    pending = PendingScope.objects.filter(
        scope=Scope.COORDINATION_GROUP, scope_id__in=ids
    ).values_list("scope_id", flat=True)
    return {snapshot.scope_id: snapshot for snapshot in snapshots}, set(pending)
