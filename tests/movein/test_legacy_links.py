"""Old links keep working: the Tiki site's addresses answer a 301 to what the move-in made of
them, or a helpful 404 that reveals nothing the reader may not see (wikispiral/movein/legacy.py).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from territories.secretariat.services import coordination_group_hide
from tests.factories import (
    make_coordination_group,
    make_homogeneous_group,
    make_page,
    make_space,
    make_user,
    network_space,
)
from tests.hostile_files import png
from wikispiral.movein.addresses import addresses_record, addresses_record_feeds
from wikispiral.movein.models import LegacyAddress
from wikispiral.wiki import services
from wikispiral.wiki.search import page_search_index_update

pytestmark = pytest.mark.django_db

Kind = LegacyAddress.Kind


def record(kind: str, key: str | int, target: object) -> None:
    addresses_record(kind=kind, targets=[(key, target)], move_in=None)


def assert_redirects_to(response, url: str) -> None:
    assert response.status_code == 301, response.status_code
    assert response["Location"] == url


def assert_legacy_404(response) -> None:
    assert response.status_code == 404
    assert "Location" not in response
    assert [t.name for t in response.templates][0] == "movein/legacy_404.html"
    assert "no-cache" in response["Cache-Control"]


def attachment_in(space, name: str = "map.png"):
    uploader = make_user(secretariat=True)
    return services.attachment_upload(
        space=space,
        page=None,
        actor=uploader,
        uploaded=SimpleUploadedFile(name, png(), content_type="image/png"),
        name=name,
    )


def hidden_group():
    """A coordination group taken out of public view (its space private), with its facilitator."""
    facilitator = make_user()
    group = make_coordination_group(name="Hidden platform", facilitator=facilitator)
    coordination_group_hide(group=group, actor=make_user(secretariat=True), reason="Spam.")
    group.refresh_from_db()
    group.space.refresh_from_db()
    return group, facilitator


# --- Pages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("script", ["tiki-index.php", "tiki-index_p.php", "tiki-print.php"])
def test_old_page_name_redirects_permanently_to_the_imported_page(client, script):
    page = make_page(space=network_space(), title="Welcome Page")
    record(Kind.PAGE, "Welcome Page", page)

    response = client.get(f"/{script}", {"page": "WELCOME page"})

    assert_redirects_to(response, page.get_absolute_url())
    assert "public" in response["Cache-Control"]
    assert "max-age=86400" in response["Cache-Control"]


def test_head_is_answered_like_get(client):
    page = make_page(space=network_space(), title="Welcome")
    record(Kind.PAGE, "Welcome", page)

    response = client.head("/tiki-index.php", {"page": "Welcome"})

    assert_redirects_to(response, page.get_absolute_url())


def test_lang_goes_to_the_translation_in_that_language(client):
    english = make_page(space=network_space(), title="Welcome", language="en")
    french = make_page(
        space=network_space(), title="Bienvenue", language="fr", translation_of=english
    )
    record(Kind.PAGE, "Welcome", english)

    to_french = client.get("/tiki-index.php", {"page": "Welcome", "lang": "fr"})
    to_french_variant = client.get("/tiki-index.php", {"page": "Welcome", "lang": "FR-ca"})
    no_portuguese = client.get("/tiki-index.php", {"page": "Welcome", "lang": "pt"})
    unknown_language = client.get("/tiki-index.php", {"page": "Welcome", "lang": "x" * 300})
    control_language = client.get("/tiki-index.php?page=Welcome&lang=%C2%85")

    assert french.get_absolute_url() != english.get_absolute_url()
    assert_redirects_to(to_french, french.get_absolute_url())
    assert_redirects_to(to_french_variant, french.get_absolute_url())
    assert_redirects_to(no_portuguese, english.get_absolute_url())
    assert_redirects_to(unknown_language, english.get_absolute_url())
    assert_redirects_to(control_language, english.get_absolute_url())


def test_page_ref_id_redirects_to_the_structure_nodes_page(client):
    page = make_page(space=network_space(), title="Chapter one")
    record(Kind.PAGE_REF, 42, page)

    response = client.get("/tiki-index.php", {"page_ref_id": "42"})

    assert_redirects_to(response, page.get_absolute_url())


def test_tiki_index_without_a_page_goes_to_the_home_page(client):
    assert_redirects_to(client.get("/tiki-index.php"), reverse("wiki:home"))
    assert_redirects_to(client.get("/tiki-index.php", {"page": " "}), reverse("wiki:home"))


def test_unknown_page_offers_a_search_for_its_name_escaped(client):
    name = "<script>alert(1)</script> Old page"

    response = client.get("/tiki-index.php", {"page": name})

    assert_legacy_404(response)
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt; Old page"' in html
    assert f'action="{reverse("wiki:search")}"' in html
    assert 'name="q"' in html and 'for="legacy-search-q"' in html and 'id="legacy-search-q"' in html
    assert html.count("<h1") == 1


def test_unknown_page_shows_the_first_matching_pages(client):
    page = make_page(space=network_space(), title="Compost guide")
    page_search_index_update(page_id=page.pk)  # on PostgreSQL, a job's work after the commit

    response = client.get("/tiki-index.php", {"page": "Compost"})

    assert_legacy_404(response)
    assert [hit.title for hit in response.context["hits"]] == ["Compost guide"]
    assert "Compost guide" in response.content.decode()


def test_deleted_page_answers_the_helpful_404(client):
    page = make_page(space=network_space(), title="Gone")
    record(Kind.PAGE, "Gone", page)
    services.page_delete(page=page, actor=make_user(secretariat=True))

    assert_legacy_404(client.get("/tiki-index.php", {"page": "Gone"}))


def test_page_of_a_private_space_is_not_revealed(client):
    space = make_space(slug="drafts", is_public=False)
    page = make_page(space=space, title="Secretplan")
    record(Kind.PAGE, "Secretplan", page)
    unknown = client.get("/tiki-index.php", {"page": "Nowhere"})

    response = client.get("/tiki-index.php", {"page": "Secretplan"})

    assert_legacy_404(response)
    assert response.content.decode().replace("Secretplan", "Nowhere") == (unknown.content.decode())


# --- Tracker items: groups ----------------------------------------------------------------------


def test_tracker_item_of_a_coordination_group_goes_to_its_page(client):
    group = make_coordination_group(name="Braine")
    record(Kind.ITEM, 7, group)

    response = client.get("/tiki-view_tracker_item.php", {"itemId": "7"})

    assert_redirects_to(response, reverse("directory:group", kwargs={"cg": group.slug}))


def test_tracker_item_of_a_homogeneous_group_goes_to_its_wiki_page(client):
    group = make_coordination_group()
    page = make_page(space=group.space, title="Young people")
    young = make_homogeneous_group(tenant=group, name="Young people", page=page)
    record(Kind.ITEM, 8, young)

    response = client.get("/tiki-view_tracker_item.php", {"itemId": "8"})

    assert_redirects_to(response, page.get_absolute_url())


def test_tracker_item_of_a_homogeneous_group_without_page_goes_to_its_group_page(client):
    group = make_coordination_group()
    elders = make_homogeneous_group(tenant=group, name="Elders")
    record(Kind.ITEM, 9, elders)

    response = client.get("/tiki-view_tracker_item.php", {"itemId": "9"})

    url = reverse("groups:homogeneous_group", kwargs={"cg": group.slug, "hg": elders.slug})
    assert_redirects_to(response, url)


def test_hidden_groups_item_is_404_for_an_outsider_and_301_for_its_member(client, client_for):
    group, facilitator = hidden_group()
    young = make_homogeneous_group(
        tenant=group, name="Young", page=make_page(space=group.space, title="Young")
    )
    record(Kind.ITEM, 10, group)
    record(Kind.ITEM, 11, young)
    outsider = client_for(make_user())

    for who in (client, outsider):
        assert_legacy_404(who.get("/tiki-view_tracker_item.php", {"itemId": "10"}))
        assert_legacy_404(who.get("/tiki-view_tracker_item.php", {"itemId": "11"}))
    member = client_for(facilitator)
    to_group = member.get("/tiki-view_tracker_item.php", {"itemId": "10"})
    to_young = member.get("/tiki-view_tracker_item.php", {"itemId": "11"})

    assert_redirects_to(to_group, reverse("directory:group", kwargs={"cg": group.slug}))
    assert_redirects_to(to_young, young.page.get_absolute_url())
    # A redirect only a member gets must not sit in a shared cache.
    assert "public" not in to_group["Cache-Control"]
    assert "private" in to_group["Cache-Control"]


# --- Files and galleries ------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["fileId=12", "fileId=12&display", "display&fileId=012"])
def test_gallery_file_goes_to_the_attachment(client, query):
    attachment = attachment_in(network_space())
    record(Kind.FILE, 12, attachment)

    response = client.get(f"/tiki-download_file.php?{query}")

    url = reverse("wiki:attachment_file", kwargs={"space": "network", "name": "map.png"})
    assert_redirects_to(response, url)


def test_file_gallery_goes_to_the_spaces_attachments(client):
    record(Kind.GALLERY, 3, network_space())

    response = client.get("/tiki-list_file_gallery.php", {"galleryId": "3"})

    assert_redirects_to(response, reverse("wiki:attachments", kwargs={"space": "network"}))


def test_files_of_a_hidden_groups_space_are_404_for_an_outsider(client, client_for):
    group, facilitator = hidden_group()
    record(Kind.FILE, 13, attachment_in(group.space))
    record(Kind.GALLERY, 4, group.space)

    assert_legacy_404(client.get("/tiki-download_file.php", {"fileId": "13"}))
    assert_legacy_404(client.get("/tiki-list_file_gallery.php", {"galleryId": "4"}))
    member = client_for(facilitator)
    assert member.get("/tiki-download_file.php", {"fileId": "13"}).status_code == 301
    assert member.get("/tiki-list_file_gallery.php", {"galleryId": "4"}).status_code == 301


# --- Feeds ---------------------------------------------------------------------------------------


def test_wiki_feed_goes_to_the_latest_additions(client):
    assert_redirects_to(client.get("/tiki-wiki_rss.php"), reverse("wiki:feed_latest_rss"))


@pytest.mark.parametrize(
    ("feed", "url_name"),
    [
        ("groups", "directory:feed_groups_rss"),
        ("homogeneous_groups", "directory:feed_homogeneous_rss"),
        ("changes", "wiki:feed_latest_rss"),
    ],
)
def test_tracker_feed_goes_to_the_feed_it_became(client, feed, url_name):
    addresses_record_feeds(targets=[(5, feed)], move_in=None)

    response = client.get("/tiki-tracker_rss.php", {"trackerId": "5"})

    assert_redirects_to(response, reverse(url_name))


def test_tracker_feed_of_an_unknown_or_unmapped_tracker_is_404(client):
    addresses_record_feeds(targets=[(6, "no-such-feed")], move_in=None)

    assert_legacy_404(client.get("/tiki-tracker_rss.php", {"trackerId": "6"}))
    assert_legacy_404(client.get("/tiki-tracker_rss.php", {"trackerId": "99"}))
    assert_legacy_404(client.get("/tiki-tracker_rss.php"))


# --- Bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/tiki-view_tracker_item.php",
        "/tiki-view_tracker_item.php?itemId=",
        "/tiki-view_tracker_item.php?itemId=abc",
        "/tiki-view_tracker_item.php?itemId=-7",
        "/tiki-view_tracker_item.php?itemId=7.0",
        "/tiki-view_tracker_item.php?itemId=%D9%A7",  # an Arabic-Indic seven
        "/tiki-view_tracker_item.php?itemId=" + "9" * 40,
        "/tiki-view_tracker_item.php?itemId=%7F",
        "/tiki-view_tracker_item.php?itemId=7%C2%85",
        "/tiki-download_file.php?fileId=x&display",
        "/tiki-list_file_gallery.php?galleryId=" + "9" * 10_000,
        "/tiki-index.php?page_ref_id=abc",
        "/tiki-index.php?page_ref_id=99999999999999999999999999",
        "/tiki-index.php?page=Welcome%7F",
        "/tiki-index.php?page=Welcome%C2%85",
        "/tiki-index.php?page=" + "W" * 10_000,
        "/tiki-index.php?page=//evil.example/",
    ],
)
def test_bad_parameters_answer_the_helpful_404(client, url):
    client.raise_request_exception = False
    page = make_page(space=network_space(), title="Welcome")
    record(Kind.PAGE, "Welcome", page)
    record(Kind.ITEM, 7, make_coordination_group())

    response = client.get(url)

    assert_legacy_404(response)


def test_a_name_with_control_characters_is_searched_without_them(client):
    response = client.get("/tiki-index.php?page=Old%C2%85page")

    assert_legacy_404(response)
    assert response.context["name"] == "Old page"


@pytest.mark.parametrize(
    "url",
    [
        "/tiki-index.php?page=Welcome",
        "/tiki-index_p.php",
        "/tiki-print.php",
        "/tiki-view_tracker_item.php?itemId=7",
        "/tiki-download_file.php?fileId=1",
        "/tiki-list_file_gallery.php?galleryId=1",
        "/tiki-wiki_rss.php",
        "/tiki-tracker_rss.php?trackerId=1",
    ],
)
@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_only_get_and_head_are_allowed(client, url, method):
    page = make_page(space=network_space(), title="Welcome")
    record(Kind.PAGE, "Welcome", page)

    response = getattr(client, method)(url)

    assert response.status_code == 405
    assert set(response["Allow"].split(", ")) == {"GET", "HEAD"}
