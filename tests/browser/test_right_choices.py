"""The right choices in a real Chromium, on a phone-sized screen: a citizen joins, records three
choices and a footprint, and sees them on the household's page (chart and table); another
participant says "I do this too"."""

import os

import pytest
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from projects.models import Choice, Footprint, Participant
from projects.services import participant_join
from tests.browser.helpers import browser_page, log_in_through_form
from tests.factories import make_country, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}
CHOICES = [
    ("We cycle to school", "Mobility", "-450"),
    ("No more beef at home", "Food", "-600"),
    ("Our savings moved to a cooperative bank", "Money and savings", ""),
]


def test_a_citizen_joins_records_choices_and_a_footprint_on_a_phone(
    browser: Browser, live_server: LiveServer
):
    make_country()
    citizen = make_user(username="ana")

    with browser_page(browser, live_server.url, **PHONE) as page:
        log_in_through_form(page, citizen)
        page.goto("/right-choices/")
        page.get_by_role("link", name="Join the project").click()
        page.get_by_label("Citizen").check()
        page.get_by_label("More precisely").select_option(label="A household")
        page.get_by_label("Name").fill("Ana and Rui")
        page.get_by_label("People it covers").fill("2")
        page.get_by_label("Country").select_option(label="France")
        page.get_by_role("button", name="Join").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Ana and Rui")

        for title, category, change in CHOICES:
            page.get_by_role("link", name="Record a choice").click()
            page.get_by_label("Your choice").fill(title)
            page.get_by_label("Category").select_option(label=category)
            page.get_by_label("Started on").fill("2026-09-01")
            page.get_by_label("Estimated change of emissions (kg CO2e a year)").fill(change)
            page.get_by_role("button", name="Save").click()
            expect(page.get_by_role("status")).to_contain_text("Your choice is recorded.")
            page.get_by_role("link", name="Ana and Rui").click()

        page.get_by_role("link", name="Record a footprint").click()
        # A typing mistake first (tonnes per person as if kilograms for two): refused, kept.
        page.get_by_label("Measured on").fill("2026-01-15")
        page.get_by_label("Total (kg CO2e a year)").fill("18000000")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("alert")).to_contain_text("is not a footprint anyone has")
        page.get_by_label("Total (kg CO2e a year)").fill("")
        page.get_by_label("Food (kg)").fill("4000")
        page.get_by_label("Mobility (kg)").fill("6000")
        page.get_by_role("button", name="Save").click()

        expect(page.get_by_role("img", name="Carbon footprint per person")).to_be_visible()
        table = page.get_by_role("table", name="Footprints recorded")
        expect(table).to_contain_text("5.0")
        expect(table).to_contain_text("10.0")
        for title, _category, _change in CHOICES:
            expect(page.get_by_role("link", name=title)).to_be_visible()
        # Nothing wider than the phone's screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        if os.environ.get("SCREENSHOTS"):
            page.screenshot(path=os.environ["SCREENSHOTS"] + "/right-choices.png", full_page=True)

    household = Participant.objects.get(name="Ana and Rui")
    assert household.people == 2
    assert Choice.objects.filter(participant=household).count() == 3
    assert Footprint.objects.get(participant=household).total_kg == 10000

    neighbour = make_user(username="leo")
    participant_join(actor=neighbour, kind="citizen", subtype="person", name="Léo")
    with browser_page(browser, live_server.url) as page:
        log_in_through_form(page, neighbour)
        page.goto(f"/right-choices/{household.slug}/")
        page.get_by_role("link", name="We cycle to school").click()
        page.get_by_role("button", name="I do this too").click()
        expect(page.get_by_role("status")).to_contain_text("you do this too")
        expect(page.get_by_role("link", name="Léo")).to_be_visible()
