"""The whole path of a new territory, in a real Chromium: apply → the secretariat asks for
changes → the applicant resubmits → the secretariat approves → the new facilitator joins, edits
the group's home page and forms a homogeneous group → both feeds show them."""

import re
from urllib.parse import urlsplit

import feedparser
import pytest
from django.core import mail
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from territories.models import Application, CoordinationGroup, HomogeneousGroup
from tests.browser.helpers import browser_page, log_in_through_form
from tests.factories import make_country, make_user
from wikispiral.tenancy import cross_tenant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The apply form refuses what is sent faster than a person could fill it in.
FORM_FILL_SECONDS = 3.2


def _link_in_last_mail(to: str, containing: str) -> str:
    """The path of the link containing this text in the newest email sent to this address."""
    message = next(m for m in reversed(mail.outbox) if to in m.to)
    url = next(u for u in re.findall(r"https?://\S+", message.body) if containing in u)
    return urlsplit(url).path


def _apply(page: Page) -> None:
    page.goto("/apply/")
    page.get_by_label("Name of the territory or actor").fill("Villeneuve")
    page.get_by_label("Country").select_option(label="France")
    page.get_by_label("Your name").fill("Inès Morel")
    page.get_by_label("Your role").fill("Deputy mayor")
    page.get_by_label("Your email address").fill("ines@example.org")
    page.get_by_label("Your language").select_option("en")
    page.get_by_label("Description of the territory or actor").fill("A town of 9,000 people.")
    page.get_by_label("Why do you want to open a platform?").fill("To listen to everyone.")
    page.get_by_label("English").check()
    page.get_by_label(re.compile("I agree that the network publishes")).check()
    page.wait_for_timeout(FORM_FILL_SECONDS * 1000)
    page.get_by_role("button", name="Send the application").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank you")


def _feed_titles(page: Page, path: str) -> list[str]:
    response = page.request.get(path)
    assert response.ok
    feed = feedparser.parse(response.body())
    assert not feed.bozo, feed.bozo_exception
    return [entry.title for entry in feed.entries]


def test_a_territory_goes_from_application_to_its_first_homogeneous_group(
    browser: Browser, live_server: LiveServer, mailoutbox
):
    make_country()
    secretariat = make_user(username="sec", secretariat=True)

    with browser_page(browser, live_server.url) as applicant:
        _apply(applicant)
    application = Application.objects.get(name="Villeneuve")

    with browser_page(browser, live_server.url) as office:
        log_in_through_form(office, secretariat)
        office.goto("/secretariat/applications/")
        office.get_by_role("link", name="Villeneuve").click()
        office.get_by_label("What should the applicant change?").fill(
            "Please name the stakeholders already involved."
        )
        office.get_by_role("button", name="Send to the applicant").click()
        expect(office.get_by_role("status")).to_be_visible()

        with browser_page(browser, live_server.url) as applicant:
            applicant.goto(_link_in_last_mail("ines@example.org", "/apply/"))
            expect(applicant.get_by_text("Please name the stakeholders")).to_be_visible()
            applicant.get_by_label("Stakeholders already involved (optional)").fill(
                "Town hall\nSocial centre"
            )
            applicant.wait_for_timeout(FORM_FILL_SECONDS * 1000)
            applicant.get_by_role("button", name="Send the application again").click()
            expect(applicant.get_by_role("heading", level=1)).to_be_visible()
        application.refresh_from_db()
        assert application.status == Application.Status.SUBMITTED

        office.reload()
        office.get_by_role("button", name="Approve and open the platform").click()
        expect(office.get_by_role("status")).to_be_visible()
    group = CoordinationGroup.objects.get(application__pk=application.pk)
    assert group.stakeholders == "Town hall\nSocial centre"

    with browser_page(browser, live_server.url) as facilitator:
        facilitator.goto(_link_in_last_mail("ines@example.org", "/invitations/"))
        facilitator.get_by_label("Username").fill("ines")
        facilitator.locator("#id_password").fill("a long walk in Villeneuve")
        facilitator.get_by_label("Password, again").fill("a long walk in Villeneuve")
        facilitator.get_by_role("button", name="Create my account and join").click()
        expect(facilitator.get_by_role("heading", level=1)).to_contain_text("Villeneuve")
        expect(facilitator.get_by_role("button", name="Log out")).to_be_visible()

        facilitator.goto(f"/wiki/{group.slug}/en/home/edit/")
        facilitator.get_by_label("Text").fill("## Who we are\n\nThe people of Villeneuve.")
        facilitator.get_by_label("Summary of your change").fill("First words")
        facilitator.get_by_role("button", name="Save").click()
        expect(facilitator.get_by_role("status")).to_contain_text("Your changes were saved.")
        expect(facilitator.get_by_role("heading", name="Who we are")).to_be_visible()

        facilitator.goto(f"/cg/{group.slug}/groups/new/")
        facilitator.get_by_label("Name:", exact=True).fill("Young people of Villeneuve")
        facilitator.get_by_label("Profile:", exact=True).select_option(label="Young people")
        facilitator.get_by_role("button", name="Create the group").click()
        expect(facilitator.get_by_role("heading", level=1)).to_contain_text(
            "Young people of Villeneuve"
        )

        assert "Villeneuve" in _feed_titles(facilitator, "/groups/feed.rss")
        assert any(
            "Young people of Villeneuve" in title
            for title in _feed_titles(facilitator, "/groups/homogeneous/feed.rss")
        )
    with cross_tenant():
        assert HomogeneousGroup.objects.filter(tenant=group).count() == 1
