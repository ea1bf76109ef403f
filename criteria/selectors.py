"""Reading the grid, the questions and criteria."""

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from criteria.models import Component, Criterion, Family, GridVersion, Question, SenseCategory
from territories.models import CoordinationGroup, HomogeneousGroup
from wikispiral.tenancy import cross_tenant


def grid_current() -> GridVersion:
    """The current grid version (there is always one: the seed grid is loaded by migration)."""
    return GridVersion.objects.get(is_current=True)


def family_list(*, version: GridVersion | None = None) -> QuerySet[Family]:
    version = version or grid_current()
    return Family.objects.filter(version=version).order_by("order", "letter")


def component_list(
    *, version: GridVersion | None = None, active_only: bool = True
) -> QuerySet[Component]:
    """Components of version (the current one by default) in grid order, with their family."""
    version = version or grid_current()
    components = Component.objects.filter(version=version).select_related("family")
    if active_only:
        components = components.filter(is_active=True)
    return components.order_by("family__order", "order", "code")


def component_by_code(*, code: str, version: GridVersion | None = None) -> Component | None:
    version = version or grid_current()
    return Component.objects.filter(version=version, code=code.strip().upper()).first()


def sense_list() -> QuerySet[SenseCategory]:
    return SenseCategory.objects.all()


def question_list(
    *, tenant: CoordinationGroup | None = None, active_only: bool = True
) -> QuerySet[Question]:
    """The network's questions, then the coordination group's own, in order."""
    if tenant is None:
        questions = Question.objects.shared()
    else:
        # The group's scope shows its own questions and the network's.
        questions = Question.objects.with_scope(tenant=tenant).all()
    if active_only:
        questions = questions.filter(is_active=True)
    return questions.order_by(F("tenant_id").asc(nulls_first=True), "order", "code")


def criterion_list(
    *,
    tenant: CoordinationGroup,
    group: HomogeneousGroup | None = None,
    question: Question | None = None,
    status: str | list[str] | None = None,
) -> QuerySet[Criterion]:
    """The tenant's criteria, narrowed by group, question and status (one or several)."""
    criteria = Criterion.objects.filter(tenant=tenant)
    if group is not None:
        criteria = criteria.filter(group=group)
    if question is not None:
        criteria = criteria.filter(question=question)
    if isinstance(status, str):
        criteria = criteria.filter(status=status)
    elif status:
        criteria = criteria.filter(status__in=status)
    return criteria


def component_choices(
    *, version: GridVersion | None = None
) -> list[tuple[Family, list[Component]]]:
    """The active components of version grouped by family, in grid order (two queries): what
    a component picker lists."""
    families = {family.pk: (family, []) for family in family_list(version=version)}
    for component in component_list(version=version):
        families[component.family_id][1].append(component)
    return [entry for entry in families.values() if entry[1]]


def criteria_counts(*, tenant: CoordinationGroup, group: HomogeneousGroup | None = None) -> dict:
    """Criteria of tenant (or of one of its groups): total, classified and waiting (unclassified
    or disputed), in one query."""
    criteria = Criterion.objects.filter(tenant=tenant)
    if group is not None:
        criteria = criteria.filter(group=group)
    return criteria.aggregate(
        total=Count("pk"),
        classified=Count("pk", filter=Q(status=Criterion.Status.CLASSIFIED)),
        waiting=Count("pk", filter=~Q(status=Criterion.Status.CLASSIFIED)),
    )


def criterion_group_by_external_key(*, keys: list[str]) -> HomogeneousGroup | None:
    """The homogeneous group of the criterion imported under one of these external keys, in
    any coordination group (an old site's link to a criterion), or None."""
    with cross_tenant():
        found = (
            Criterion.objects.filter(external_key__in=keys)
            .select_related("group")
            .order_by("pk")
            .first()
        )
    return found.group if found is not None else None


def homogeneous_groups_without_criteria(
    *, tenants: list[CoordinationGroup]
) -> list[HomogeneousGroup]:
    """The homogeneous groups of tenants that have no criterion yet, by coordination group then
    name (one query for every tenant; the index criteria_group_q answers each "any criterion?")."""
    if not tenants:
        return []
    with cross_tenant():
        has_criteria = Criterion.objects.filter(group=OuterRef("pk"))
        return list(
            HomogeneousGroup.objects.filter(tenant__in=tenants)
            .filter(~Exists(has_criteria))
            .only("pk", "name", "slug", "tenant_id")
            .order_by("tenant_id", "name", "pk")
        )
