"""Overlapping requests on an event's programme (a double click on "remove", a sign-up to a
session just taken off) answer with a message, never a 500; an event's report keeps its own
address when someone wrote a page at the predictable one first, and is protected."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from territories.events import reports, services, views
from territories.events.validation import EventError
from territories.models import EventSession
from tests.factories import make_user
from tests.territories.test_events import make_event
from wikispiral.wiki.services import page_create
from wikispiral.wiki.spaces import network_space_get_or_create

pytestmark = pytest.mark.django_db

GONE = "This session no longer exists."


@pytest.fixture
def secretariat():
    return make_user(username="secretary", secretariat=True)


def _second_session(event, secretariat) -> EventSession:
    start = timezone.now() + datetime.timedelta(days=20)
    return services.session_add(
        event=event,
        actor=secretariat,
        title="Workshop",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
    )


def _remove_url(event, session) -> str:
    return reverse(
        "events:session_remove", kwargs={"event": event.slug, "event_session": session.pk}
    )


def test_removing_a_session_twice_answers_404_the_second_time(client, secretariat):
    event = make_event(secretariat)
    session = _second_session(event, secretariat)
    client.force_login(secretariat)

    first = client.post(_remove_url(event, session))
    second = client.post(_remove_url(event, session))

    assert first.status_code == 302
    assert second.status_code == 404
    assert event.sessions.count() == 1


def test_a_session_removed_while_the_request_runs_answers_400(client, secretariat, monkeypatch):
    event = make_event(secretariat)
    session = _second_session(event, secretariat)
    found = views.selectors.session_get_or_404

    def overtaken(**kwargs):
        loaded = found(**kwargs)
        EventSession.objects.filter(pk=loaded.pk).delete()  # the other click won
        return loaded

    monkeypatch.setattr(views.selectors, "session_get_or_404", overtaken)
    client.force_login(secretariat)

    response = client.post(_remove_url(event, session))

    assert response.status_code == 400
    assert GONE in response.content.decode()


def test_every_write_on_a_vanished_session_is_refused_with_a_message(secretariat):
    event = make_event(secretariat, starts_at=timezone.now() - datetime.timedelta(hours=1))
    stale = _second_session(event, secretariat)
    EventSession.objects.filter(pk=stale.pk).delete()
    start = timezone.now() + datetime.timedelta(days=30)

    writes = [
        lambda: services.session_remove(session=stale, actor=secretariat),
        lambda: services.session_update(
            session=stale,
            actor=secretariat,
            title="Moved",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
        ),
        lambda: services.signup_create(session=stale, actor=make_user()),
        lambda: reports.session_report_write(
            session=stale, actor=secretariat, body="Notes.", language="en"
        ),
    ]
    for write in writes:
        with pytest.raises(EventError, match=GONE):
            write()
    assert event.sessions.count() == 1


def test_a_squatted_report_address_gets_the_next_number_and_the_report_is_protected(
    secretariat,
):
    event = make_event(secretariat, starts_at=timezone.now() - datetime.timedelta(hours=1))
    squatter = make_user()
    squatted = page_create(
        space=network_space_get_or_create(),
        language="en",
        title="Mine",
        slug=f"event-{event.pk}-report",
        body="First!",
        actor=squatter,
    )

    page = reports.event_report_write(event=event, actor=secretariat, body="We met.", language="en")

    event.refresh_from_db()
    assert event.report == page
    assert page.slug == f"event-{event.pk}-report-2"
    assert page.is_protected
    squatted.refresh_from_db()
    assert squatted.current_revision.body == "First!" and not squatted.is_protected

    # The organisers go on writing it from the event's page.
    reports.event_report_write(event=event, actor=secretariat, body="We met twice.", language="en")
    page.refresh_from_db()
    assert page.revisions.count() == 2 and page.current_revision.body == "We met twice."


def test_a_sessions_report_is_protected_too(secretariat):
    event = make_event(secretariat, starts_at=timezone.now() - datetime.timedelta(hours=1))
    session = event.sessions.get()

    page = reports.session_report_write(
        session=session, actor=secretariat, body="Notes.", language="en"
    )

    assert page.is_protected
