"""Reading the classification queue and a criterion's history."""

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from criteria.models import Classification, Criterion, Question
from criteria.selectors import criterion_list
from territories.models import CoordinationGroup, HomogeneousGroup
from wikispiral.tenancy import cross_tenant

QUEUE_STATUSES = (Criterion.Status.UNCLASSIFIED, Criterion.Status.DISPUTED)


def homogeneous_group_choices(*, tenant: CoordinationGroup) -> list[HomogeneousGroup]:
    """The tenant's homogeneous groups by name (what the queue can be narrowed to)."""
    return list(
        HomogeneousGroup.objects.filter(tenant=tenant).only("pk", "slug", "name").order_by("name")
    )


def _latest_dispute_note(tenant: CoordinationGroup) -> Subquery:
    return Subquery(
        Classification.objects.filter(
            tenant=tenant, criterion=OuterRef("pk"), status=Criterion.Status.DISPUTED
        )
        .order_by("-created_at", "-id")
        .values("note")[:1]
    )


def queue_list(
    *,
    tenant: CoordinationGroup,
    status: str = "",
    group: HomogeneousGroup | None = None,
    question: Question | None = None,
    with_authors: bool = False,
) -> QuerySet[Criterion]:
    """The tenant's criteria waiting for a decision (unclassified and disputed, or one of the
    two), oldest first, with what a queue item shows; the latest dispute note rides along as
    `dispute_note` (a subquery, not a query per item).

    The filters match the index criteria_queue (tenant, status, created_at)."""
    statuses: list[str] = [status] if status in QUEUE_STATUSES else list(QUEUE_STATUSES)
    related = ["group", "question", "component"]
    if with_authors:
        related.append("entered_by")
    return (
        criterion_list(tenant=tenant, group=group, question=question, status=statuses)
        .select_related(*related)
        .annotate(dispute_note=_latest_dispute_note(tenant))
        # The partial index criteria_waiting (tenant, created_at, id) holds exactly the rows
        # waiting, in this order: the page is read off the index, whatever the group's size.
        .order_by("created_at", "id")
    )


def criterion_get(*, tenant: CoordinationGroup, pk: int, with_authors: bool) -> Criterion | None:
    """One of the tenant's criteria with what its page shows (None when not the tenant's)."""
    related = ["group", "question", "component", "component__family"]
    if with_authors:
        related += ["entered_by", "classified_by"]
    return (
        criterion_list(tenant=tenant)
        .select_related(*related)
        .annotate(dispute_note=_latest_dispute_note(tenant))
        .filter(pk=pk)
        .first()
    )


def classification_history(
    *, tenant: CoordinationGroup, criterion: Criterion, with_authors: bool
) -> list[Classification]:
    """A criterion's classification steps, oldest first."""
    related = ["component"]
    if with_authors:
        related.append("actor")
    return list(
        Classification.objects.filter(tenant=tenant, criterion=criterion)
        .select_related(*related)
        .order_by("created_at", "id")
    )


def waiting_counts(*, tenants: list[CoordinationGroup]) -> dict[int, dict[str, int]]:
    """Per coordination group id: how many criteria wait for a decision ("waiting", of which
    "disputed"); groups with none are left out. One query for every tenant, read off the
    partial index criteria_waiting."""
    if not tenants:
        return {}
    with cross_tenant():
        rows = (
            Criterion.objects.filter(tenant__in=tenants, status__in=QUEUE_STATUSES)
            .order_by()
            .values("tenant_id")
            .annotate(
                waiting=Count("pk"),
                disputed=Count("pk", filter=Q(status=Criterion.Status.DISPUTED)),
            )
        )
        return {
            row["tenant_id"]: {"waiting": row["waiting"], "disputed": row["disputed"]}
            for row in rows
        }
