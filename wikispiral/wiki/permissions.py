"""Who may do what with wiki pages: `can_<verb>(user, obj) -> bool`, nothing else.

The network space is open to every registered person whose email is confirmed (as MediaWiki is
to registered users), protected pages excepted. Other spaces belong to a coordination group, a
group or a participant: the app that owns them registers who holds which role there
(`register_space_roles`), so the engine never imports them. Roles: "facilitator" (edits and
manages pages), "editor" (edits), "member" (reads drafts).
"""

from collections.abc import Callable, Collection

from django.contrib.auth.models import AnonymousUser

from wikispiral.accounts.models import User
from wikispiral.accounts.permissions import can_edit_wiki
from wikispiral.wiki.models import Page, Space

AnyUser = User | AnonymousUser
SpaceRoles = Callable[[User, Space], frozenset[str]]

_role_providers: dict[str, SpaceRoles] = {}
EDIT_ROLES = frozenset({"facilitator", "editor"})


def register_space_roles(kind: str, provider: SpaceRoles) -> None:
    """Tell the engine who holds roles in spaces of this kind (called from AppConfig.ready)."""
    _role_providers[kind] = provider


# For many people and spaces of a kind at once: {(user id, space id)} of those who hold any role
# there (the notifications' digest checks who may still read a private space's pages).
SpaceMembers = Callable[[Collection[int], Collection[int]], set[tuple[int, int]]]
_member_providers: dict[str, SpaceMembers] = {}


def register_space_members(kind: str, provider: SpaceMembers) -> None:
    """Tell the engine, in bulk, who holds a role in spaces of this kind (AppConfig.ready)."""
    _member_providers[kind] = provider


def space_members(
    kind: str, user_ids: Collection[int], space_ids: Collection[int]
) -> set[tuple[int, int]] | None:
    """{(user id, space id)} of these people holding a role in these spaces of kind, in one
    query; None when the app owning that kind registered no bulk answer."""
    provider = _member_providers.get(kind)
    if provider is None:
        return None
    if not user_ids or not space_ids:
        return set()
    return provider(user_ids, space_ids)


def space_roles(user: AnyUser, space: Space) -> frozenset[str]:
    """The roles this user holds in this space, remembered on the user for the request."""
    provider = _role_providers.get(space.kind)
    if provider is None or not user.is_authenticated:
        return frozenset()
    remembered = user.__dict__.setdefault("_space_roles", {})
    if space.pk not in remembered:
        remembered[space.pk] = provider(user, space)
    return remembered[space.pk]


def _is_staff(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_network_staff)


def is_outsider(user: AnyUser, space: Space) -> bool:
    """True for a tenant's space, or a private network space (the secretariat's), when the user
    has no part in it: refusals then answer 404."""
    if _is_staff(user) or (space.kind == Space.Kind.NETWORK and space.is_public):
        return False
    return not space_roles(user, space)


def can_view_space(user: AnyUser, space: Space) -> bool:
    return space.is_public or _is_staff(user) or bool(space_roles(user, space))


def can_view_page(user: AnyUser, page: Page) -> bool:
    return can_view_space(user, page.space)


def can_create_page(user: AnyUser, space: Space) -> bool:
    if not can_view_space(user, space) or not user.is_authenticated:
        return False
    if _is_staff(user):
        return True
    if not can_edit_wiki(user):
        return False
    return space.kind == Space.Kind.NETWORK or bool(space_roles(user, space) & EDIT_ROLES)


def can_edit_page(user: AnyUser, page: Page) -> bool:
    if page.is_protected:
        return _is_staff(user)
    return can_create_page(user, page.space)


def can_manage_page(user: AnyUser, page: Page) -> bool:
    """Move, delete, restore and protect: network staff and the space's facilitators."""
    if not can_view_page(user, page):
        return False
    return _is_staff(user) or "facilitator" in space_roles(user, page.space)


def can_upload(user: AnyUser, space: Space) -> bool:
    return can_create_page(user, space)
