"""Membership as its own request, in a real Chromium: an association asks to become an associate
member on a phone, the secretariat approves it in its queue, and the association then appears
on the public membership page. axe-core checks the membership page and the form (0 violations),
at phone width and on a desktop screen."""

import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from territories.models import MembershipRequest, NetworkMember
from tests.browser.helpers import browser_page, log_in_through_form
from tests.factories import make_country, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The public form refuses what is sent faster than a person could fill it in.
FORM_FILL_SECONDS = 3.2
PHONE = {"width": 360, "height": 640}
DESKTOP = {"width": 1280, "height": 900}
AXE = Axe()


def _violations(page: Page) -> list[str]:
    results = AXE.run(page)
    return [
        f"{page.url}: {violation['id']} ({violation['impact']}): {violation['help']} "
        + "; ".join(" ".join(str(p) for p in node["target"]) for node in violation["nodes"][:5])
        for violation in results.response["violations"]
    ]


def _mail_to(address: str, containing: str) -> str:
    return next(m.body for m in mail.outbox if address in m.to and containing in m.body)


def _apply(page: Page) -> None:
    page.goto("/membership/apply/")
    page.get_by_label(re.compile("Associate member: a person")).check()
    page.get_by_label("Organisation", exact=True).check()
    page.get_by_label("Name of the member").fill("Villages Solidaires")
    page.get_by_label("Country").select_option(label="Belgium")
    page.get_by_label("Website (optional)").fill("https://villages.example.org")
    page.get_by_label("Description (optional)").fill("An association of twelve villages.")
    page.get_by_label("Why do you want to become a member?").fill("We share the network's aims.")
    page.get_by_label("Your name").fill("Marie Dubois")
    page.get_by_label("Your email address").fill("marie@example.org")
    page.get_by_label("Your language").select_option("en")
    page.get_by_label(re.compile("I agree that the network lists this member")).check()
    page.wait_for_timeout(FORM_FILL_SECONDS * 1000)
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank you")


def test_an_association_applies_to_be_an_associate_member_and_is_approved(
    browser: Browser, live_server: LiveServer, mailoutbox
):
    make_country(code="BE", name="Belgium")
    secretariat = make_user(username="sec", secretariat=True)
    problems: list[str] = []

    with browser_page(browser, live_server.url, viewport=PHONE) as applicant:
        applicant.goto("/membership/")
        expect(applicant.get_by_role("heading", level=1)).to_have_text("Membership of the network")
        problems += _violations(applicant)
        applicant.get_by_role("link", name=re.compile("associate or ex officio member")).click()
        expect(applicant.get_by_role("heading", level=1)).to_contain_text("Ask to become")
        problems += _violations(applicant)
        # A refused form (nothing filled in) shows its errors accessibly too.
        applicant.get_by_role("button", name="Send the request").click()
        expect(applicant.get_by_role("alert")).to_be_visible()
        problems += _violations(applicant)
        _apply(applicant)
    request = MembershipRequest.objects.get()
    assert (request.kind, request.nature) == ("associate", "organisation")
    assert "marie@example.org" in [to for m in mail.outbox for to in m.to]

    with browser_page(browser, live_server.url, viewport=DESKTOP) as office:
        log_in_through_form(office, secretariat)
        office.goto("/secretariat/")
        office.get_by_role("link", name="Membership requests").click()
        problems += _violations(office)
        office.get_by_role("link", name="Villages Solidaires").click()
        expect(office.get_by_text("We share the network's aims.")).to_be_visible()
        problems += _violations(office)
        office.get_by_label("A word of welcome (optional)").fill("Welcome, neighbours!")
        office.get_by_role("button", name="Approve the membership").click()
        expect(office.get_by_role("status")).to_contain_text("is a member of the network")
    member = NetworkMember.objects.get()
    assert (member.kind, member.name) == ("associate", "Villages Solidaires")
    approval = _mail_to("marie@example.org", "Welcome, neighbours!")
    membership_url = next(u for u in re.findall(r"https?://\S+", approval) if "/membership/" in u)

    with browser_page(browser, live_server.url, viewport=DESKTOP) as visitor:
        visitor.goto(urlsplit(membership_url).path)
        associates = visitor.get_by_role("region", name=re.compile("Associate member"))
        expect(associates.get_by_role("link", name="Villages Solidaires")).to_be_visible()
        problems += _violations(visitor)

    assert not problems, "\n".join(problems)
