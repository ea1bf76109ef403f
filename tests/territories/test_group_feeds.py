"""Feeds of coordination groups, homogeneous groups and one group's additions."""

import html
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import feedparser
import pytest
from django.test import Client
from django.urls import reverse

from territories.models import CoordinationGroup, HomogeneousGroup
from tests.factories import (
    make_coordination_group,
    make_homogeneous_group,
    make_page,
    make_user,
)
from wikispiral.tenancy import cross_tenant
from wikispiral.wiki.models import Revision
from wikispiral.wiki.services import page_revise

pytestmark = pytest.mark.django_db

GLOBAL_FEEDS = [
    "directory:feed_groups_rss",
    "directory:feed_groups_atom",
    "directory:feed_homogeneous_rss",
    "directory:feed_homogeneous_atom",
]


def _parse(client: Client, url: str) -> feedparser.FeedParserDict:
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    return feed


def _group_feed(group: CoordinationGroup, kind: str = "rss") -> str:
    return reverse(f"directory:group_feed_{kind}", kwargs={"cg": group.slug})


def _when(day: int) -> datetime:
    return datetime(2025, 1, day, 12, tzinfo=UTC)


def test_groups_feed_lists_visible_groups_most_recently_changed_first(client: Client):
    older = make_coordination_group(name="Older")
    newer = make_coordination_group(name="Newer")
    make_coordination_group(name="Hidden", is_hidden=True)
    CoordinationGroup.objects.filter(pk=older.pk).update(modified_at=_when(1))
    CoordinationGroup.objects.filter(pk=newer.pk).update(modified_at=_when(2))

    for name in ("directory:feed_groups_rss", "directory:feed_groups_atom"):
        feed = _parse(client, reverse(name))
        assert [entry.title for entry in feed.entries] == ["Newer", "Older"]
        assert feed.entries[0].link == f"http://testserver/cg/{newer.slug}/"
        assert feed.feed.title == "Feed Coordination Groups"


def test_groups_feed_escapes_names_and_descriptions(client: Client):
    make_coordination_group(
        name="Bread & <roses>", platform_description='<script>alert("x")</script>'
    )

    rss = client.get(reverse("directory:feed_groups_rss")).content.decode()
    feed = feedparser.parse(rss)

    assert feed.bozo == 0
    assert "<script>" not in feed.entries[0].description
    assert "&lt;script&gt;" in feed.entries[0].description
    assert "<roses>" not in rss


def test_homogeneous_groups_feed_lists_newest_of_visible_groups(client: Client):
    visible = make_coordination_group(name="Open platform")
    hidden = make_coordination_group(name="Hidden platform", is_hidden=True)
    first = make_homogeneous_group(tenant=visible, name="Elders", participants=7)
    second = make_homogeneous_group(tenant=visible, name="Pupils")
    make_homogeneous_group(tenant=hidden, name="Secret group")
    with cross_tenant():
        HomogeneousGroup.objects.filter(pk=first.pk).update(created_at=_when(1))
        HomogeneousGroup.objects.filter(pk=second.pk).update(created_at=_when(2))

    for name in ("directory:feed_homogeneous_rss", "directory:feed_homogeneous_atom"):
        feed = _parse(client, reverse(name))
        assert [entry.title for entry in feed.entries] == [
            "Pupils — Open platform",
            "Elders — Open platform",
        ]
        hg_url = reverse("groups:homogeneous_group", kwargs={"cg": visible.slug, "hg": first.slug})
        assert feed.entries[1].link == f"http://testserver{hg_url}"
        assert "7 participants" in feed.entries[1].description


def test_rss_feeds_have_the_rss_content_type_and_may_be_cached_publicly(client: Client):
    group = make_coordination_group()

    for url in [reverse(name) for name in GLOBAL_FEEDS] + [
        _group_feed(group),
        _group_feed(group, "atom"),
    ]:
        response = client.get(url)
        expected = "application/rss+xml" if url.endswith(".rss") else "application/atom+xml"
        assert response["Content-Type"].startswith(expected)
        cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"public", "max-age=300"} <= cache_control
        assert "Cookie" in response["Vary"]


def test_group_feed_merges_new_homogeneous_groups_and_page_changes_by_date(client: Client):
    author = make_user(display_name="Ana")
    group = make_coordination_group(name="Mixed")
    page = make_page(space=group.space, title="Minutes", author=author)
    page_revise(
        page=page,
        actor=author,
        title="Minutes",
        body="Second meeting.",
        base_revision_id=page.current_revision_id,
        comment="Added the second meeting",
    )
    hg = make_homogeneous_group(tenant=group, name="Young people")
    make_homogeneous_group(tenant=make_coordination_group(), name="Someone else's")
    make_page(space=make_coordination_group().space, title="Elsewhere")
    revisions = Revision.objects.filter(page__space=group.space).order_by("created_at", "pk")
    for day, revision in enumerate(revisions, start=1):
        Revision.objects.filter(pk=revision.pk).update(created_at=_when(day))
    with cross_tenant():
        HomogeneousGroup.objects.filter(pk=hg.pk).update(
            created_at=datetime(2025, 1, 2, 18, tzinfo=UTC)
        )

    for kind in ("rss", "atom"):
        feed = _parse(client, _group_feed(group, kind))
        assert [entry.title for entry in feed.entries] == [
            "Minutes — edited",
            "New homogeneous group: Young people",
            "Minutes — created",
            "Mixed — created",
        ]
        assert feed.entries[0].link == f"http://testserver{page.url_for('diff')}?from=1&to=2"
        assert "Added the second meeting" in feed.entries[0].description
        assert feed.entries[0].author == "Ana"
        assert feed.feed.title == "Mixed: latest additions"
        assert feed.feed.link == f"http://testserver/cg/{group.slug}/"


def test_group_feed_leaves_out_deleted_pages(client: Client):
    group = make_coordination_group(name="Tidy")
    page = make_page(space=group.space, title="Gone")
    page.__class__.objects.filter(pk=page.pk).update(is_deleted=True)

    titles = [entry.title for entry in _parse(client, _group_feed(group)).entries]

    assert "Gone — created" not in titles


def test_group_feed_is_404_for_unknown_and_hidden_groups_even_to_members(client, client_for):
    facilitator = make_user()
    hidden = make_coordination_group(name="Hidden", is_hidden=True, facilitator=facilitator)

    # Anonymous: the login offer, the same for both (wikispiral.tenancy.login_offer).
    assert client.get(reverse("directory:group_feed_rss", kwargs={"cg": "nope"})).status_code == 302
    assert client.get(_group_feed(hidden)).status_code == 302
    for reader in (client_for(facilitator), client_for(make_user(secretariat=True))):
        assert reader.get(_group_feed(hidden)).status_code == 404
        assert reader.get(_group_feed(hidden, "atom")).status_code == 404


def test_global_feeds_stay_anonymous_for_the_secretariat(client_for):
    hidden = make_coordination_group(name="Hidden platform", is_hidden=True)
    make_homogeneous_group(tenant=hidden, name="Secret group")
    staff = client_for(make_user(secretariat=True))

    for name in GLOBAL_FEEDS:
        content = staff.get(reverse(name)).content.decode()
        assert "Hidden platform" not in content
        assert "Secret group" not in content


@pytest.mark.parametrize("count", [3, 30])
def test_feeds_use_few_queries_whatever_their_length(
    client: Client, django_assert_max_num_queries, count: int
):
    group = make_coordination_group(name="Busy")
    author = make_user()
    for number in range(count):
        make_homogeneous_group(tenant=make_coordination_group(), participants=number + 1)
        make_homogeneous_group(tenant=group)
    for _number in range(min(count, 10)):
        make_page(space=group.space, author=author)

    for name in GLOBAL_FEEDS:
        with django_assert_max_num_queries(1):
            client.get(reverse(name))
    with django_assert_max_num_queries(7):
        client.get(_group_feed(group))


# --- Escaping: once, and only where a reader takes the field as HTML --------------------------

TRICKY = 'Bread & <b>roses</b> "for" Ana\'s <script>alert(1)</script>'
ATOM = "{http://www.w3.org/2005/Atom}"


def _xml(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 (our own response, not untrusted input)


def _assert_titles_escaped_once(raw: str) -> None:
    """The raw XML of the titles holding TRICKY has it XML-escaped once: "&lt;b&gt;", never
    "&amp;lt;b&amp;gt;" nor a raw "<b>"; the apostrophe and quotes stay as they are."""
    titles = [title for title in re.findall(r"<title>(.*?)</title>", raw) if "roses" in title]
    assert titles
    for title in titles:
        assert 'Bread &amp; &lt;b&gt;roses&lt;/b&gt; "for" Ana\'s &lt;script&gt;' in title
        assert "&amp;lt;" not in title and "&amp;amp;" not in title and "&#x27;" not in title
    assert "<b>roses" not in raw and "<script>" not in raw


def _tricky_world() -> CoordinationGroup:
    group = make_coordination_group(name=TRICKY, platform_description=TRICKY)
    make_homogeneous_group(tenant=group, name=TRICKY, participants=1, notes="Members only")
    return group


@pytest.mark.parametrize(
    "url_name",
    ["directory:feed_groups_rss", "directory:feed_homogeneous_rss", "directory:group_feed_rss"],
)
def test_rss_titles_are_plain_text_escaped_once_and_descriptions_html_escaped_once(
    client: Client, url_name: str
):
    group = _tricky_world()
    url = _group_feed(group) if url_name == "directory:group_feed_rss" else reverse(url_name)

    raw = client.get(url).content.decode()
    channel = _xml(raw.encode()).find("channel")
    parsed = feedparser.parse(raw)

    _assert_titles_escaped_once(raw)
    assert parsed.bozo == 0
    titles = [item.findtext("title") for item in channel.findall("item")]
    assert [entry.title for entry in parsed.entries] == titles
    assert any(TRICKY in title for title in titles)
    assert all("&#x27;" not in title and "&amp;" not in title for title in titles)
    for item in channel.findall("item"):
        # After XML parsing a description is the HTML a reader renders: user text escaped.
        description = item.findtext("description")
        assert "<script" not in description and "<b>" not in description
        assert "&amp;lt;" not in description
        if "roses" in description:
            assert html.escape(TRICKY) in description
    for entry in parsed.entries:
        assert "<script" not in entry.description
        assert "Members only" not in entry.description


def test_group_feed_channel_has_the_name_as_text_and_escaped_in_its_description(client: Client):
    group = _tricky_world()

    rss = client.get(_group_feed(group)).content
    channel = _xml(rss).find("channel")
    parsed = feedparser.parse(rss)

    assert channel.findtext("title") == f"{TRICKY}: latest additions"
    assert parsed.feed.title == f"{TRICKY}: latest additions"
    description = channel.findtext("description")
    # RSS readers render the channel's description as HTML: the name escaped, once, for text.
    assert html.escape(TRICKY, quote=False) in description
    assert "<b>" not in description and "&amp;lt;" not in description
    assert "<script" not in parsed.feed.subtitle
    assert TRICKY in html.unescape(parsed.feed.subtitle)

    atom = client.get(_group_feed(group, "atom")).content
    root = _xml(atom)
    parsed = feedparser.parse(atom)
    # Atom's title and subtitle are declared text: the name as it is.
    assert root.findtext(f"{ATOM}title") == f"{TRICKY}: latest additions"
    assert TRICKY in root.findtext(f"{ATOM}subtitle")
    assert parsed.feed.title == f"{TRICKY}: latest additions"
    assert TRICKY in parsed.feed.subtitle


@pytest.mark.parametrize(
    "url_name", ["directory:feed_groups_atom", "directory:feed_homogeneous_atom"]
)
def test_atom_titles_are_text_and_summaries_html_escaped_once(client: Client, url_name: str):
    _tricky_world()

    raw = client.get(reverse(url_name)).content
    entries = _xml(raw).findall(f"{ATOM}entry")
    parsed = feedparser.parse(raw)

    _assert_titles_escaped_once(raw.decode())
    assert parsed.bozo == 0
    assert all(entry.find(f"{ATOM}title").get("type") in (None, "text") for entry in entries)
    assert any(TRICKY in entry.title for entry in parsed.entries)
    for entry in entries:
        summary = entry.find(f"{ATOM}summary")
        assert summary.get("type") == "html"
        assert "<script" not in summary.text and "&amp;lt;" not in summary.text
        if "roses" in summary.text:
            assert html.escape(TRICKY) in summary.text


def test_homogeneous_group_titles_keep_their_apostrophes(client: Client):
    group = make_coordination_group(name="L'Estaque")
    make_homogeneous_group(tenant=group, name="Citizens' group")

    for name in ("directory:feed_homogeneous_rss", "directory:feed_homogeneous_atom"):
        raw = client.get(reverse(name)).content
        assert b"&#x27;" not in raw and b"&amp;#x27;" not in raw
        [entry] = feedparser.parse(raw).entries
        assert entry.title == "Citizens' group — L'Estaque"


@pytest.mark.parametrize(
    ("language", "one", "two"),
    [
        ("en", "1 participant", "2 participants"),
        ("fr", "1 participant", "2 participants"),
        ("pt", "1 participante", "2 participantes"),
    ],
)
def test_homogeneous_groups_feed_says_participants_in_the_readers_plural(
    client: Client, language: str, one: str, two: str
):
    group = make_coordination_group(name="Counted")
    make_homogeneous_group(tenant=group, name="Alone", participants=1)
    make_homogeneous_group(tenant=group, name="Pair", participants=2)

    raw = client.get(
        reverse("directory:feed_homogeneous_rss"), HTTP_ACCEPT_LANGUAGE=language
    ).content
    descriptions = {
        entry.title.split(" — ")[0]: entry.description for entry in feedparser.parse(raw).entries
    }

    assert one in descriptions["Alone"] and f"{one}s" not in descriptions["Alone"]
    assert two in descriptions["Pair"]


def test_homogeneous_groups_feed_says_when_the_number_of_participants_was_not_given(
    client: Client,
):
    make_homogeneous_group(tenant=make_coordination_group(), name="Uncounted")

    [entry] = _parse(client, reverse("directory:feed_homogeneous_rss")).entries

    assert "number of participants not given" in entry.description
    assert "0 participants" not in entry.description
