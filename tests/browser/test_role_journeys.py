"""One journey per role in a real Chromium on a phone (390 x 844, touch), each through the pages
a person of that role uses on an ordinary day:

- the facilitator, with the keyboard only (Tab, Shift+Tab, Enter and typing; no click): logs in,
  lands on My wikispiral, enters criteria for her homogeneous group, classifies one from the
  queue, reads it in her group's synthesis and has a PDF report drawn;
- a citizen, with JavaScript off: signs up, confirms her address, joins the right choices from
  My wikispiral and records a choice;
- the secretariat: finds the application waiting on My wikispiral, approves it, and the group is
  in the directory;
- an anonymous reader: opens the menu, browses the syntheses down from the network to a country
  (its map) and a group, and follows a feed.

With SCREENSHOTS naming a folder (CI keeps it as an artefact), each journey saves full-page
screenshots of its main steps there, named <role>-<step>.png.
"""

import os
import re
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import Browser, Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from criteria.models import Criterion, Question
from projects.models import Choice, Participant
from syntheses.models import Report
from syntheses.services import syntheses_recompute_all
from territories.models import Application, CoordinationGroup
from tests.browser.helpers import browser_page, log_in_through_form
from tests.factories import (
    DEFAULT_PASSWORD,
    make_application,
    make_coordination_group,
    make_country,
    make_criterion,
    make_homogeneous_group,
    make_page,
    make_user,
    network_space,
)
from wikispiral.tenancy import cross_tenant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
# Enough Tab presses to cross any page of the journey; a target never reached fails the test.
TAB_LIMIT = 150


@pytest.fixture(autouse=True)
def _files(settings, tmp_path: Path) -> None:
    """Reports and uploads land in this test's folder, never in the checkout."""
    settings.MEDIA_ROOT = tmp_path / "media"


def _ends_with(path: str) -> re.Pattern[str]:
    return re.compile(re.escape(path) + r"(\?.*)?$")


def _shot(page: Page, role: str, step: str) -> None:
    """A full-page screenshot of this step, when SCREENSHOTS names a folder."""
    folder = os.environ.get("SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{role}-{step}.png"), full_page=True)


def _fits_the_screen(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _has_focus(target: Locator) -> bool:
    return target.evaluate("element => element === document.activeElement")


def _focused(page: Page) -> str:
    """What has the focus, for a failure's message (a CI log is all we see)."""
    return page.evaluate(
        "() => (document.activeElement ? document.activeElement.outerHTML : '').slice(0, 300)"
    )


def _tab_to(page: Page, target: Locator, *, backwards: bool = False) -> int:
    """Press Tab (Shift+Tab backwards) until target has the focus, as a keyboard user moves
    through a page; returns how many presses it took."""
    key = "Shift+Tab" if backwards else "Tab"
    expect(target).to_be_attached()
    for presses in range(TAB_LIMIT + 1):
        if _has_focus(target):
            return presses
        page.keyboard.press(key)
    raise AssertionError(
        f"{TAB_LIMIT} presses of {key} never reached {target}; focus on {_focused(page)}"
    )


def _follow(page: Page, link: Locator, *, backwards: bool = False) -> None:
    """Reach a link with the keyboard and follow it with Enter."""
    _tab_to(page, link, backwards=backwards)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _menu_summary(page: Page) -> Locator:
    """The header's menu, a <details> whose <summary> says "Menu"."""
    return page.get_by_role("banner").get_by_text("Menu", exact=True)


def _open_menu_by_keyboard(page: Page, *, backwards: bool = False) -> None:
    _tab_to(page, _menu_summary(page), backwards=backwards)
    page.keyboard.press("Enter")
    expect(page.get_by_role("navigation", name="Site")).to_be_visible()


# --- 1. The facilitator's day, with the keyboard only --------------------------------------------


def test_a_facilitator_spends_her_day_with_the_keyboard_only_on_a_phone(
    browser: Browser, live_server: LiveServer
):
    amina = make_user(username="amina", display_name="Amina")
    tenant = make_coordination_group(name="Praia", facilitator=amina)
    with cross_tenant():
        group = make_homogeneous_group(tenant=tenant, name="Market women", language="en")
    questions = {question.code: question for question in Question.objects.shared()}
    q1, q2 = (questions[code].short_name("en") for code in ("Q1", "Q2"))

    with browser_page(browser, live_server.url, **PHONE) as page:
        # Log in: Tab to each field, type, Enter sends the form.
        page.goto(reverse("accounts:login"))
        _tab_to(page, page.get_by_label("Username or email address"))
        page.keyboard.type(amina.username)
        page.keyboard.press("Tab")
        expect(page.get_by_label("Password")).to_be_focused()
        page.keyboard.type(DEFAULT_PASSWORD)
        with page.expect_navigation():
            page.keyboard.press("Enter")

        # My wikispiral: her group, its homogeneous group still without criteria.
        expect(page).to_have_url(_ends_with(reverse("mine:home")))
        expect(page.get_by_role("heading", level=1, name="My wikispiral")).to_be_visible()
        expect(page.get_by_role("heading", level=3, name="Praia")).to_be_visible()
        assert _fits_the_screen(page)
        _shot(page, "facilitator", "my-wikispiral")
        _follow(page, page.get_by_role("link", name="Market women", exact=True))

        # Entry: Enter saves and gives the field back; Alt+→ goes to the next question.
        expect(page.get_by_role("heading", level=1)).to_have_text("Criteria of Market women")
        first = page.get_by_role("textbox", name=f"New criterion for “{q1}”:")
        _tab_to(page, first)
        page.keyboard.type("Fresh bread every morning")
        page.keyboard.press("Enter")
        expect(first).to_have_value("")
        expect(first).to_be_focused()
        expect(page.get_by_text("Fresh bread every morning", exact=True)).to_be_visible()
        page.keyboard.press("Alt+ArrowRight")
        second = page.get_by_role("textbox", name=f"New criterion for “{q2}”:")
        expect(second).to_be_focused()
        page.keyboard.type("No bus after eight")
        page.keyboard.press("Enter")
        expect(second).to_have_value("")
        expect(page.get_by_text("No bus after eight", exact=True)).to_be_visible()
        assert _fits_the_screen(page)
        _shot(page, "facilitator", "entry")

        # Back up (Shift+Tab) to the menu, to My wikispiral, then to the queue.
        _open_menu_by_keyboard(page, backwards=True)
        _follow(page, page.get_by_role("link", name="My wikispiral", exact=True))
        _follow(page, page.get_by_role("link", name="2 criteria waiting for classification"))

        # The queue, oldest first: "/" goes to the picker, the code and Enter choose, Enter
        # classifies; the item leaves.
        expect(page.get_by_role("heading", level=1, name="Classification queue")).to_be_visible()
        items = page.get_by_role("list").filter(has=page.get_by_role("combobox"))
        expect(items.get_by_role("listitem")).to_have_count(2)
        item = items.get_by_role("listitem").first
        expect(item).to_have_accessible_name("Fresh bread every morning")
        assert _fits_the_screen(page)
        _shot(page, "facilitator", "classification-queue")
        combobox = item.get_by_role("combobox")
        if not _has_focus(combobox):
            page.keyboard.press("/")
        expect(combobox).to_be_focused()
        page.keyboard.type("A01")
        expect(combobox).to_have_attribute("aria-expanded", "true")
        _shot(page, "facilitator", "classification-picking")
        page.keyboard.press("Enter")
        expect(combobox).to_have_attribute("aria-expanded", "false")
        with page.expect_response(
            lambda response: (
                response.request.method == "POST" and response.url.endswith("/classify/")
            )
        ) as posted:
            page.keyboard.press("Enter")
        assert posted.value.status == 200, posted.value.text()[:2000]
        expect(page.get_by_text("Fresh bread every morning", exact=True)).to_have_count(0)
        expect(page.get_by_text("No bus after eight", exact=True)).to_be_visible()

        # The synthesis was recomputed after the commit (jobs run inline here): My wikispiral
        # counts the one classified criterion and leads to the group's synthesis.
        _open_menu_by_keyboard(page, backwards=True)
        _follow(page, page.get_by_role("link", name="My wikispiral", exact=True))
        expect(page.get_by_role("article", name="Praia")).to_contain_text("1 criterion, computed")
        _follow(page, page.get_by_role("link", name="Synthesis", exact=True))
        expect(page.get_by_role("heading", level=1)).to_have_text("Synthesis Praia")
        table = page.get_by_role("table", name=re.compile("^Criteria per family and component"))
        expect(table.get_by_role("link", name=re.compile("Food"))).to_be_visible()
        # The first figure counts the criteria: the one not classified yet is not published.
        expect(page.get_by_role("definition").first).to_have_text("1")
        assert _fits_the_screen(page)
        _shot(page, "facilitator", "synthesis")

        # A PDF report of the synthesis: asked for, drawn, listed.
        _follow(page, page.get_by_role("button", name="Draw a PDF report"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Report: Praia")
        download = page.get_by_role("link", name=re.compile(r"^Download the report \(PDF, \d+"))
        expect(download).to_be_visible()
        _shot(page, "facilitator", "report")
        pdf = page.request.get(download.get_attribute("href") or "")
        assert pdf.status == 200
        assert pdf.body().startswith(b"%PDF")
        _follow(page, page.get_by_role("link", name="All the reports of this synthesis"))
        expect(page.get_by_role("link", name=re.compile("^Report in English of "))).to_be_visible()

        # At the end of the day My wikispiral shows where things stand.
        _open_menu_by_keyboard(page)
        _follow(page, page.get_by_role("link", name="My wikispiral", exact=True))
        card = page.get_by_role("article", name="Praia")
        expect(
            card.get_by_role("link", name="1 criterion waiting for classification")
        ).to_be_visible()
        expect(card.get_by_role("link", name="Report (EN)")).to_be_visible()
        _shot(page, "facilitator", "my-wikispiral-after")

    with cross_tenant():
        classified = dict(
            Criterion.objects.filter(group=group).values_list("text", "component__code")
        )
    assert classified == {"Fresh bread every morning": "A01", "No bus after eight": None}
    report = Report.objects.get()
    assert (report.status, report.language, report.created_by) == ("done", "en", amina)


# --- 2. A citizen joins the right choices, without JavaScript ------------------------------------


def test_a_citizen_signs_up_joins_the_right_choices_and_records_a_choice_on_a_phone(
    browser: Browser, live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
):
    make_country()
    # The sign-up form refuses forms sent within seconds of being shown (robots): no waiting.
    monkeypatch.setattr("wikispiral.accounts.forms.FORM_MIN_FILL_SECONDS", 0)

    with browser_page(browser, live_server.url, java_script_enabled=False, **PHONE) as page:
        page.goto("/")
        _menu_summary(page).click()
        page.get_by_role("link", name="Create an account").click()
        page.get_by_label("Username:", exact=True).fill("ana")
        page.get_by_label("Email address:", exact=True).fill("ana@example.org")
        page.get_by_label("Password:", exact=True).fill(DEFAULT_PASSWORD)
        page.get_by_label("Password, again:", exact=True).fill(DEFAULT_PASSWORD)
        _shot(page, "citizen", "sign-up")
        page.get_by_role("button", name="Create my account").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

        # The link in the email, then the button that confirms (and logs in).
        (message,) = mail.outbox
        link = re.search(r"https?://[^\s]+/confirm[^\s]*", message.body)
        assert link is not None, message.body
        page.goto(re.sub(r"^https?://[^/]+", "", link.group(0)))
        page.get_by_role("main").get_by_role("button").click()
        expect(page.get_by_role("status")).to_contain_text("your email address is confirmed")

        _menu_summary(page).click()
        page.get_by_role("link", name="My wikispiral", exact=True).click()
        expect(page.get_by_role("heading", level=2, name="Where to start")).to_be_visible()
        _shot(page, "citizen", "my-wikispiral-new")
        page.get_by_role("main").get_by_role(
            "link", name="Together let's learn to make the right choices"
        ).click()
        page.get_by_role("link", name="Join the project").click()

        # The join form: radios grouped by kind, no script needed.
        page.get_by_role("group", name="Citizen").get_by_label("A family").check()
        page.get_by_label("Name").fill("Ana and Rui")
        page.get_by_label("People it covers").fill("2")
        page.get_by_label("Country").select_option(label="France")
        _shot(page, "citizen", "join")
        page.get_by_role("button", name="Join").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Ana and Rui")

        page.get_by_role("link", name="Record a choice").click()
        page.get_by_label("Your choice").fill("We cycle to school")
        page.get_by_label("Category").select_option(label="Mobility")
        page.get_by_label("Started on").fill("2026-09-01")
        page.get_by_label("Estimated change of emissions (kg CO2e a year)").fill("-450")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("status")).to_contain_text("Your choice is recorded.")
        page.get_by_role("link", name="Ana and Rui").click()

        expect(page.get_by_role("link", name="We cycle to school")).to_be_visible()
        assert _fits_the_screen(page)
        _shot(page, "citizen", "her-page")

        # My wikispiral now lists her household.
        _menu_summary(page).click()
        page.get_by_role("link", name="My wikispiral", exact=True).click()
        right_choices = page.get_by_role(
            "article", name="Together let's learn to make the right choices"
        )
        expect(right_choices.get_by_role("link", name="Ana and Rui")).to_be_visible()
        assert _fits_the_screen(page)
        _shot(page, "citizen", "my-wikispiral")

    household = Participant.objects.get(name="Ana and Rui")
    assert household.people == 2
    assert household.created_by.username == "ana"
    assert list(Choice.objects.filter(participant=household).values_list("title", flat=True)) == [
        "We cycle to school"
    ]


# --- 3. The secretariat approves an application ---------------------------------------------------


def test_the_secretariat_approves_an_application_from_my_wikispiral_on_a_phone(
    browser: Browser, live_server: LiveServer
):
    network_space()
    staff = make_user(username="sofia", secretariat=True)
    make_application(name="Villeneuve en transition", applicant_name="Jeanne")

    with browser_page(browser, live_server.url, **PHONE) as page:
        log_in_through_form(page, staff)
        expect(page).to_have_url(_ends_with(reverse("mine:home")))
        queues = page.get_by_role("region", name="The secretariat's queues")
        expect(queues).to_be_visible()
        assert _fits_the_screen(page)
        _shot(page, "secretariat", "my-wikispiral")
        queues.get_by_role("link", name="1 application awaiting action").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Applications to open a platform")
        assert _fits_the_screen(page)
        _shot(page, "secretariat", "applications")
        page.get_by_role("link", name="Villeneuve en transition").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(
            "Application of Villeneuve en transition"
        )
        assert _fits_the_screen(page)
        _shot(page, "secretariat", "application")
        page.get_by_role("button", name="Approve and open the platform").click()
        expect(page.get_by_role("status")).to_contain_text(
            "Approved: the platform Villeneuve en transition is open."
        )
        _shot(page, "secretariat", "approved")

        _menu_summary(page).click()
        page.get_by_role("link", name="Coordination groups", exact=True).click()
        page.get_by_role("main").get_by_role("link", name="Villeneuve en transition").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Villeneuve en transition")
        assert _fits_the_screen(page)
        _shot(page, "secretariat", "group")

    application = Application.objects.get()
    assert application.status == Application.Status.APPROVED
    assert CoordinationGroup.objects.get().name == "Villeneuve en transition"


# --- 4. An anonymous reader browses the syntheses ------------------------------------------------


def test_an_anonymous_reader_browses_the_syntheses_down_to_a_group_on_a_phone(
    browser: Browser, live_server: LiveServer
):
    make_page(
        space=network_space(),
        title="Welcome to wikispiral",
        slug="home",
        body="The wiki of the TOGETHER network.\n\nGroups, criteria, syntheses.",
    )
    tenant = make_coordination_group(
        name="Villeneuve-sur-Lot en transition", latitude="44.40854", longitude="0.70420"
    )
    with cross_tenant():
        group = make_homogeneous_group(tenant=tenant, name="Young people", participants=8)
    for text, question, component in [
        ("Friends to talk with", "Q1", "D03"),
        ("A doctor close to home", "Q1", "A02"),
        ("Noise of the motorway", "Q2", "B01"),
        ("Sharing my tools", "Q3", "H03"),
    ]:
        make_criterion(
            tenant=tenant, group=group, text=text, question=question, component=component
        )
    syntheses_recompute_all()

    with browser_page(browser, live_server.url, **PHONE) as page:
        page.goto("/")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome to wikispiral")
        _menu_summary(page).click()
        site = page.get_by_role("navigation", name="Site")
        expect(site.get_by_role("link", name="Syntheses")).to_be_visible()
        _shot(page, "reader", "menu-open")
        site.get_by_role("link", name="Syntheses").click()

        # The network's synthesis lists its continents; down to the country.
        expect(page.get_by_role("heading", level=1)).to_contain_text("Synthesis")
        assert _fits_the_screen(page)
        _shot(page, "reader", "network")
        page.get_by_role("region", name="Continents").get_by_role("link", name="Europe").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Europe")
        page.get_by_role("region", name="Countries").get_by_role("link", name="France").click()

        # The country: its groups on the map (each point a link) and in the browse list.
        expect(page.get_by_role("heading", level=1)).to_contain_text("France")
        expect(
            page.get_by_role("heading", name="The coordination groups on the map")
        ).to_be_visible()
        map_links = page.locator(".world-map svg a")
        expect(map_links).to_have_count(1)
        group_url = reverse("syntheses:synthesis", kwargs={"key": f"cg-{tenant.pk}"})
        assert map_links.first.get_attribute("href") == group_url
        assert _fits_the_screen(page)
        _shot(page, "reader", "country")
        browse = page.get_by_role("region", name="Coordination groups")
        browse.get_by_role("link", name="Villeneuve-sur-Lot en transition").click()

        # The group: its figures and its homogeneous groups.
        expect(page).to_have_url(_ends_with(group_url))
        expect(page.get_by_role("heading", level=1)).to_contain_text(
            "Villeneuve-sur-Lot en transition"
        )
        homogeneous = page.get_by_role("region", name="Homogeneous groups")
        expect(homogeneous.get_by_role("link", name="Young people")).to_be_visible()
        expect(page.get_by_role("definition").first).to_have_text("4")
        assert _fits_the_screen(page)
        _shot(page, "reader", "group")

        # A feed from the footer: RSS, the group in it.
        feed = page.get_by_role("contentinfo").get_by_role("link", name="Feed Coordination Groups")
        response = page.request.get(feed.get_attribute("href") or "")
        assert response.status == 200
        assert "xml" in response.headers["content-type"]
        assert response.text().lstrip().startswith("<?xml")
        assert "Villeneuve-sur-Lot en transition" in response.text()
