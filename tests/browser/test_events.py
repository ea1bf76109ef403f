"""The network's events in a real Chromium (issue 18): a facilitator in São Paulo signs up to a
training seminar session shown in her time zone and in the organiser's (Paris), sees the meeting
link appear, and adds the event to her calendar (the .ics she downloads parses with icalendar,
with the session's start in UTC). The events list and the event page pass axe-core, signed in
and not, at phone width and on a desktop screen."""

import datetime
from pathlib import Path

import icalendar
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from territories.events import services
from territories.models import EventSignup
from tests.browser.helpers import browser_page, log_in_through_form
from tests.factories import make_coordination_group, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
LINK = "https://meet.example.org/facilitators"
YEAR = timezone.now().year + 1
# 13:00 UTC: 14:00 in Paris (winter time), 10:00 in São Paulo.
START = datetime.datetime(YEAR, 3, 10, 13, 0, tzinfo=datetime.UTC)
AXE = Axe()


def _seminar():
    organiser = make_user(username="secretary", secretariat=True, time_zone="Europe/Paris")
    event = services.event_create(
        actor=organiser,
        kind="training",
        title="Training seminar for facilitators",
        time_zone="Europe/Paris",
        languages=["fr", "pt", "en"],
        description="Two mornings to learn to run SPIRAL with a homogeneous group.",
        meeting_url=LINK,
    )
    session = services.session_add(
        event=event,
        actor=organiser,
        title="Running a homogeneous group",
        starts_at=START,
        ends_at=START + datetime.timedelta(hours=2),
        capacity=20,
    )
    services.session_add(
        event=event,
        actor=organiser,
        title="Classifying the criteria",
        starts_at=START + datetime.timedelta(days=7),
        ends_at=START + datetime.timedelta(days=7, hours=2),
        capacity=20,
        languages=["pt"],
    )
    return services.event_publish(event=event, actor=organiser), session


def _violations(page: Page) -> list[str]:
    results = AXE.run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} "
        f"[{'; '.join(' '.join(map(str, node['target'])) for node in violation['nodes'][:5])}]"
        for violation in results.response["violations"]
    ]


def test_a_facilitator_signs_up_in_her_time_zone_and_adds_the_seminar_to_her_calendar(
    browser: Browser, live_server: LiveServer
):
    event, session = _seminar()
    facilitator = make_user(username="ana", time_zone="America/Sao_Paulo")
    make_coordination_group(facilitator=facilitator)

    with browser_page(browser, live_server.url, **PHONE) as page:
        log_in_through_form(page, facilitator)
        page.goto(reverse("events:list"))
        page.get_by_role("link", name="Training seminar for facilitators").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Training seminar for facilitators"
        )

        programme = page.get_by_role("article", name="Running a homogeneous group")
        expect(programme.get_by_text("Your time (America/Sao Paulo)")).to_be_visible()
        expect(programme.get_by_text(f"March 10, {YEAR}, 10 a.m.–noon")).to_be_visible()
        expect(programme.get_by_text("Organiser's time (Europe/Paris)")).to_be_visible()
        expect(programme.get_by_text(f"March 10, {YEAR}, 2 p.m.–4 p.m.")).to_be_visible()
        expect(programme.get_by_text("20 of 20")).to_be_visible()
        expect(page.get_by_role("link", name=LINK)).to_have_count(0)

        programme.get_by_role("button", name="Sign up").click()

        expect(page.get_by_role("status")).to_contain_text(
            "You are signed up to “Running a homogeneous group”."
        )
        programme = page.get_by_role("article", name="Running a homogeneous group")
        expect(programme.get_by_role("link", name=LINK)).to_be_visible()
        expect(programme.get_by_text("19 of 20")).to_be_visible()
        # Only the session she signed up to shows the link.
        other = page.get_by_role("article", name="Classifying the criteria")
        expect(other.get_by_role("link", name=LINK)).to_have_count(0)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360

        with page.expect_download() as downloading:
            page.get_by_role("link", name="Add to my calendar (.ics file)").click()
        download = downloading.value
        assert download.suggested_filename == f"{event.slug}.ics"
        calendar = icalendar.Calendar.from_ical(Path(download.path()).read_bytes())

    vevents = calendar.walk("VEVENT")
    assert len(vevents) == 2
    mine = next(v for v in vevents if str(v["UID"]).startswith(f"session-{session.pk}@"))
    assert mine.decoded("DTSTART") == START
    assert mine.decoded("DTSTART").utcoffset() == datetime.timedelta(0)
    assert LINK.encode() not in calendar.to_ical()
    assert EventSignup.objects.filter(session=session, user=facilitator).count() == 1


@pytest.mark.parametrize("screen", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_events_pages_pass_axe_core(browser: Browser, live_server: LiveServer, screen):
    event, _session = _seminar()
    services.event_create(
        actor=event.organiser,
        kind="assembly",
        title="General assembly (draft)",
        time_zone="Europe/Lisbon",
        languages=["pt"],
    )
    facilitator = make_user(username="ana", time_zone="America/Sao_Paulo")
    addresses = [reverse("events:list"), reverse("events:detail", kwargs={"event": event.slug})]
    problems = []
    for who in (None, facilitator, event.organiser):
        with browser_page(browser, live_server.url, **screen) as page:
            if who is not None:
                log_in_through_form(page, who)
            for address in addresses:
                response = page.goto(address)
                assert response is not None and response.status == 200, address
                problems += [f"{who} {address}: {found}" for found in _violations(page)]
    assert not problems, "\n".join(problems)
