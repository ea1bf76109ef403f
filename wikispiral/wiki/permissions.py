"""Who may do what with wiki pages: `can_<verb>(user, obj) -> bool`, nothing else.

Spaces of coordination groups, groups and participants get their member roles in later apps;
until then only network staff act on them, and the network space is open to every registered
person whose email is confirmed (as MediaWiki is to registered users), protected pages excepted.
"""

from django.contrib.auth.models import AnonymousUser

from wikispiral.accounts.models import User
from wikispiral.accounts.permissions import can_edit_wiki
from wikispiral.wiki.models import Page, Space

AnyUser = User | AnonymousUser


def _is_staff(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_network_staff)


def can_view_space(user: AnyUser, space: Space) -> bool:
    return space.is_public or _is_staff(user)


def can_view_page(user: AnyUser, page: Page) -> bool:
    return can_view_space(user, page.space)


def can_create_page(user: AnyUser, space: Space) -> bool:
    if not can_view_space(user, space) or not user.is_authenticated:
        return False
    if _is_staff(user):
        return True
    return space.kind == Space.Kind.NETWORK and can_edit_wiki(user)


def can_edit_page(user: AnyUser, page: Page) -> bool:
    if page.is_protected:
        return _is_staff(user)
    return can_create_page(user, page.space)


def can_manage_page(user: AnyUser, page: Page) -> bool:
    """Move, delete, restore and protect: network staff (later also the space's facilitators)."""
    return can_view_page(user, page) and _is_staff(user)


def can_upload(user: AnyUser, space: Space) -> bool:
    return can_create_page(user, space)
