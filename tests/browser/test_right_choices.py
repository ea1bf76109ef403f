"""The right choices in a real Chromium, on a phone-sized screen: a citizen joins, records three
choices and a footprint, and sees them on the household's page (chart and table), signs up for
a workshop and approves a charter; the project's summary shows them once the Celery job ran;
another participant says "I do this too"."""

import datetime
import os

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from projects.models import CharterVote, Choice, Footprint, Participant, WorkshopSignup
from projects.services import charter_draft, charter_open, participant_join, workshop_create
from tests.browser.helpers import browser_page, log_in_through_form
from tests.factories import make_coordination_group, make_country, make_user

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
    facilitator = make_user(username="fac")
    make_coordination_group(facilitator=facilitator)
    workshop = workshop_create(
        actor=facilitator,
        title="Eating well on a budget",
        starts_at=timezone.now() + datetime.timedelta(days=3),
        time_zone="Europe/Paris",
        duration_minutes=90,
        languages=["en", "fr"],
        meeting_url="https://meet.example.org/food",
        capacity=20,
    )
    charter = charter_draft(actor=facilitator, title="Our food charter")
    charter_open(
        charter=charter, actor=facilitator, closes_at=timezone.now() + datetime.timedelta(days=7)
    )

    with browser_page(browser, live_server.url, **PHONE) as page:
        log_in_through_form(page, citizen)
        page.goto("/right-choices/")
        page.get_by_role("link", name="Join the project").click()
        # One choice, grouped by kind: a family says citizen (projects.forms.JoinForm).
        page.get_by_role("group", name="Citizen").get_by_label("A family").check()
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

        page.goto("/right-choices/")
        page.get_by_role("link", name="Workshops").click()
        page.get_by_role("link", name="Eating well on a budget").click()
        page.get_by_role("button", name="Sign up").click()
        expect(page.get_by_role("status")).to_contain_text("You are on the list.")
        expect(page.get_by_role("link", name=workshop.meeting_url)).to_be_visible()

        page.goto("/right-choices/charters/")
        page.get_by_role("link", name="Our food charter").click()
        # The rule the vote decides by is there before anyone votes.
        expect(page.get_by_role("heading", name="How the vote decides")).to_be_visible()
        expect(page.get_by_text("the vote decides with at least 5 voices")).to_be_visible()
        page.get_by_label("I approve", exact=True).check()
        page.get_by_role("button", name="Give my voice").click()
        expect(page.get_by_role("status")).to_contain_text("Your voice is counted.")

        # The summary job ran after each commit (Celery inline here).
        page.goto("/right-choices/")
        page.get_by_role("link", name="The project in figures").click()
        expect(page.get_by_text("3 choices recorded")).to_be_visible()
        expect(page.get_by_text("1 participant recorded a footprint")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

    household = Participant.objects.get(name="Ana and Rui")
    assert household.people == 2
    assert Choice.objects.filter(participant=household).count() == 3
    assert Footprint.objects.get(participant=household).total_kg == 10000
    assert WorkshopSignup.objects.get(workshop=workshop).participant == household
    assert CharterVote.objects.get(charter=charter).voice == "approve"

    neighbour = make_user(username="leo")
    participant_join(actor=neighbour, kind="citizen", subtype="individual", name="Léo")
    with browser_page(browser, live_server.url) as page:
        log_in_through_form(page, neighbour)
        page.goto(f"/right-choices/{household.slug}/")
        page.get_by_role("link", name="We cycle to school").click()
        page.get_by_role("button", name="I do this too").click()
        expect(page.get_by_role("status")).to_contain_text("you do this too")
        expect(page.get_by_role("link", name="Léo")).to_be_visible()


def test_a_household_answers_the_spiral_questions_on_a_phone(
    browser: Browser, live_server: LiveServer
):
    from criteria.models import Criterion, Question
    from wikispiral.tenancy import cross_tenant

    citizen = make_user(username="mia")
    household = participant_join(
        actor=citizen, kind="citizen", subtype="family", name="Mia's home", people=3
    )
    household.country = make_country()
    household.save(update_fields=["country"])
    questions = {q.code: q.text("en") for q in Question.objects.shared()}

    with browser_page(browser, live_server.url, **PHONE) as page:
        log_in_through_form(page, citizen)
        page.goto(f"/right-choices/{household.slug}/")
        page.get_by_role("link", name="Answer the SPIRAL questions").click()
        page.get_by_label(questions["Q1"]).fill("- Quiet evenings\n- Good bread")
        page.get_by_label(questions["Q3"]).fill("We lend our tools")
        # A date in the future is refused, and what was typed is kept.
        page.get_by_label("Date of the answers").fill("2099-01-01")
        page.get_by_role("button", name="Save the answers").click()
        expect(page.get_by_role("alert")).to_contain_text("cannot be in the future")
        expect(page.get_by_label(questions["Q1"])).to_have_value("- Quiet evenings\n- Good bread")
        page.get_by_label("Date of the answers").fill("2026-10-03")
        page.get_by_role("button", name="Save the answers").click()

        expect(page.get_by_role("status")).to_contain_text("3 answers are recorded")
        expect(page.get_by_role("heading", name="3 answers")).to_be_visible()
        expect(page.get_by_text("waiting to be classified")).to_have_count(3)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        # Taken back from the keyboard.
        page.get_by_role("button", name="Take back: Good bread").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("status")).to_contain_text("The answer is taken back.")
        expect(page.get_by_role("heading", name="2 answers")).to_be_visible()
        # Pooled with the other citizens of France: no homogeneous group of one.
        page.get_by_role("link", name="The synthesis of the answers pooled in France").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Answers of the citizens")

    with cross_tenant():
        texts = sorted(
            Criterion.objects.filter(participant_answer__participant=household).values_list(
                "text", flat=True
            )
        )
    assert texts == ["Quiet evenings", "We lend our tools"]
