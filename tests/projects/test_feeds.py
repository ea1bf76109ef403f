"""The latest choices in the project's feed and in "Follow the latest additions"."""

import datetime
import re

import feedparser
import pytest
from django.urls import reverse

from projects import services
from tests.factories import make_coordination_group, make_user

pytestmark = pytest.mark.django_db


def _choice(participant, user, title):
    return services.choice_create(
        participant=participant,
        actor=user,
        category="food",
        title=title,
        description="Lentils <b>twice</b> a week.",
        started_on=datetime.date(2026, 3, 1),
        status="started",
        results="",
        emissions_change_kg=-200,
    )


def test_a_new_choice_appears_in_the_project_feed_and_the_latest_additions(
    client, django_assert_max_num_queries
):
    user = make_user()
    household = services.participant_join(
        actor=user, kind="citizen", subtype="family", name="The Okafors", people=3
    )
    choice = _choice(household, user, "Meat once a week")
    facilitator = make_user()
    hidden = make_coordination_group(facilitator=facilitator)
    territory = services.participant_join(
        actor=facilitator,
        kind="territory",
        subtype="local_platform",
        name="Hidden town",
        coordination_group=hidden,
    )
    _choice(territory, facilitator, "A secret choice")
    hidden.is_hidden = True
    hidden.save(update_fields=["is_hidden"])
    link = reverse("projects:choice", args=[household.slug, choice.pk])

    for name in ("projects:feed_rss", "projects:feed_atom", "wiki:feed_latest_rss"):
        with django_assert_max_num_queries(7):
            body = client.get(reverse(name)).content.decode()
        parsed = feedparser.parse(body)
        titles = [entry.title for entry in parsed.entries]
        assert "The Okafors: Meat once a week" in titles, name
        assert any(entry.link.endswith(link) for entry in parsed.entries)
        assert "A secret choice" not in body
        # The description is escaped user text, never markup of its own.
        assert "<b>twice</b>" not in body


def test_choice_titles_are_plain_text_and_descriptions_escaped_once(client):
    user = make_user()
    household = services.participant_join(
        actor=user, kind="citizen", subtype="family", name="L'Atelier & <b>co</b>", people=2
    )
    _choice(household, user, 'Less "meat" <script>x</script>')
    expected = 'L\'Atelier & <b>co</b>: Less "meat" <script>x</script>'

    for name in ("projects:feed_rss", "projects:feed_atom", "wiki:feed_latest_rss"):
        raw = client.get(reverse(name)).content.decode()
        parsed = feedparser.parse(raw)
        assert parsed.bozo == 0
        assert expected in [entry.title for entry in parsed.entries], name
        # A title is escaped once, as XML: "&lt;b&gt;", not "&amp;lt;b&amp;gt;" or "&#x27;".
        titles = re.findall(r"<title>(.*?)</title>", raw)
        assert 'L\'Atelier &amp; &lt;b&gt;co&lt;/b&gt;: Less "meat" &lt;script&gt;' in " ".join(
            titles
        ), name
        assert "<script>" not in raw and "<b>" not in raw
