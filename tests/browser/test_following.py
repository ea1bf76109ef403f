"""Following in a real Chromium: a citizen follows a page (htmx swaps the button) and a
coordination group (without JavaScript: the form posts and comes back), another person edits
both, and the daily digest job mails her one digest that lists both; her notifications page
shows them and passes axe-core, at phone width and on a desktop screen."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.db import transaction
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from territories.services import coordination_group_update
from tests.browser.helpers import browser_page, log_in_through_form
from tests.factories import make_coordination_group, make_page, make_user
from wikispiral.notifications.jobs import digests_period_enqueue
from wikispiral.notifications.models import Follow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True}
AXE = Axe()


def _violations(page: Page) -> list[str]:
    return [
        f"{violation['id']}: {violation['help']} {[node['target'] for node in violation['nodes']]}"
        for violation in AXE.run(page).response["violations"]
    ]


def _fits_the_screen(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture(autouse=True)
def _settled_at_once(settings) -> None:
    # The digest runs a moment after the edits; in production its cut-off is a minute behind.
    settings.NOTIFICATIONS_SETTLE_SECONDS = 0


def test_a_citizen_follows_a_page_and_a_group_and_the_daily_digest_lists_both(
    browser: Browser, live_server: LiveServer
):
    ana = make_user(username="ana", display_name="Ana")
    bruno = make_user(username="bruno", display_name="Bruno")
    facilitator = make_user(username="carla", display_name="Carla")
    wells = make_page(title="The wells of Praia", body="Two wells.")
    group = make_coordination_group(name="Praia", facilitator=facilitator)
    mail.outbox = []

    # With JavaScript: htmx swaps the button in place, the focus stays on it.
    with browser_page(browser, live_server.url, **PHONE) as page:
        log_in_through_form(page, ana)
        page.goto(wells.get_absolute_url())
        page.get_by_role("button", name="Follow this page").click()
        expect(page.get_by_text("You follow this page.")).to_be_visible()
        expect(page.get_by_role("button", name="Stop following")).to_be_focused()
        expect(page.get_by_role("status").filter(has_text="You follow it now")).to_be_attached()
        assert _violations(page) == []

    # Without JavaScript: the form posts and the page comes back with the new state.
    with browser_page(browser, live_server.url, java_script_enabled=False, **PHONE) as page:
        log_in_through_form(page, ana)
        group_url = reverse("directory:group", kwargs={"cg": group.slug})
        page.goto(group_url)
        page.get_by_role("button", name="Follow this group").click()
        expect(page).to_have_url(re.compile(re.escape(group_url) + "$"))
        expect(page.get_by_text("You follow this group.")).to_be_visible()

    assert set(Follow.objects.filter(user=ana).values_list("kind", "key")) == {
        ("page", str(wells.pk)),
        ("group", str(group.pk)),
    }

    # Bruno edits the page in his browser; the group's facilitator updates its profile.
    with browser_page(browser, live_server.url) as page:
        log_in_through_form(page, bruno)
        page.goto(wells.url_for("edit"))
        page.get_by_label("Text").fill("Two wells, and a third one dug in May.")
        page.get_by_label("Summary of your change").fill("the third well")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("Your changes were saved.")).to_be_visible()
    coordination_group_update(actor=facilitator, group=group, process_summary="We met in May.")

    with transaction.atomic():
        digests_period_enqueue(period="daily")  # as beat does; the job runs after the commit

    assert [message.to for message in mail.outbox] == [[ana.email]]
    body = mail.outbox[0].body
    assert "The wells of Praia (Wiki page)" in body and "“the third well”" in body
    assert "Bruno" in body
    assert "Praia (Coordination group)" in body and "Carla" in body
    assert mail.outbox[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # Her notifications page lists both, marked new, and passes axe-core.
    for size in (PHONE, {"viewport": {"width": 1280, "height": 900}}):
        with browser_page(browser, live_server.url, **size) as page:
            log_in_through_form(page, ana)
            # She lands on My wikispiral, which leads to her notifications.
            page.get_by_role("main").get_by_role("link", name="My notifications").click()
            expect(page.get_by_role("heading", level=1, name="My notifications")).to_be_visible()
            expect(page.get_by_role("link", name="The wells of Praia")).to_be_visible()
            expect(page.get_by_role("link", name="Praia", exact=True)).to_be_visible()
            assert _fits_the_screen(page)
            assert _violations(page) == []
            page.goto(reverse("notifications:following"))
            assert _violations(page) == []
            page.goto(reverse("notifications:settings"))
            assert _violations(page) == []
