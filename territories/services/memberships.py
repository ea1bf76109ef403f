"""Who holds which role in a coordination group."""

from django.db import transaction
from django.utils.translation import gettext as _

from territories.models import (
    CoordinationGroup,
    Membership,
)
from territories.services._common import TerritoryError, coordination_group_lock
from wikispiral.accounts.models import User
from wikispiral.audit.services import audit_record
from wikispiral.wiki import caching


def membership_set(*, group: CoordinationGroup, user: User, role: str) -> Membership:
    """Give user this role in group (or change it)."""
    if role not in Membership.Role.values:
        raise TerritoryError(_("Unknown role."), "role")
    membership, _created = Membership.objects.with_scope(tenant=group).update_or_create(
        tenant=group, user=user, defaults={"role": role}
    )
    _roles_changed(group)
    return membership


def membership_remove(*, group: CoordinationGroup, user: User) -> None:
    Membership.objects.with_scope(tenant=group).filter(tenant=group, user=user).delete()
    _roles_changed(group)


def _roles_changed(group: CoordinationGroup) -> None:
    # Cached page copies of logged-in readers assume the roles they were built with.
    caching.invalidate(space_slug=group.space.slug)


def _is_last_facilitator(group: CoordinationGroup, membership: Membership) -> bool:
    return (
        membership.role == Membership.Role.FACILITATOR
        and not Membership.objects.with_scope(tenant=group)
        .filter(tenant=group, role=Membership.Role.FACILITATOR)
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def membership_role_change(
    *, actor: User, group: CoordinationGroup, user: User, role: str
) -> Membership:
    """Give a member of group another role; the last facilitator cannot be demoted."""
    group = coordination_group_lock(group)
    membership = Membership.objects.with_scope(tenant=group).filter(tenant=group, user=user).first()
    if membership is None:
        raise TerritoryError(_("This person is not a member of the group."))
    if role not in Membership.Role.values:
        raise TerritoryError(_("Unknown role."), "role")
    if membership.role == role:
        return membership
    if role != Membership.Role.FACILITATOR and _is_last_facilitator(group, membership):
        raise TerritoryError(
            _(
                "%(name)s is the group's only facilitator. Make someone else facilitator "
                "first: a group always needs one."
            )
            % {"name": user.public_name},
            "role",
        )
    old_role = membership.role
    membership = membership_set(group=group, user=user, role=role)
    audit_record(
        actor=actor,
        action="territories.membership.changed",
        target=membership,
        tenant_id=group.pk,
        user_id=user.pk,
        old_role=old_role,
        role=role,
    )
    return membership


@transaction.atomic
def membership_end(*, actor: User, group: CoordinationGroup, user: User) -> None:
    """Remove user from group; the last facilitator cannot be removed."""
    group = coordination_group_lock(group)
    membership = Membership.objects.with_scope(tenant=group).filter(tenant=group, user=user).first()
    if membership is None:
        raise TerritoryError(_("This person is not a member of the group."))
    if _is_last_facilitator(group, membership):
        raise TerritoryError(
            _(
                "%(name)s is the group's only facilitator and cannot be removed. Make someone "
                "else facilitator first."
            )
            % {"name": user.public_name}
        )
    audit_record(
        actor=actor,
        action="territories.membership.removed",
        target=membership,
        tenant_id=group.pk,
        user_id=user.pk,
        role=membership.role,
    )
    membership_remove(group=group, user=user)
