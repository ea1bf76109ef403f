"""Reading for the fast-entry page: each query shaped so a page or an answer costs the same
whether the coordination group holds twenty criteria or twenty thousand."""

from collections import defaultdict

from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber

from criteria.models import Component, Criterion, Question
from criteria.selectors import criterion_list, question_list
from territories.models import CoordinationGroup, HomogeneousGroup


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


def entry_counts(*, tenant: CoordinationGroup, group: HomogeneousGroup) -> dict[int, int]:
    """How many criteria group has per question id (one grouped count)."""
    rows = (
        criterion_list(tenant=tenant, group=group)
        .order_by()
        .values("question_id")
        .annotate(total=Count("id"))
    )
    return {row["question_id"]: row["total"] for row in rows}


def entry_latest_by_question(
    *, tenant: CoordinationGroup, group: HomogeneousGroup, shown: int
) -> dict[int, list[Criterion]]:
    """The latest `shown` criteria of group per question id, oldest first, with their component
    (one query, a window per question: the page costs the same whatever the group's size)."""
    latest = Window(
        RowNumber(),
        partition_by=[F("question_id")],
        order_by=[F("created_at").desc(), F("id").desc()],
    )
    criteria = (
        criterion_list(tenant=tenant, group=group)
        .select_related("component")
        .annotate(latest=latest)
        .filter(latest__lte=shown)
        .order_by("created_at", "id")
    )
    by_question: dict[int, list[Criterion]] = defaultdict(list)
    for criterion in criteria:
        by_question[criterion.question_id].append(criterion)
    return by_question


def entry_question_criteria(
    *,
    tenant: CoordinationGroup,
    group: HomogeneousGroup,
    question_id: int,
    before: int | None = None,
) -> list[Criterion]:
    """Every criterion of group for one question, oldest first, with its component; with
    before (a criterion's id), only those listed before it. If that criterion is gone (removed
    meanwhile), those with a smaller id: ids grow as criteria are entered."""
    criteria = (
        criterion_list(tenant=tenant, group=group)
        .filter(question_id=question_id)
        .select_related("component")
        .order_by("created_at", "id")
    )
    if before is not None:
        mark = criteria.filter(pk=before).values_list("created_at", flat=True).first()
        if mark is None:
            criteria = criteria.filter(pk__lt=before)
        else:
            criteria = criteria.filter(Q(created_at__lt=mark) | Q(created_at=mark, pk__lt=before))
    return list(criteria)
