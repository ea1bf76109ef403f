"""An event's report, its conclusions and each session's report: pages of the network's wiki,
written by the organisers once the event has begun, linked from the event's page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from territories.events import reports, services
from territories.events.validation import EventError
from tests.factories import make_user
from tests.territories.test_events import make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretariat():
    return make_user(username="secretary", secretariat=True)


@pytest.fixture
def changes(monkeypatch):
    recorded = []
    monkeypatch.setattr(services, "change_record", lambda **kwargs: recorded.append(kwargs))
    return recorded


def _detail(event) -> str:
    return reverse("events:detail", kwargs={"event": event.slug})


def _session(event):
    return event.sessions.order_by("starts_at").first()


def test_the_organiser_writes_the_report_as_a_network_wiki_page_linked_from_the_event(
    client, secretariat, changes
):
    event = make_event(secretariat, starts_at=timezone.now() - datetime.timedelta(hours=1))
    client.force_login(secretariat)
    url = reverse("events:report", kwargs={"event": event.slug})
    assert "Opening" in client.get(url).content.decode()  # the programme to start from

    response = client.post(url, {"body": "We met, we <b>decided</b>."})

    event.refresh_from_db()
    page = event.report
    assert page is not None and page.space.slug == "network"
    assert response.status_code == 302 and response["Location"] == page.get_absolute_url()
    assert page.get_absolute_url() in client.get(_detail(event)).content.decode()
    assert changes[-1]["summary"] == "The report is written."

    client.post(url, {"body": "We met, and decided twice."})
    event.refresh_from_db()
    assert event.report_id == page.pk and page.revisions.count() == 2


def test_conclusions_and_a_sessions_report_are_pages_too(client, secretariat):
    event = make_event(secretariat, starts_at=timezone.now() - datetime.timedelta(hours=1))
    session = _session(event)
    reports.event_report_write(
        event=event, actor=secretariat, body="Charter drafted.", language="fr", conclusions=True
    )
    reports.session_report_write(session=session, actor=secretariat, body="Notes.", language="en")
    event.refresh_from_db()
    session.refresh_from_db()
    assert event.conclusions.language == "fr"
    assert session.report.slug == f"event-{event.pk}-session-{session.pk}-report"
    page = client.get(_detail(event)).content.decode()
    assert event.conclusions.get_absolute_url() in page
    assert session.report.get_absolute_url() in page


def test_no_report_before_the_event_begins(secretariat):
    event = make_event(secretariat)
    with pytest.raises(EventError, match="once it has begun"):
        reports.event_report_write(event=event, actor=secretariat, body="Soon.", language="en")
    event.refresh_from_db()
    assert event.report is None


def test_an_outsider_cannot_write_a_report(client, secretariat):
    event = make_event(secretariat, starts_at=timezone.now() - datetime.timedelta(hours=1))
    client.force_login(make_user())
    response = client.post(
        reverse("events:report", kwargs={"event": event.slug}), {"body": "Mine."}
    )
    assert response.status_code == 404
    event.refresh_from_db()
    assert event.report is None
