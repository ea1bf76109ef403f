"""Writes to the wiki's spaces. The apps that own a tenant (a coordination group, a project
participant) create, rename and hide its space here, never through the model, so the engine
keeps one place where a space's slug, kind and visibility are checked and caches follow.

Kept out of services.py, which is about pages and would pass about 600 lines with these.
"""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.utils.translation import gettext as _

from wikispiral.wiki import caching
from wikispiral.wiki.models import Space
from wikispiral.wiki.selectors import NETWORK_SPACE_SLUG
from wikispiral.wiki.services import WikiError


def _required(max_length: int | None) -> int:
    assert max_length is not None, "both are CharFields, which always have a max_length"
    return max_length


MAX_SLUG_LENGTH = _required(Space._meta.get_field("slug").max_length)
MAX_NAME_LENGTH = _required(Space._meta.get_field("name").max_length)
NETWORK_SPACE_NAME = "wikispiral"


def _clean_slug(slug: str) -> str:
    if not slug or len(slug) > MAX_SLUG_LENGTH:
        raise WikiError(
            _("A space needs an address (at most %(max)d characters).") % {"max": MAX_SLUG_LENGTH},
            field="slug",
        )
    try:
        validate_slug(slug)
    except ValidationError as exc:
        raise WikiError(
            _("A space address holds letters, digits and dashes."), field="slug"
        ) from exc
    return slug


def _check_name(name: str) -> str:
    # Checked, not rewritten: the owner cleaned it and the space carries its name unchanged.
    if not name.strip() or len(name) > MAX_NAME_LENGTH:
        raise WikiError(
            _("A space needs a name (at most %(max)d characters).") % {"max": MAX_NAME_LENGTH},
            field="name",
        )
    return name


def _check_kind(kind: str) -> None:
    if kind not in Space.Kind.values:
        raise WikiError(_("Unknown kind of space."), field="kind")


def space_create(*, slug: str, name: str, kind: str, is_public: bool = True) -> Space:
    """Create a space; the caller checks the slug is free (a taken one raises IntegrityError)."""
    _check_kind(kind)
    return Space.objects.create(
        slug=_clean_slug(slug), name=_check_name(name), kind=kind, is_public=is_public
    )


def space_bulk_create(*, spaces: Sequence[Space], batch_size: int | None = None) -> list[Space]:
    """Insert many unsaved spaces in few statements (demo data), each checked as space_create
    checks one; the given objects receive their ids."""
    for space in spaces:
        _check_kind(space.kind)
        _clean_slug(space.slug)
        _check_name(space.name)
    return Space.objects.bulk_create(spaces, batch_size=batch_size)


def network_space_get_or_create() -> Space:
    """The network's space, created on first use as the seed command does."""
    space, _created = Space.objects.get_or_create(
        slug=NETWORK_SPACE_SLUG,
        defaults={"name": NETWORK_SPACE_NAME, "kind": Space.Kind.NETWORK, "is_public": True},
    )
    return space


def network_private_space_get_or_create(*, slug: str, name: str) -> Space:
    """A non-public space of kind NETWORK (network staff alone read and write it), created on
    first use. WikiError when another kind of space, or a public one, holds that address."""
    space, _created = Space.objects.get_or_create(
        slug=_clean_slug(slug),
        defaults={"name": _check_name(name), "kind": Space.Kind.NETWORK, "is_public": False},
    )
    if space.kind != Space.Kind.NETWORK or space.is_public:
        raise WikiError(_("Another space already has this address."), field="slug")
    return space


def space_rename(*, space: Space, name: str) -> None:
    """Give the space its owner's new name (the tenant's rename calls this in its transaction)."""
    space.name = _check_name(name)
    space.save(update_fields=["name"])


def space_visibility_set(*, space: Space, hidden: bool) -> bool:
    """Make the space public or not (its pages become drafts); True when it changed."""
    if space.is_public == (not hidden):
        return False
    space.is_public = not hidden
    space.save(update_fields=["is_public"])
    # Anonymous copies of its pages, and red links and lists elsewhere, must follow at once.
    caching.invalidate(space_slug=space.slug, structure=True)
    return True


def spaces_delete_unused(*, slugs: Sequence[str]) -> int:
    """Delete the spaces among slugs that hold no page and no attachment; how many went."""
    deleted, _by_model = Space.objects.filter(
        slug__in=slugs, pages__isnull=True, attachments__isnull=True
    ).delete()
    return deleted
