"""The latest choices in the project's feed and in "Follow the latest additions"."""

import datetime

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
        actor=user, kind="citizen", subtype="household", name="The Okafors", people=3
    )
    choice = _choice(household, user, "Meat once a week")
    facilitator = make_user()
    hidden = make_coordination_group(facilitator=facilitator)
    territory = services.participant_join(
        actor=facilitator,
        kind="territory",
        subtype="coordination_group",
        name="Hidden town",
        coordination_group=hidden,
    )
    _choice(territory, facilitator, "A secret choice")
    hidden.is_hidden = True
    hidden.save(update_fields=["is_hidden"])
    link = reverse("projects:choice", args=[household.slug, choice.pk])

    for name in ("projects:feed_rss", "projects:feed_atom", "wiki:feed_latest_rss"):
        with django_assert_max_num_queries(6):
            body = client.get(reverse(name)).content.decode()
        parsed = feedparser.parse(body)
        titles = [entry.title for entry in parsed.entries]
        assert "The Okafors: Meat once a week" in titles, name
        assert any(entry.link.endswith(link) for entry in parsed.entries)
        assert "A secret choice" not in body
        # The description is escaped user text, never markup of its own.
        assert "<b>twice</b>" not in body
