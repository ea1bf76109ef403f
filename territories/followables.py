"""Coordination groups as followable things ("group", key: the group's id), for the
notifications engine: a group's page or profile updated, a homogeneous group formed in it.

A group the secretariat hid is seen by its members and the network staff only, as its pages
are (tenant_required(public=True)); the others by everyone.
"""

from collections.abc import Collection, Mapping

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from territories.models import CoordinationGroup, Membership
from wikispiral.accounts.models import User
from wikispiral.notifications.registry import (
    AnyUser,
    Described,
    Followable,
    int_keys,
    staff_ids,
)
from wikispiral.tenancy import cross_tenant

GROUP = "group"


def group_url(group: CoordinationGroup) -> str:
    return reverse("directory:group", kwargs={"cg": group.slug})


def _groups(keys: Collection[str]) -> list[CoordinationGroup]:
    ids = int_keys(keys)
    if not ids:
        return []
    return list(
        CoordinationGroup.objects.filter(pk__in=ids).only("pk", "name", "slug", "is_hidden")
    )


def _describe(keys: Collection[str]) -> dict[str, Described]:
    return {str(group.pk): Described(group.name, group_url(group)) for group in _groups(keys)}


def _public(keys: Collection[str]) -> set[str]:
    ids = int_keys(keys)
    if not ids:
        return set()
    found = CoordinationGroup.objects.filter(pk__in=ids, is_hidden=False)
    return {str(pk) for pk in found.values_list("pk", flat=True)}


def _visible(user: AnyUser, keys: Collection[str]) -> set[str]:
    groups = _groups(keys)
    if user.is_authenticated and user.is_network_staff:
        return {str(group.pk) for group in groups}
    hidden = [group.pk for group in groups if group.is_hidden]
    member_of: set[int] = set()
    if hidden and user.is_authenticated:
        # The hidden ones she belongs to (one query, across the groups named).
        with cross_tenant():
            member_of = set(
                Membership.objects.filter(user_id=user.pk, tenant_id__in=hidden).values_list(
                    "tenant_id", flat=True
                )
            )
    return {str(group.pk) for group in groups if not group.is_hidden or group.pk in member_of}


def memberships_among(
    user_ids: Collection[int], tenant_ids: Collection[int]
) -> set[tuple[int, int]]:
    """{(user id, group id)} of these people belonging to these groups (one query, across
    them): who may still see a hidden group, its pages, its scopes, its actions."""
    if not user_ids or not tenant_ids:
        return set()
    with cross_tenant():
        return set(
            Membership.objects.filter(user_id__in=user_ids, tenant_id__in=tenant_ids).values_list(
                "user_id", "tenant_id"
            )
        )


def _visible_many(wanted: Mapping[int, set[str]], users: Mapping[int, User]) -> dict[int, set[str]]:
    groups = {str(group.pk): group for group in _groups(set().union(*wanted.values()))}
    staff = staff_ids(users, wanted)
    hidden = {group.pk for group in groups.values() if group.is_hidden}
    members = memberships_among(set(wanted) - staff, hidden)
    return {
        user_id: {
            key
            for key in keys
            if key in groups
            and (
                user_id in staff
                or not groups[key].is_hidden
                or (user_id, groups[key].pk) in members
            )
        }
        for user_id, keys in wanted.items()
    }


def coordination_group_space_members(
    user_ids: Collection[int], space_ids: Collection[int]
) -> set[tuple[int, int]]:
    """For the wiki (register_space_members): {(user id, space id)} of these people holding a
    role in the groups owning these spaces (one query)."""
    with cross_tenant():
        return set(
            Membership.objects.filter(
                user_id__in=user_ids, tenant__space_id__in=space_ids
            ).values_list("user_id", "tenant__space_id")
        )


GROUP_FOLLOWABLE = Followable(
    kind=GROUP,
    label=_("Coordination group"),
    follow_label=_("Follow this group"),
    following_label=_("You follow this group."),
    describe=_describe,
    visible_keys=_visible,
    public_keys=_public,
    visible_keys_many=_visible_many,
    verbs={
        "updated": _("Its description was updated"),
        "homogeneous_group": _("A homogeneous group was formed"),
    },
)
