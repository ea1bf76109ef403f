"""Co-responsibility actions as followable things ("action", key: the action's id), for the
notifications engine: published, its state changed, a pledge made.

Who may see an action is the actions' own rule (projects.permissions): a published action of a
group that is not hidden, anyone; a draft, or any action of a hidden group, the group's members
and the network staff only.
"""

from collections.abc import Collection, Mapping

from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from projects.models import Action, ParticipantMember
from projects.scopes import across_participants
from territories.followables import memberships_among
from wikispiral.accounts.models import User
from wikispiral.notifications.registry import (
    AnyUser,
    Described,
    Followable,
    int_keys,
    staff_ids,
)
from wikispiral.tenancy import cross_tenant

ACTION = "action"


def action_path(action: Action) -> str:
    return reverse("actions:detail", kwargs={"cg": action.tenant.slug, "action": action.pk})


def _actions(keys: Collection[str]) -> list[Action]:
    ids = int_keys(keys)
    if not ids:
        return []
    with cross_tenant():
        return list(
            Action.objects.filter(pk__in=ids)
            .select_related("tenant")
            .only("pk", "title", "published", "tenant__slug", "tenant__is_hidden")
        )


def _describe(keys: Collection[str]) -> dict[str, Described]:
    return {
        str(action.pk): Described(action.title, action_path(action)) for action in _actions(keys)
    }


def _public(keys: Collection[str]) -> set[str]:
    return {
        str(action.pk)
        for action in _actions(keys)
        if action.published and not action.tenant.is_hidden
    }


def _visible(user: AnyUser, keys: Collection[str]) -> set[str]:
    actions = _actions(keys)
    if user.is_authenticated and user.is_network_staff:
        return {str(action.pk) for action in actions}
    private = {
        action.tenant_id for action in actions if not action.published or action.tenant.is_hidden
    }
    member_of: set[int] = set()
    if private and user.is_authenticated:
        member_of = {tenant_id for _user, tenant_id in memberships_among({user.pk}, private)}
    return {
        str(action.pk)
        for action in actions
        if (action.published and not action.tenant.is_hidden) or action.tenant_id in member_of
    }


def _visible_many(wanted: Mapping[int, set[str]], users: Mapping[int, User]) -> dict[int, set[str]]:
    actions = {str(action.pk): action for action in _actions(set().union(*wanted.values()))}
    staff = staff_ids(users, wanted)
    private = {
        action.tenant_id
        for action in actions.values()
        if not action.published or action.tenant.is_hidden
    }
    members = memberships_among(set(wanted) - staff, private)

    def may_see(user_id: int, action: Action) -> bool:
        public = action.published and not action.tenant.is_hidden
        return public or user_id in staff or (user_id, action.tenant_id) in members

    return {
        user_id: {key for key in keys if key in actions and may_see(user_id, actions[key])}
        for user_id, keys in wanted.items()
    }


def participant_space_members(
    user_ids: Collection[int], space_ids: Collection[int]
) -> set[tuple[int, int]]:
    """For the wiki (register_space_members): {(user id, space id)} of these people holding a
    role in the participants owning these spaces (one query)."""
    with across_participants():
        return set(
            ParticipantMember.objects.filter(
                user_id__in=user_ids, participant__space_id__in=space_ids
            ).values_list("user_id", "participant__space_id")
        )


ACTION_FOLLOWABLE = Followable(
    kind=ACTION,
    label=_("Co-responsibility action"),
    follow_label=_("Follow this action"),
    following_label=_("You follow this action."),
    describe=_describe,
    visible_keys=_visible,
    public_keys=_public,
    visible_keys_many=_visible_many,
    verbs={
        "published": _("Published"),
        "pledge": _("A pledge was made"),
        **{
            f"state:{value}": format_lazy("{}: {}", _("New state"), label)
            for value, label in Action.Status.choices
        },
    },
)
