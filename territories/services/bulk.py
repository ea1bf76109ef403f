"""Bulk loads of generated coordination groups (criteria's demo network): rows the caller
built, inserted in batches without the per-row checks, hooks and audit of the other services,
and their removal. They span many groups, so they cross tenants."""

from collections.abc import Iterable, Sequence

from territories.models import CoordinationGroup, HomogeneousGroup, Membership
from wikispiral.accounts.models import User
from wikispiral.tenancy import cross_tenant


def coordination_groups_bulk_create(
    *, groups: list[CoordinationGroup], batch_size: int
) -> list[CoordinationGroup]:
    """Insert groups (built with their places and space) in batches; they get their keys."""
    return CoordinationGroup.objects.bulk_create(groups, batch_size=batch_size)


def homogeneous_groups_bulk_create(
    *, groups: list[HomogeneousGroup], batch_size: int
) -> list[HomogeneousGroup]:
    """Insert homogeneous groups (built with their tenant) in batches; they get their keys."""
    with cross_tenant():
        return HomogeneousGroup.objects.bulk_create(groups, batch_size=batch_size)


def facilitators_bulk_add(*, groups: Iterable[CoordinationGroup], user: User) -> None:
    """Make user a facilitator of every group; a membership that exists is left as it is."""
    memberships = [
        Membership(tenant=group, user=user, role=Membership.Role.FACILITATOR) for group in groups
    ]
    with cross_tenant():
        Membership.objects.bulk_create(memberships, ignore_conflicts=True)


def demo_groups_delete(*, ids: Sequence[int]) -> None:
    """Delete these demo coordination groups, their homogeneous groups first, each in one
    statement (the caller deletes what other apps hang on them before). For the demo data
    generator only: no hooks, no audit, no checks."""
    with cross_tenant():
        HomogeneousGroup.objects.filter(tenant_id__in=ids).delete()
        CoordinationGroup.objects.filter(pk__in=ids).delete()
