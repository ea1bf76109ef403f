"""Feeds of coordination groups, homogeneous groups and one group's additions."""

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

    assert client.get(reverse("directory:group_feed_rss", kwargs={"cg": "nope"})).status_code == 404
    for reader in (client, client_for(facilitator), client_for(make_user(secretariat=True))):
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
        make_homogeneous_group(tenant=make_coordination_group(), participants=number)
        make_homogeneous_group(tenant=group)
    for _number in range(min(count, 10)):
        make_page(space=group.space, author=author)

    for name in GLOBAL_FEEDS:
        with django_assert_max_num_queries(1):
            client.get(reverse(name))
    with django_assert_max_num_queries(4):
        client.get(_group_feed(group))
