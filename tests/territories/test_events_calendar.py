"""The events' calendar files, feeds and reminders: the .ics parse back with icalendar (one
VEVENT per session, stable UIDs, the same times, never a meeting link), the RSS and Atom feeds
list announced events newest first in one query, and a reminder goes once to each person signed
up, in her language and zone, however often the job runs."""

import datetime

import feedparser
import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from territories.events import jobs, reports, services
from territories.models import Event, EventSignup
from tests.factories import make_user
from tests.territories.test_events import MARCH_10, make_event
from wikispiral.jobs.models import Job
from wikispiral.jobs.services import jobs_sweep

pytestmark = pytest.mark.django_db

LINK = "https://meet.example.org/seminar"


@pytest.fixture
def secretariat():
    return make_user(username="secretary", secretariat=True)


def _ics(client, url: str) -> icalendar.Calendar:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def _event_ics(event) -> str:
    return reverse("events:event_calendar", kwargs={"event": event.slug})


# --- iCalendar ----------------------------------------------------------------------------------


def test_an_events_calendar_file_parses_back_with_its_sessions(client, secretariat):
    event = make_event(secretariat, starts_at=MARCH_10, title="Seminar; with, commas")
    second = services.session_add(
        event=event,
        actor=secretariat,
        title="Second day",
        starts_at=MARCH_10 + datetime.timedelta(days=1),
        ends_at=MARCH_10 + datetime.timedelta(days=1, hours=3),
        place="Casa da Cultura, Praia",
        meeting_url="https://meet.example.org/day-two",
    )
    response = client.get(_event_ics(event))
    assert response["Content-Disposition"] == f'attachment; filename="{event.slug}.ics"'

    calendar = icalendar.Calendar.from_ical(response.content)

    assert str(calendar["VERSION"]) == "2.0" and "wikispiral" in str(calendar["PRODID"])
    vevents = calendar.walk("VEVENT")
    assert len(vevents) == 2
    first = next(v for v in vevents if str(v["UID"]).startswith(f"session-{second.pk - 1}@"))
    assert first.decoded("DTSTART") == MARCH_10
    assert first.decoded("DTEND") == MARCH_10 + datetime.timedelta(hours=2)
    assert str(first["SUMMARY"]) == "Seminar; with, commas: Opening"
    assert str(first["URL"]).endswith(reverse("events:detail", kwargs={"event": event.slug}))
    assert str(first["STATUS"]) == "CONFIRMED"
    other = next(v for v in vevents if str(v["UID"]) == f"session-{second.pk}@127.0.0.1")
    assert str(other["LOCATION"]) == "Casa da Cultura, Praia"
    assert other.decoded("DTSTART") == second.starts_at
    assert b"meet.example.org" not in response.content
    for vevent in vevents:
        assert "DTSTAMP" in vevent and "SEQUENCE" in vevent and "LAST-MODIFIED" in vevent


def test_uids_stay_and_the_sequence_grows_when_the_programme_changes(client, secretariat):
    event = make_event(secretariat, starts_at=MARCH_10)
    before = _ics(client, _event_ics(event)).walk("VEVENT")[0]
    session = event.sessions.get()
    # The change comes a minute after the event was made.
    Event.objects.filter(pk=event.pk).update(
        created_at=event.created_at - datetime.timedelta(minutes=1)
    )
    later = MARCH_10 + datetime.timedelta(hours=1)
    services.session_update(
        session=session,
        actor=secretariat,
        title="Opening",
        starts_at=later,
        ends_at=later + datetime.timedelta(hours=1),
    )

    after = _ics(client, _event_ics(event)).walk("VEVENT")[0]

    assert str(after["UID"]) == str(before["UID"])
    assert after.decoded("DTSTART") == later
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])


def test_a_cancelled_event_stays_in_the_calendar_marked_cancelled(client, secretariat):
    event = make_event(secretariat)
    services.event_cancel(event=event, actor=secretariat)
    vevents = _ics(client, reverse("events:calendar")).walk("VEVENT")
    assert [str(vevent["STATUS"]) for vevent in vevents] == ["CANCELLED"]


def test_the_sites_calendar_holds_public_sessions_to_come_and_recent_ones(client, secretariat):
    coming = make_event(secretariat, title="Coming")
    recent = make_event(
        secretariat, title="Recent", starts_at=timezone.now() - datetime.timedelta(days=20)
    )
    make_event(
        secretariat, title="Long ago", starts_at=timezone.now() - datetime.timedelta(days=400)
    )
    make_event(secretariat, title="Draft", publish=False)

    response = client.get(reverse("events:calendar"))
    calendar = icalendar.Calendar.from_ical(response.content)

    uids = {str(vevent["UID"]) for vevent in calendar.walk("VEVENT")}
    assert uids == {f"session-{event.sessions.get().pk}@127.0.0.1" for event in (coming, recent)}
    assert LINK.encode() not in response.content
    assert "public" in response["Cache-Control"]


def test_a_drafts_calendar_is_its_organisers_only(client, secretariat):
    draft = make_event(secretariat, publish=False)
    assert client.get(_event_ics(draft)).status_code == 404
    client.force_login(secretariat)
    response = client.get(_event_ics(draft))
    assert response.status_code == 200 and "public" not in response["Cache-Control"]


# --- Feeds --------------------------------------------------------------------------------------


def test_the_feeds_list_announced_events_newest_first_in_one_query(
    client, secretariat, django_assert_max_num_queries
):
    older = make_event(secretariat, title="Older")
    newer = make_event(secretariat, title="Newer & <b>bold</b>")
    make_event(secretariat, title="Draft", publish=False)
    Event.objects.filter(pk=older.pk).update(
        published_at=timezone.now() - datetime.timedelta(days=2)
    )
    services.event_cancel(event=older, actor=secretariat)

    for name in ("events:feed_rss", "events:feed_atom"):
        with django_assert_max_num_queries(2):
            response = client.get(reverse(name))
        body = response.content.decode()
        feed = feedparser.parse(response.content)
        assert feed.bozo == 0, feed.get("bozo_exception")
        assert [entry.title for entry in feed.entries] == [
            "Newer & <b>bold</b>",
            "Cancelled: Older",
        ]
        assert feed.entries[0].link.endswith(f"/events/{newer.slug}/")
        assert "Draft" not in body and LINK not in body
        assert "<b>bold</b>" not in body


# --- Reminders ----------------------------------------------------------------------------------


def test_a_reminder_goes_once_to_each_person_in_her_language_and_zone(
    secretariat, django_capture_on_commit_callbacks
):
    soon = make_event(secretariat, starts_at=timezone.now() + datetime.timedelta(hours=20))
    later = make_event(
        secretariat, title="Later", starts_at=timezone.now() + datetime.timedelta(days=5)
    )
    ana = make_user(preferred_language="fr", time_zone="America/Sao_Paulo")
    bea = make_user()
    for event in (soon, later):
        for person in (ana, bea):
            services.signup_create(session=event.sessions.get(), actor=person)

    for _run in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            reports.reminders_enqueue()

    assert len(mail.outbox) == 2
    french = next(message for message in mail.outbox if message.to == [ana.email])
    assert "demain" in french.subject
    assert "America/Sao_Paulo" in french.body and LINK in french.body
    assert not EventSignup.objects.filter(session__event=later, reminded_at__isnull=False).exists()
    assert Job.objects.filter(kind="events.reminders", state="done").count() == 2


def test_reminders_sent_twice_at_once_claim_each_row_once(secretariat):
    soon = make_event(secretariat, starts_at=timezone.now() + datetime.timedelta(hours=2))
    services.signup_create(session=soon.sessions.get(), actor=make_user())
    assert reports.reminders_send() == 1
    assert reports.reminders_send() == 0


def test_no_reminder_for_a_cancelled_event_or_a_past_session(secretariat):
    cancelled = make_event(secretariat, starts_at=timezone.now() + datetime.timedelta(hours=3))
    services.signup_create(session=cancelled.sessions.get(), actor=make_user())
    services.event_cancel(event=cancelled, actor=secretariat)
    assert not reports.reminders_due()
    assert reports.reminders_send() == 0


def test_the_sweep_starts_the_reminders_when_one_is_due(
    secretariat, django_capture_on_commit_callbacks
):
    soon = make_event(secretariat, starts_at=timezone.now() + datetime.timedelta(hours=5))
    services.signup_create(session=soon.sessions.get(), actor=make_user())
    assert jobs._reminders_orphans() == [{"key": "events.reminders"}]

    with django_capture_on_commit_callbacks(execute=True):
        swept = jobs_sweep()

    assert len(swept.adopted) == 1
    assert len(mail.outbox) == 1
    assert jobs._reminders_orphans() == []
