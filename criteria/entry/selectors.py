"""Reading for the fast-entry page: each query shaped so a page or an answer costs the same
whether the coordination group holds twenty criteria or twenty thousand."""

from collections import defaultdict

from criteria.models import Component, Criterion, Question
from criteria.selectors import criterion_list, question_list
from territories.models import CoordinationGroup, HomogeneousGroup


def entry_criteria_by_question(
    *, tenant: CoordinationGroup, group: HomogeneousGroup
) -> dict[int, list[Criterion]]:
    """The group's criteria per question id, oldest first, with their component (one query)."""
    by_question: dict[int, list[Criterion]] = defaultdict(list)
    criteria = (
        criterion_list(tenant=tenant, group=group)
        .select_related("component")
        .order_by("created_at", "id")
    )
    for criterion in criteria:
        by_question[criterion.question_id].append(criterion)
    return by_question


def entry_count(*, tenant: CoordinationGroup, group: HomogeneousGroup, question_id: int) -> int:
    """How many criteria group has for one question (one indexed count)."""
    return criterion_list(tenant=tenant, group=group).filter(question_id=question_id).count()


def entry_question_get(*, tenant: CoordinationGroup, pk: int) -> Question | None:
    """An active question asked in tenant (the network's or its own), or None."""
    return question_list(tenant=tenant).filter(pk=pk).first()


def entry_component_get(*, code: str) -> Component | None:
    """The component with code in the current grid, with its version (one query), or None."""
    return (
        Component.objects.select_related("version", "family")
        .filter(version__is_current=True, code=code.strip().upper())
        .first()
    )


def entry_criteria_get(
    *, tenant: CoordinationGroup, group: HomogeneousGroup, ids: list[int]
) -> list[Criterion]:
    """The criteria of group among ids (others, and ids that no longer exist, are left out)."""
    return list(criterion_list(tenant=tenant, group=group).filter(pk__in=ids).order_by("id"))
