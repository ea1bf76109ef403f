"""Reads for the secretariat's pages and the public member directory.

The secretariat reads across coordination groups by design: its views run inside
`cross_tenant()` (see territories.permissions.secretariat_required).
"""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from territories.models import (
    Application,
    Continent,
    CoordinationGroup,
    Country,
    NetworkMember,
    Profile,
)
from wikispiral.audit.models import AuditEntry
from wikispiral.audit.selectors import audit_list

GROUP_STATES = ("awaiting", "hidden", "all")
RECENT_AUDIT_ENTRIES = 10


@dataclass(frozen=True)
class DashboardCounts:
    applications_awaiting: int
    groups_awaiting_validation: int
    groups_hidden: int


def dashboard_counts() -> DashboardCounts:
    """What waits for the secretariat (three counts, two queries)."""
    groups = CoordinationGroup.objects.aggregate(
        awaiting=Count("pk", filter=Q(status=CoordinationGroup.Status.ACTIVE, is_hidden=False)),
        hidden=Count("pk", filter=Q(is_hidden=True)),
    )
    return DashboardCounts(
        applications_awaiting=Application.objects.filter(
            status=Application.Status.SUBMITTED
        ).count(),
        groups_awaiting_validation=groups["awaiting"],
        groups_hidden=groups["hidden"],
    )


def group_moderation_list(
    *, state: str = "awaiting", kind: str = "", country: str = "", query: str = ""
) -> QuerySet[CoordinationGroup]:
    """Groups for moderation. state: "awaiting" (status active, not hidden), "hidden" or "all";
    kind a CoordinationGroup.Kind value; country an ISO code; query a part of the name or the
    network id."""
    groups = CoordinationGroup.objects.select_related("country")
    if state == "awaiting":
        groups = groups.filter(status=CoordinationGroup.Status.ACTIVE, is_hidden=False)
    elif state == "hidden":
        groups = groups.filter(is_hidden=True)
    if kind:
        groups = groups.filter(kind=kind)
    if country:
        groups = groups.filter(country__code=country)
    if query:
        groups = groups.filter(Q(name__icontains=query) | Q(network_id__iexact=query))
    return groups.order_by("name", "pk")


def group_get(*, slug: str) -> CoordinationGroup | None:
    return CoordinationGroup.objects.select_related("space", "country").filter(slug=slug).first()


def group_moderation_history(*, group: CoordinationGroup) -> QuerySet[AuditEntry]:
    """Every audit entry about this group, newest first."""
    return audit_list(target=group)


def countries_with_groups() -> QuerySet[Country]:
    return Country.objects.filter(coordinationgroup__isnull=False).distinct().order_by("name")


def continent_list() -> QuerySet[Continent]:
    return Continent.objects.order_by("code")


def profile_list() -> QuerySet[Profile]:
    """Every group profile, offered or not, in display order."""
    return Profile.objects.order_by("order", "name")


def network_member_list(
    *,
    kind: str = "",
    nature: str = "",
    country: str = "",
    query: str = "",
    listed_only: bool = True,
) -> QuerySet[NetworkMember]:
    """Members of the network, by kind then name. Members standing for a hidden coordination
    group are never listed, whatever their own flag says."""
    members = NetworkMember.objects.select_related("country", "coordination_group")
    if listed_only:
        members = members.filter(is_listed=True).filter(
            Q(coordination_group__isnull=True) | Q(coordination_group__is_hidden=False)
        )
    if kind:
        members = members.filter(kind=kind)
    if nature:
        members = members.filter(nature=nature)
    if country:
        members = members.filter(country__code=country)
    if query:
        members = members.filter(name__icontains=query)
    return members.order_by("kind", "name", "pk")


def network_member_countries() -> QuerySet[Country]:
    """Countries that listed members belong to (for the directory's filter)."""
    return (
        Country.objects.filter(networkmember__is_listed=True)
        .filter(
            Q(networkmember__coordination_group__isnull=True)
            | Q(networkmember__coordination_group__is_hidden=False)
        )
        .distinct()
        .order_by("name")
    )


def network_member_get(*, pk: int) -> NetworkMember | None:
    members = NetworkMember.objects.select_related("coordination_group", "country")
    return members.filter(pk=pk).first()


def audit_prefixes() -> list[str]:
    """The action prefixes in use ("territories", "territories.application"…), sorted."""
    prefixes: set[str] = set()
    # order_by(): the model's default ordering would add its columns to the DISTINCT.
    for action in AuditEntry.objects.order_by().values_list("action", flat=True).distinct():
        parts = action.split(".")
        for size in range(1, len(parts)):
            prefixes.add(".".join(parts[:size]))
    return sorted(prefixes)


def audit_search(*, action_prefix: str = "", text: str = "") -> QuerySet[AuditEntry]:
    """Audit entries, newest first, whose action starts with action_prefix and whose action,
    object, actor or details contain text."""
    entries = audit_list(action_prefix=action_prefix)
    if text:
        entries = entries.filter(
            Q(action__icontains=text)
            | Q(target_label__icontains=text)
            | Q(actor__username__icontains=text)
            | Q(actor__display_name__icontains=text)
        )
    return entries


def audit_recent(*, limit: int = RECENT_AUDIT_ENTRIES) -> list[AuditEntry]:
    return list(audit_list()[:limit])
