"""Wiki pages as followable things ("page", key: the page's id), for the notifications engine.

Who may see a page is who may see its space (wiki.permissions); a space that is not public
(a hidden group's) is checked person by person, everything else at once.
"""

from collections.abc import Collection, Mapping

from django.utils.translation import gettext_lazy as _

from wikispiral.accounts.models import User
from wikispiral.notifications.registry import (
    AnyUser,
    Described,
    Followable,
    int_keys,
    staff_ids,
)
from wikispiral.wiki.models import Page, Revision
from wikispiral.wiki.permissions import can_view_space, space_members

PAGE = "page"


def _pages(keys: Collection[str]) -> list[Page]:
    ids = int_keys(keys)
    if not ids:
        return []
    return list(
        Page.objects.filter(pk__in=ids)
        .select_related("space")
        .only("pk", "title", "slug", "language", "space__slug", "space__is_public", "space__kind")
    )


def _describe(keys: Collection[str]) -> dict[str, Described]:
    return {str(page.pk): Described(page.title, page.get_absolute_url()) for page in _pages(keys)}


def _public(keys: Collection[str]) -> set[str]:
    ids = int_keys(keys)
    if not ids:
        return set()
    found = Page.objects.filter(pk__in=ids, space__is_public=True).values_list("pk", flat=True)
    return {str(pk) for pk in found}


def _visible(user: AnyUser, keys: Collection[str]) -> set[str]:
    return {str(page.pk) for page in _pages(keys) if can_view_space(user, page.space)}


def _visible_many(wanted: Mapping[int, set[str]], users: Mapping[int, User]) -> dict[int, set[str]]:
    """Pages of private spaces, for many people: the staff see them all; the others those of
    the spaces where they hold a role (one query per kind of space, see space_members; a kind
    whose app gave no bulk answer is asked person by person)."""
    pages = {str(page.pk): page for page in _pages(set().union(*wanted.values()))}
    staff = staff_ids(users, wanted)
    held: dict[str, set[tuple[int, int]] | None] = {}
    for kind in {page.space.kind for page in pages.values()}:
        spaces = {page.space_id for page in pages.values() if page.space.kind == kind}
        held[kind] = space_members(kind, set(wanted) - staff, spaces)

    def may_read(user_id: int, page: Page) -> bool:
        if user_id in staff or page.space.is_public:
            return True
        members = held[page.space.kind]
        if members is None:
            return can_view_space(users[user_id], page.space)
        return (user_id, page.space_id) in members

    return {
        user_id: {key for key in keys if key in pages and may_read(user_id, pages[key])}
        for user_id, keys in wanted.items()
    }


PAGE_FOLLOWABLE = Followable(
    kind=PAGE,
    label=_("Wiki page"),
    follow_label=_("Follow this page"),
    following_label=_("You follow this page."),
    describe=_describe,
    visible_keys=_visible,
    public_keys=_public,
    visible_keys_many=_visible_many,
    # The revision's kind says what happened: "edited", "moved", "deleted"...
    verbs=dict(Revision.Kind.choices),
)
