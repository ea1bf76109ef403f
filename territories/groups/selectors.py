"""Reads about a person's coordination groups, across the groups she belongs to.

A person's groups are many tenants at once: these reads cross tenants on purpose, and each
narrows itself to the groups (or the person) it is given.
"""

from django.db.models import Count
from django.utils import timezone

from territories.models import CoordinationGroup, HomogeneousGroup, Invitation, Membership
from wikispiral.accounts.models import User
from wikispiral.tenancy import cross_tenant


def membership_list(*, user: User) -> list[Membership]:
    """Every membership of user, with its coordination group, by the group's name (one
    query)."""
    with cross_tenant():
        return list(
            Membership.objects.filter(user=user)
            .select_related("tenant")
            .order_by("tenant__name", "tenant_id")
        )


def facilitated_homogeneous_groups(*, user: User, limit: int = 20) -> list[HomogeneousGroup]:
    """The homogeneous groups user is named a facilitator of, with their coordination group,
    newest first (one query)."""
    with cross_tenant():
        return list(
            HomogeneousGroup.objects.filter(facilitators=user)
            .select_related("tenant")
            .only("pk", "name", "slug", "tenant__name", "tenant__slug", "tenant__is_hidden")
            .order_by("-created_at", "-pk")[:limit]
        )


def invitation_pending_counts(*, groups: list[CoordinationGroup]) -> dict[int, int]:
    """How many invitations of each of groups still have a working link, by group id (one
    query, whatever the number of groups)."""
    if not groups:
        return {}
    with cross_tenant():
        rows = (
            Invitation.objects.filter(
                tenant__in=groups,
                accepted_at__isnull=True,
                revoked_at__isnull=True,
                expires_at__gt=timezone.now(),
            )
            .order_by()
            .values_list("tenant_id")
            .annotate(count=Count("pk"))
        )
        return dict(rows)
