"""RSS and Atom feeds: what they list, how they link, and that they stay cheap and safe."""

import html
import itertools
import re
import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_user
from wikispiral.accounts.models import User
from wikispiral.wiki.models import Page, Revision, Space

ATOM = "{http://www.w3.org/2005/Atom}"

_sequence = itertools.count(1)


def _space(*, is_public: bool = True) -> Space:
    number = next(_sequence)
    return Space.objects.create(slug=f"space-{number}", name=f"Space {number}", is_public=is_public)


def _revise(
    page: Page,
    *,
    body: str,
    kind: str = Revision.Kind.EDIT,
    comment: str = "",
    author: User | None = None,
) -> Revision:
    """Append a revision and make it current, as page_revise would."""
    current = page.current_revision
    revision = Revision.objects.create(
        page=page,
        number=current.number + 1 if current else 1,
        parent=current,
        kind=kind,
        title=page.title,
        slug=page.slug,
        body=body,
        comment=comment,
        author=author,
        size=len(body.encode()),
    )
    Page.objects.filter(pk=page.pk).update(current_revision=revision)
    page.current_revision = revision
    return revision


def _page(
    *,
    title: str,
    body: str = "Some text.",
    space: Space | None = None,
    language: str = "en",
    is_deleted: bool = False,
    author: User | None = None,
) -> Page:
    page = Page.objects.create(
        space=space or _space(),
        language=language,
        slug=f"page-{next(_sequence)}",
        title=title,
        is_deleted=is_deleted,
    )
    _revise(page, body=body, kind=Revision.Kind.CREATE, author=author)
    return page


def _xml(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 (our own response, not untrusted input)


def _rss_items(client: Client, url: str) -> list[ET.Element]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    return _xml(response.content).findall("./channel/item")


@pytest.mark.django_db
def test_latest_rss_lists_newest_revision_first_with_diff_link(client: Client) -> None:
    page = _page(title="Seed library")
    _revise(page, body="More seeds.", comment="Added rye")

    items = _rss_items(client, reverse("wiki:feed_latest_rss"))

    assert [item.findtext("title") for item in items] == [
        "Seed library — edited",
        "Seed library — created",
    ]
    edit_link, creation_link = (item.findtext("link") for item in items)
    assert edit_link == f"http://testserver{page.url_for('diff')}?from=1&to=2"
    assert creation_link == f"http://testserver{page.get_absolute_url()}"
    assert "Added rye" in items[0].findtext("description")


@pytest.mark.django_db
def test_latest_feed_excludes_non_public_spaces_and_deleted_pages(client: Client) -> None:
    _page(title="Public page")
    _page(title="Draft page", space=_space(is_public=False))
    _page(title="Deleted page", is_deleted=True)

    titles = [
        item.findtext("title") for item in _rss_items(client, reverse("wiki:feed_latest_rss"))
    ]

    assert titles == ["Public page — created"]


@pytest.mark.django_db
def test_latest_feed_keeps_the_30_latest_revisions(client: Client) -> None:
    page = _page(title="Busy page")
    for number in range(35):
        _revise(page, body=f"Version {number}")

    items = _rss_items(client, reverse("wiki:feed_latest_rss"))

    assert len(items) == 30
    assert items[0].findtext("link").endswith("?from=35&to=36")


@pytest.mark.django_db
def test_feed_description_escapes_page_text(client: Client) -> None:
    _page(title="Tricky", body='<script>alert("x")</script> & **bold** words')

    [item] = _rss_items(client, reverse("wiki:feed_latest_rss"))

    # After XML parsing the description is the HTML a reader will render: text only, escaped.
    description = item.findtext("description")
    assert "<script" not in description
    assert "&lt;script&gt;" in description
    assert "&amp; bold words" in description


@pytest.mark.django_db
def test_feed_items_have_stable_guids_that_are_not_permalinks(client: Client) -> None:
    page = _page(title="Guid")
    revision = page.current_revision

    [item] = _rss_items(client, reverse("wiki:feed_latest_rss"))

    guid = item.find("guid")
    assert guid.text.endswith(f"/rev/{revision.pk}")
    assert guid.get("isPermaLink") == "false"


@pytest.mark.django_db
def test_latest_atom_feed_uses_the_atom_namespace_and_names_authors(client: Client) -> None:
    _page(title="Anonymous & co")
    _page(title="Signed", author=make_user(username="ana", display_name="Ana Lima"))

    response = client.get(reverse("wiki:feed_latest_atom"))

    assert response.status_code == 200
    root = _xml(response.content)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == [
        "Signed — created",
        "Anonymous & co — created",
    ]
    assert [entry.findtext(f"{ATOM}author/{ATOM}name") for entry in entries] == [
        "Ana Lima",
        "anonymous",
    ]
    assert root.findtext(f"{ATOM}subtitle")


@pytest.mark.django_db
def test_feeds_may_be_cached_publicly_for_five_minutes(client: Client) -> None:
    page = _page(title="Cached")

    for url in (
        reverse("wiki:feed_latest_rss"),
        reverse("wiki:feed_latest_atom"),
        page.url_for("history_feed"),
    ):
        response = client.get(url)
        cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"public", "max-age=300"} <= cache_control
        assert "Cookie" in response["Vary"]


@pytest.mark.django_db
def test_anonymous_feeds_use_few_queries(client: Client, django_assert_max_num_queries) -> None:
    author = make_user()
    for number in range(10):
        page = _page(title=f"Page {number}", space=_space(), author=author)
        _revise(page, body="Edited.", author=author)

    with django_assert_max_num_queries(7):
        client.get(reverse("wiki:feed_latest_rss"))
    with django_assert_max_num_queries(7):
        client.get(reverse("wiki:feed_latest_atom"))
    with django_assert_max_num_queries(4):
        client.get(page.url_for("history_feed"))


@pytest.mark.django_db
def test_page_history_feed_lists_only_that_page(client: Client) -> None:
    page = _page(title="Orchard")
    _revise(page, body="Apples.", comment="Planted apples")
    _page(title="Elsewhere")

    items = _rss_items(client, page.url_for("history_feed"))

    assert [item.findtext("title") for item in items] == [
        "Orchard — edited",
        "Orchard — created",
    ]


@pytest.mark.django_db
def test_page_history_feed_is_404_for_unknown_page(client: Client) -> None:
    url = reverse("wiki:history_feed", kwargs={"space": "nowhere", "lang": "en", "slug": "nope"})

    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_page_history_feed_is_404_for_hidden_pages_even_for_staff(client_for) -> None:
    # Feeds are cached publicly, so they never show what only some readers may see.
    draft = _page(title="Draft", space=_space(is_public=False))
    deleted = _page(title="Gone", is_deleted=True)
    staff = client_for(make_user(secretariat=True))

    assert staff.get(draft.url_for("history_feed")).status_code == 404
    assert staff.get(deleted.url_for("history_feed")).status_code == 404


TRICKY = 'Bread & <b>roses</b> "for" Ana\'s <script>alert(1)</script>'


@pytest.mark.django_db
def test_titles_are_plain_text_escaped_once_in_every_wiki_feed(client: Client) -> None:
    page = _page(title=TRICKY)
    expected = f"{TRICKY} — created"

    for url in (
        reverse("wiki:feed_latest_rss"),
        reverse("wiki:feed_latest_atom"),
        page.url_for("history_feed"),
    ):
        raw = client.get(url).content
        root = _xml(raw)
        titles = [
            *(item.findtext("title") for item in root.findall("./channel/item")),
            *(entry.findtext(f"{ATOM}title") for entry in root.findall(f"{ATOM}entry")),
        ]
        assert titles == [expected], url
        # XML-escaped once by the generator ("&lt;b&gt;"), never as HTML first ("&amp;lt;").
        [raw_title] = [
            t for t in re.findall(r"<title>(.*?)</title>", raw.decode()) if "created" in t
        ]
        assert raw_title == 'Bread &amp; &lt;b&gt;roses&lt;/b&gt; "for" Ana\'s ' + (
            "&lt;script&gt;alert(1)&lt;/script&gt; — created"
        )
        assert [entry.title for entry in feedparser.parse(raw).entries] == [expected], url


@pytest.mark.django_db
def test_page_history_channel_has_the_title_as_text_and_escaped_in_its_description(
    client: Client,
) -> None:
    page = _page(title=TRICKY)

    raw = client.get(page.url_for("history_feed")).content
    channel = _xml(raw).find("channel")
    parsed = feedparser.parse(raw)

    assert channel.findtext("title") == f"History of “{TRICKY}”"
    assert parsed.feed.title == f"History of “{TRICKY}”"
    # Readers render a channel's description as HTML: escaped once, quotes left alone.
    assert channel.findtext("description") == html.escape(
        f"Every change to “{TRICKY}” on wikispiral.", quote=False
    )
    assert "<script" not in parsed.feed.subtitle
