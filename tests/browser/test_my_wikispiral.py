"""My wikispiral in a real Chromium at 360 px: a facilitator logs in through the form, lands on
her own page, finds her group's queue in one tap; the page fits the screen, works with
JavaScript off, and axe-core finds nothing, for a facilitator and for a newcomer."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.helpers import browser_page
from tests.factories import DEFAULT_PASSWORD, make_coordination_group, make_criterion, make_user
from wikispiral.accounts.models import User
from wikispiral.tenancy import cross_tenant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True}
AXE = Axe()


def _ends_with(path: str) -> re.Pattern[str]:
    return re.compile(re.escape(path) + "$")


def _log_in(page: Page, user: User) -> None:
    """Through the real form, with no `next`: lands where the site sends everyone."""
    page.goto(reverse("accounts:login"))
    page.get_by_label("Username or email address").fill(user.username)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(_ends_with(reverse("mine:home")))


def _violations(page: Page) -> list[str]:
    return [
        f"{violation['id']}: {violation['help']}"
        for violation in AXE.run(page).response["violations"]
    ]


def _fits_the_screen(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_facilitator_lands_on_her_page_and_reaches_her_queue_in_one_tap(
    browser: Browser, live_server: LiveServer
):
    ana = make_user(username="ana")
    group = make_coordination_group(facilitator=ana, name="Mulhouse")
    with cross_tenant():
        for number in range(2):
            make_criterion(tenant=group, text=f"Criterion {number}")

    with browser_page(browser, live_server.url, **PHONE) as page:
        _log_in(page, ana)

        expect(page.get_by_role("heading", level=1, name="My wikispiral")).to_be_visible()
        expect(page.get_by_role("heading", level=3, name="Mulhouse")).to_be_visible()
        assert _fits_the_screen(page)
        assert _violations(page) == []
        page.get_by_role("link", name="2 criteria waiting for classification").click()
        expect(page).to_have_url(
            _ends_with(reverse("classification:queue", kwargs={"cg": group.slug}))
        )


def test_a_newcomer_without_javascript_sees_where_to_start(
    browser: Browser, live_server: LiveServer
):
    newcomer = make_user(username="new")

    with browser_page(browser, live_server.url, java_script_enabled=False, **PHONE) as page:
        _log_in(page, newcomer)

        expect(page.get_by_role("heading", level=2, name="Where to start")).to_be_visible()
        expect(page.get_by_role("link", name="Apply to open a platform")).to_be_visible()
        assert _fits_the_screen(page)

    with browser_page(browser, live_server.url, **PHONE) as page:
        _log_in(page, newcomer)
        assert _violations(page) == []
