"""The wiki's space services: the only way other apps create, rename and hide a space."""

import pytest

from tests.factories import make_page, make_space
from wikispiral.wiki import caching, selectors, spaces
from wikispiral.wiki.models import Space
from wikispiral.wiki.services import WikiError

pytestmark = pytest.mark.django_db


def test_space_create_stores_what_it_is_given() -> None:
    space = spaces.space_create(
        slug="lyon-3", name="Lyon 3", kind=Space.Kind.COORDINATION_GROUP, is_public=False
    )

    space.refresh_from_db()
    assert (space.slug, space.name, space.kind, space.is_public) == (
        "lyon-3",
        "Lyon 3",
        Space.Kind.COORDINATION_GROUP,
        False,
    )
    assert selectors.space_slug_taken(slug="lyon-3")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"slug": "", "name": "A", "kind": Space.Kind.NETWORK}, "slug"),
        ({"slug": "x" * 81, "name": "A", "kind": Space.Kind.NETWORK}, "slug"),
        ({"slug": "two words", "name": "A", "kind": Space.Kind.NETWORK}, "slug"),
        ({"slug": "ok", "name": "  ", "kind": Space.Kind.NETWORK}, "name"),
        ({"slug": "ok", "name": "n" * 201, "kind": Space.Kind.NETWORK}, "name"),
        ({"slug": "ok", "name": "A", "kind": "planet"}, "kind"),
    ],
)
def test_space_create_refuses_bad_input(fields: dict, field: str) -> None:
    with pytest.raises(WikiError) as caught:
        spaces.space_create(**fields)

    assert caught.value.field == field
    assert not Space.objects.exists()


def test_space_bulk_create_gives_the_objects_their_ids() -> None:
    drafts = [Space(slug=f"demo-{n}", name=f"Demo {n}", kind=Space.Kind.NETWORK) for n in (1, 2)]

    spaces.space_bulk_create(spaces=drafts)

    assert all(space.pk for space in drafts)
    assert Space.objects.filter(slug__startswith="demo-").count() == 2


def test_network_space_is_created_once() -> None:
    assert selectors.network_space_find() is None

    first = spaces.network_space_get_or_create()
    second = spaces.network_space_get_or_create()

    assert first.pk == second.pk
    assert (first.slug, first.kind, first.is_public) == ("network", Space.Kind.NETWORK, True)
    assert selectors.network_space_find() == first


def test_space_rename_keeps_the_address() -> None:
    space = make_space(slug="old", name="Old")

    spaces.space_rename(space=space, name="New name")

    space.refresh_from_db()
    assert (space.slug, space.name) == ("old", "New name")


def test_space_visibility_set_retires_cached_copies_only_when_it_changes() -> None:
    space = make_space(slug="vis", is_public=True)
    before = caching.lookup("probe", space.slug).generations

    assert spaces.space_visibility_set(space=space, hidden=True) is True
    hidden = caching.lookup("probe", space.slug).generations
    assert spaces.space_visibility_set(space=space, hidden=True) is False

    space.refresh_from_db()
    assert space.is_public is False
    assert hidden != before
    assert caching.lookup("probe", space.slug).generations == hidden


def test_spaces_delete_unused_leaves_spaces_with_pages() -> None:
    empty = make_space(slug="empty")
    used = make_space(slug="used")
    make_page(space=used, title="Kept")

    deleted = spaces.spaces_delete_unused(slugs=[empty.slug, used.slug])

    assert deleted == 1
    assert list(Space.objects.values_list("slug", flat=True)) == ["used"]
