"""Indicators, evaluations and co-responsibility actions where the rest of the site shows them:
the latest additions and a group's feed, My wikispiral, and a group's page."""

import datetime
import html

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from criteria.models import Component
from projects.highlights import progress_counts, progress_published
from projects.models import Action, EvaluationSession, Indicator, Pledge
from territories.models import CoordinationGroup, Membership
from territories.services import membership_set
from tests.factories import (
    make_coordination_group,
    make_homogeneous_group,
    make_page,
    make_user,
)
from wikispiral.tenancy import cross_tenant
from wikispiral.wiki.models import Revision

pytestmark = pytest.mark.django_db


# --- Rows ---------------------------------------------------------------------------------------


def _indicator(group: CoordinationGroup, title: str, *, published: bool = True) -> Indicator:
    with cross_tenant():
        indicator = Indicator.objects.create(
            tenant=group,
            component=Component.objects.get(version__is_current=True, code="A01"),
            language="en",
            texts={"en": {"title": title, "description": f"How {title} goes"}},
            status=Indicator.Status.PUBLISHED if published else Indicator.Status.DRAFT,
        )
        indicator.lineage = indicator.pk
        indicator.save(update_fields=["lineage"])
    return indicator


def _session(group: CoordinationGroup, title: str, *, published: bool = True) -> EvaluationSession:
    with cross_tenant():
        return EvaluationSession.objects.create(
            tenant=group,
            title=title,
            held_on=datetime.date(2026, 5, 4),
            participants=12,
            notes="We met in the town hall.",
            status=EvaluationSession.Status.PUBLISHED
            if published
            else EvaluationSession.Status.DRAFT,
        )


def _action(
    group: CoordinationGroup,
    title: str,
    *,
    published: bool = True,
    status: str = Action.Status.AGREED,
    description: str = "Together, every Saturday.",
) -> Action:
    with cross_tenant():
        return Action.objects.create(
            tenant=group,
            title=title,
            description=description,
            language="en",
            status=status,
            published=published,
        )


def _pledge(action: Action, person, *, state: str = Pledge.State.OFFERED, offer: str = "time"):
    with cross_tenant():
        return Pledge.objects.create(
            tenant=action.tenant,
            action=action,
            pledger=Pledge.Pledger.PERSON,
            person=person,
            offer=offer,
            state=state,
        )


def _dated(model, pk: int, when: datetime.datetime) -> None:
    with cross_tenant():
        model.objects.filter(pk=pk).update(updated_at=when)


def _feeds(group: CoordinationGroup) -> list[str]:
    return [
        reverse("wiki:feed_latest_rss"),
        reverse("wiki:feed_latest_atom"),
        reverse("directory:group_feed_rss", kwargs={"cg": group.slug}),
        reverse("directory:group_feed_atom", kwargs={"cg": group.slug}),
    ]


def _parse(client, url: str) -> tuple[str, feedparser.FeedParserDict]:
    response = client.get(url)
    assert response.status_code == 200, url
    body = response.content.decode()
    feed = feedparser.parse(body)
    assert feed.bozo == 0, feed.get("bozo_exception")
    return body, feed


# --- Feeds --------------------------------------------------------------------------------------


def test_feeds_show_published_actions_sessions_and_indicators_only(client):
    group = make_coordination_group(name="Mulhouse")
    hidden = make_coordination_group(name="Secret town", is_hidden=True)
    action = _action(group, "Clean the river banks")
    session = _session(group, "Spring evaluation")
    indicator = _indicator(group, "Access to clean water")
    _action(group, "Draft action", published=False)
    _session(group, "Session being entered", published=False)
    _indicator(group, "Draft indicator", published=False)
    _action(hidden, "Hidden action")
    _session(hidden, "Hidden session")
    _indicator(hidden, "Hidden indicator")

    for url in _feeds(group):
        body, feed = _parse(client, url)
        titles = [entry.title for entry in feed.entries]
        assert "Co-responsibility action of Mulhouse: Clean the river banks" in titles, url
        assert "Evaluation of Mulhouse: Spring evaluation" in titles, url
        assert "Progress indicator of Mulhouse: Access to clean water" in titles, url
        for absent in ("Draft", "being entered", "Hidden", "Secret town"):
            assert absent not in body, (url, absent)
        links = {entry.link for entry in feed.entries}
        cg = group.slug
        for name, ids in (
            ("actions:detail", {"action": action.pk}),
            ("evaluations:detail", {"session": session.pk}),
            ("indicators:detail", {"indicator": indicator.pk}),
        ):
            assert f"http://testserver{reverse(name, kwargs={'cg': cg, **ids})}" in links, name
        entry = next(e for e in feed.entries if e.title.endswith("Spring evaluation"))
        assert "12 participants" in entry.description
        assert "We met in the town hall." in entry.description


def test_a_group_feed_shows_only_that_groups_progress(client):
    group = make_coordination_group(name="Lisbon")
    other = make_coordination_group(name="Porto")
    _action(other, "Porto's action")

    for url in _feeds(group)[2:]:
        body, _feed = _parse(client, url)
        assert "Porto's action" not in body


def test_progress_items_merge_with_the_other_additions_newest_first(client):
    group = make_coordination_group(name="Charleroi")
    page = make_page(space=group.space, title="Minutes")
    older = _action(group, "Older action")
    newer = _session(group, "Newer session")
    Revision.objects.filter(page=page).update(
        created_at=datetime.datetime(2025, 1, 2, tzinfo=datetime.UTC)
    )
    _dated(Action, older.pk, datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC))
    _dated(EvaluationSession, newer.pk, datetime.datetime(2025, 1, 3, tzinfo=datetime.UTC))

    for url in _feeds(group):
        _body, feed = _parse(client, url)
        titles = [entry.title for entry in feed.entries]
        at = {
            "session": titles.index("Evaluation of Charleroi: Newer session"),
            "page": titles.index("Minutes — created"),
            "action": titles.index("Co-responsibility action of Charleroi: Older action"),
        }
        assert at["session"] < at["page"] < at["action"], (url, titles)


TRICKY = 'Bread & <b>roses</b> <script>alert("x")</script>'


def test_an_action_title_and_description_are_escaped_in_the_feeds(client):
    group = make_coordination_group(name="Tricky")
    _action(group, TRICKY, description=TRICKY)

    for url in _feeds(group):
        body, feed = _parse(client, url)
        assert "<script>" not in body and "<b>roses" not in body
        entry = next(e for e in feed.entries if "roses" in e.title)
        assert entry.title == f"Co-responsibility action of Tricky: {TRICKY}"
        # The description is HTML a reader renders: the user's text in it stays text.
        assert "<script" not in entry.description
        assert html.escape(TRICKY) in entry.description


def test_feed_queries_do_not_grow_with_the_number_of_items(client, django_assert_max_num_queries):
    group = make_coordination_group(name="Busy")
    for number in range(3):
        _action(group, f"Small {number}")
    client.get(_feeds(group)[0])
    with CaptureQueriesContext(connection) as few:
        for url in _feeds(group):
            client.get(url)
    for number in range(20):
        other = make_coordination_group(name=f"Other {number}")
        _action(other, f"Action {number}")
        _session(other, f"Session {number}")
        _indicator(other, f"Indicator {number}")
        _action(group, f"More {number}")
        _session(group, f"More session {number}")

    with django_assert_max_num_queries(len(few)):
        for url in _feeds(group):
            client.get(url)


def test_progress_published_is_three_queries(django_assert_num_queries):
    group = make_coordination_group()
    for number in range(5):
        _action(group, f"Action {number}")
        _session(group, f"Session {number}")
        _indicator(group, f"Indicator {number}")

    with django_assert_num_queries(3):
        items = progress_published()
        assert len(items) == 15
        assert all(item.title and item.link and item.description for item in items)


# --- My wikispiral ------------------------------------------------------------------------------


def _mine(client) -> str:
    response = client.get(reverse("mine:home"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_facilitator_sees_each_groups_indicators_sessions_and_actions(client):
    ana = make_user()
    mulhouse = make_coordination_group(name="Mulhouse", facilitator=ana)
    charleroi = make_coordination_group(name="Charleroi", facilitator=ana)
    _indicator(mulhouse, "Water")
    _indicator(mulhouse, "Air", published=False)
    _indicator(mulhouse, "Soil", published=False)
    _session(mulhouse, "Being entered", published=False)
    _session(mulhouse, "Done")
    _action(mulhouse, "Agreed one", status=Action.Status.AGREED)
    _action(mulhouse, "Under way one", status=Action.Status.UNDER_WAY)
    _action(mulhouse, "Proposed draft", status=Action.Status.PROPOSED, published=False)
    _indicator(make_coordination_group(name="Elsewhere"), "Not hers", published=False)
    client.force_login(ana)

    page = _mine(client)

    assert "Indicators, evaluations and actions" in page
    assert "3 progress indicators" in page and "1 published, 2 drafts" in page
    assert "1 evaluation session being entered" in page
    assert "3 co-responsibility actions" in page
    assert "Proposed: 1 · Agreed: 1 · Under way: 1 · 1 not published" in page
    # Charleroi has nothing yet.
    assert "0 progress indicators" in page
    assert "0 evaluation sessions being entered" in page
    for group in (mulhouse, charleroi):
        cg = group.slug
        for name in ("indicators:list", "evaluations:list", "actions:list", "impact:list"):
            assert f'href="{reverse(name, kwargs={"cg": cg})}"' in page, name


def test_a_member_sees_her_pledges_and_the_actions_she_could_join(client):
    facilitator, bea = make_user(), make_user()
    group = make_coordination_group(name="Lisbon", facilitator=facilitator)
    membership_set(group=group, user=bea, role=Membership.Role.MEMBER)
    kept = _action(group, "Plant trees", status=Action.Status.UNDER_WAY)
    _pledge(kept, bea, state=Pledge.State.KEPT, offer="time")
    _pledge(kept, bea, state=Pledge.State.OFFERED, offer="equipment")
    withdrawn = _action(group, "Repair café", status=Action.Status.AGREED)
    _pledge(withdrawn, bea, state=Pledge.State.WITHDRAWN, offer="skills")
    open_action = _action(group, "Shared gardens", status=Action.Status.AGREED)
    _action(group, "A draft to join", published=False)
    _action(group, "Only proposed", status=Action.Status.PROPOSED)
    with cross_tenant():
        Action.objects.create(
            tenant=group,
            title="Already done",
            language="en",
            status=Action.Status.DONE,
            ends_on=datetime.date(2026, 1, 1),
            published=True,
        )
    _pledge(_action(make_coordination_group(name="Elsewhere"), "Someone else's"), make_user())
    client.force_login(bea)

    page = _mine(client)

    assert "Actions I pledged to" in page
    assert "Plant trees" in page and "Kept" in page and "Offered" in page
    assert "My offer: Time" in page and "My offer: Equipment" in page
    assert "Repair café" in page and "Withdrawn" in page
    assert "Actions of my groups I could join" in page
    cg = group.slug
    assert (
        f'href="{reverse("actions:detail", kwargs={"cg": cg, "action": open_action.pk})}"' in page
    )
    assert f'href="{reverse("actions:detail", kwargs={"cg": cg, "action": kept.pk})}"' in page
    for absent in ("A draft to join", "Only proposed", "Already done", "Someone else"):
        assert absent not in page, absent
    # Not a facilitator: no counts of the group's drafts.
    assert "Indicators, evaluations and actions" not in page


def test_an_outsider_sees_no_other_groups_actions(client):
    group = make_coordination_group(name="Theirs", facilitator=make_user())
    _action(group, "Their open action")
    _indicator(group, "Their draft", published=False)
    client.force_login(make_user())

    page = _mine(client)

    assert "Their open action" not in page
    assert "Co-responsibility actions" not in page


def _member_of_groups(user, count: int, start: int = 0) -> None:
    for number in range(start, start + count):
        group = make_coordination_group(name=f"Group {number}", facilitator=user)
        _indicator(group, f"Indicator {number}", published=False)
        _session(group, f"Session {number}", published=False)
        action = _action(group, f"Action {number}", status=Action.Status.UNDER_WAY)
        _action(group, f"To join {number}")
        _pledge(action, user)


def test_my_wikispiral_queries_do_not_grow_with_the_number_of_groups(
    client, django_assert_max_num_queries
):
    ana = make_user()
    _member_of_groups(ana, 1)
    client.force_login(ana)
    _mine(client)  # warm the caches a first request fills
    with CaptureQueriesContext(connection) as one_group:
        _mine(client)
    _member_of_groups(ana, 5, start=1)

    with django_assert_max_num_queries(len(one_group)):
        page = _mine(client)

    assert page.count("1 evaluation session being entered") == 6
    assert all(f"To join {number}" in page for number in range(6))
    assert all(f"Action {number}" in page for number in range(6))


def test_progress_counts_is_one_query_for_every_group(django_assert_num_queries):
    ana = make_user()
    _member_of_groups(ana, 4)
    with cross_tenant():
        groups = list(CoordinationGroup.objects.all())

    with django_assert_num_queries(1):
        counts = progress_counts(tenants=groups)

    assert sum(found.indicators_draft for found in counts.values()) == 4
    assert sum(found.actions_by_state.get("under_way", 0) for found in counts.values()) == 4
    assert sum(found.actions_published for found in counts.values()) == 8


# --- A group's page -----------------------------------------------------------------------------


def test_the_group_page_links_to_indicators_evaluations_and_actions(client, client_for):
    facilitator = make_user()
    group = make_coordination_group(name="Mulhouse", facilitator=facilitator)
    _indicator(group, "Water")
    _indicator(group, "Air", published=False)
    _session(group, "Spring")
    _session(group, "Autumn", published=False)
    _action(group, "Clean the river")
    _action(group, "A draft", published=False)
    url = reverse("directory:group", kwargs={"cg": group.slug})

    anonymous = client.get(url).content.decode()
    member = client_for(facilitator).get(url).content.decode()

    for page in (anonymous, member):
        assert "Indicators, evaluations and actions" in page
        for name, label in (
            ("indicators:list", "Progress indicators"),
            ("evaluations:list", "Evaluations"),
            ("actions:list", "Co-responsibility actions"),
        ):
            href = reverse(name, kwargs={"cg": group.slug})
            assert f'<a href="{href}">{label}</a>' in page
        assert page.count("1 published") >= 3
    assert "draft" not in anonymous and "being entered" not in anonymous
    assert "1 published, 1 draft" in member and "1 published, 1 being entered" in member


def test_a_homogeneous_group_page_costs_no_progress_query(client):
    group = make_coordination_group()
    hg = make_homogeneous_group(tenant=group)
    url = reverse("groups:homogeneous_group", kwargs={"cg": group.slug, "hg": hg.slug})

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200

    assert not any("projects_action" in query["sql"] for query in queries.captured_queries)


def test_staff_see_the_drafts_counts_too(client_for):
    group = make_coordination_group(name="Staffed")
    _action(group, "A draft", published=False)

    page = client_for(make_user(secretariat=True)).get(
        reverse("directory:group", kwargs={"cg": group.slug})
    )

    assert "0 published, 1 draft" in page.content.decode()
