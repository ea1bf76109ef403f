"""The demo events that `make run` loads (seed_events)."""

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from territories.models import Event, EventSession, EventSignup


@pytest.fixture
def seeded(db):
    call_command("seed_demo", "--force", verbosity=0)
    call_command("seed_events", "--force", verbosity=0)


def test_the_demo_has_a_three_day_meeting_a_seminar_and_a_reported_quarterly_meeting(seeded):
    meeting = Event.objects.get(kind=Event.Kind.INTERNATIONAL_MEETING)
    days = {session.starts_at.date() for session in meeting.sessions.all()}
    assert len(days) == 3 and meeting.languages == ["en", "fr", "pt"]
    in_one_language = {
        tuple(session.languages) for session in meeting.sessions.all() if session.languages
    }
    assert {("fr",), ("en",), ("pt",)} <= in_one_language
    seminar = Event.objects.get(kind=Event.Kind.TRAINING)
    assert seminar.starts_at > timezone.now()
    assert EventSignup.objects.filter(session__event=seminar).count() == 1
    quarterly = Event.objects.get(kind=Event.Kind.QUARTERLY)
    assert quarterly.ends_at < timezone.now()
    assert quarterly.report is not None and quarterly.report.space.slug == "network"
    assert set(Event.objects.values_list("status", flat=True)) == {"published"}


def test_seeding_events_again_adds_nothing(seeded):
    before = (Event.objects.count(), EventSession.objects.count(), EventSignup.objects.count())

    call_command("seed_events", "--force", verbosity=0)

    assert (
        Event.objects.count(),
        EventSession.objects.count(),
        EventSignup.objects.count(),
    ) == before


def test_seeding_events_is_refused_on_a_real_site(db, settings):
    settings.DEBUG = False
    call_command("seed_demo", "--force", verbosity=0)

    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_events", verbosity=0)

    assert not Event.objects.exists()
