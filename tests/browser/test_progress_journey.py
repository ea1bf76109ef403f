"""The second half of the method on a phone (issue 17), in a real Chromium at 360 x 740: a
facilitator builds a progress indicator from her platform's synthesis (picking criteria for its
low and high levels), runs an evaluation session where ten participants place the territory,
opens a co-responsibility action with three pledges, evaluates again after, and downloads the
impact report showing the change.

Only the starting point is made in the database (her platform, classified criteria of one
component in Q1 and Q2, the synthesis computed); everything else goes through the pages, from
the synthesis page on. Every page is checked for sideways scrolling at 360 px and with axe-core;
those problems, error answers and background jobs that failed are gathered and reported
together at the end so one run shows them all.

With SCREENSHOTS naming a folder (CI keeps it as an artefact), full-page screenshots of the main
steps are saved there, named progress-<step>.png.
"""

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Browser, Locator, Page, Response, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from pytest_django.live_server_helper import LiveServer

from projects.impact.document import impact_report_html
from projects.models import Action, EvaluationSession, ImpactReport, Indicator, Pledge
from syntheses.services import syntheses_recompute_all
from tests.browser.helpers import browser_page, log_in_through_form
from tests.factories import (
    make_coordination_group,
    make_criterion,
    make_homogeneous_group,
    make_user,
)
from wikispiral.jobs.models import Job
from wikispiral.tenancy import cross_tenant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 360
PHONE = {"viewport": {"width": WIDTH, "height": 740}, "is_mobile": True, "has_touch": True}
# How long the report's page is reloaded while a worker draws it (inline in tests: at once).
REPORT_WAIT_MS = 90_000
AXE = Axe()
# The platform page's links (their wording may carry counts: "2 evaluation sessions...").
EVALUATIONS = re.compile(r"^(\d+ )?evaluation", re.IGNORECASE)
ACTIONS = re.compile(r"co-responsibility action", re.IGNORECASE)

HIGH = ("Fresh fish at the market every morning", "A vegetable garden for each family")
LOW = ("Children go to school hungry", "Food prices too high for the pension")
TITLE = "Eating well in Praia"
# Title, date, participants per level (worst first), the median the session page shows.
BEFORE = ("Market women, before the kitchen", "2026-01-15", ["2", "3", "3", "1", "1"], "2.5")
AFTER = ("Market women, after the kitchen", "2026-06-20", ["0", "1", "2", "4", "3"], "4")
ACTION = "A community kitchen"


@pytest.fixture(autouse=True)
def _files(settings, tmp_path: Path) -> None:
    """Reports land in this test's folder, never in the checkout."""
    settings.MEDIA_ROOT = tmp_path / "media"


class Journey:
    """The checks made on every page: no sideways scrolling at 360 px, no axe violation, no
    error answer; problems are gathered (asserted at the end), screenshots saved."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.problems: list[str] = []
        self.folder = os.environ.get("SCREENSHOTS")
        page.on("response", self._answered)

    def _answered(self, response: Response) -> None:
        if response.request.resource_type == "document" and response.status >= 400:
            self.problems.append(
                f"{response.request.method} {response.url}: HTTP {response.status}"
            )

    def check(self, step: str) -> None:
        page = self.page
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > WIDTH:
            self.problems.append(
                f"{step} ({page.url}): the page is {width} px wide at {WIDTH} px "
                f"(sideways scrolling); widest: {self._widest()}"
            )
        for violation in AXE.run(page).response["violations"]:
            targets = "; ".join(
                " ".join(str(part) for part in node["target"]) for node in violation["nodes"][:5]
            )
            self.problems.append(
                f"{step} ({page.url}): axe {violation['id']} ({violation['impact']}, "
                f"{len(violation['nodes'])} nodes): {violation['help']} [{targets}]"
            )
        if self.folder:
            Path(self.folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(self.folder) / f"progress-{step}.png"), full_page=True)

    def tap(self, target: Locator) -> None:
        """Tap target; when it cannot be (on a page wider than the screen, something else lies
        under the finger), fail with what was found so far, the likely cause."""
        try:
            target.click()
        except PlaywrightTimeoutError as error:
            found = "\n".join(self.problems) or "nothing"
            raise AssertionError(
                f"{self.page.url}: {target} cannot be tapped ({error.message.splitlines()[0]});"
                f" problems found so far:\n{found}"
            ) from error

    def _widest(self) -> str:
        """The elements that stick out on the right, for the failure's message."""
        return self.page.evaluate(
            """width => [...document.querySelectorAll('main *')]
                .filter(el => el.getBoundingClientRect().right > width + 0.5)
                .filter(el => !el.closest('.table-scroll')
                    || getComputedStyle(el).position === 'absolute')
                .slice(0, 5)
                .map(el => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}`
                    + `${el.className && typeof el.className === 'string'
                        ? '.' + el.className.trim().split(/\\s+/).join('.') : ''}`
                    + ` (right ${Math.round(el.getBoundingClientRect().right)} px)`)
                .join(', ')""",
            WIDTH,
        )


def _heading(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def _group_page_link(page: Page, name: str | re.Pattern[str]) -> None:
    """Back to the platform's page through the breadcrumbs, then one of its progress links."""
    page.get_by_role("navigation", name="Breadcrumbs").get_by_role("link").first.click()
    section = page.get_by_role("region", name="Indicators, evaluations and actions")
    section.get_by_role("link", name=name).click()


def _session(
    page: Page, journey: Journey, step: str, values: tuple[str, str, list[str], str]
) -> None:
    """From the evaluations' list: a session of ten participants on the indicator, its tally,
    published."""
    title, held_on, tally, median = values
    page.get_by_role("link", name="New evaluation session").click()
    expect(_heading(page)).to_have_text("New evaluation session")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Date of the session").fill(held_on)
    page.get_by_label("Who evaluated").select_option(label="Market women")
    page.get_by_label("Number of participants").fill("10")
    page.get_by_role("checkbox", name=TITLE).check()
    journey.check(f"{step}-session-new")
    page.get_by_role("button", name="Create the session").click()

    expect(_heading(page)).to_have_text(f"Placements: {title}")
    tally_fields = page.get_by_role("group", name=TITLE).get_by_role("spinbutton")
    expect(tally_fields).to_have_count(5)
    for field, count in zip(tally_fields.all(), tally, strict=True):
        field.fill(count)
    journey.check(f"{step}-placements")
    page.get_by_role("button", name="Save the placements").click()

    expect(_heading(page)).to_have_text(title)
    expect(page.get_by_text("10 placements are recorded.")).to_be_visible()
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_text("The session is published")).to_be_visible()
    result = page.get_by_role("region", name=TITLE, exact=True)
    expect(result).to_contain_text(f"(level {median})")
    expect(result.get_by_role("table")).to_contain_text("10")
    journey.check(f"{step}-session")


def test_a_facilitator_builds_an_indicator_evaluates_acts_and_reports_the_change_on_a_phone(
    browser: Browser, live_server: LiveServer
):
    amina = make_user(username="amina", display_name="Amina")
    tenant = make_coordination_group(name="Praia", facilitator=amina)
    with cross_tenant():
        group = make_homogeneous_group(tenant=tenant, name="Market women", language="en")
    for text in HIGH:
        make_criterion(tenant=tenant, group=group, text=text, question="Q1", component="A01")
    for text in LOW:
        make_criterion(tenant=tenant, group=group, text=text, question="Q2", component="A01")
    syntheses_recompute_all()
    synthesis_url = reverse("syntheses:synthesis", kwargs={"key": f"cg-{tenant.pk}"})

    with browser_page(browser, live_server.url, **PHONE) as page:
        journey = Journey(page)
        log_in_through_form(page, amina)

        # The synthesis of her platform leads on to its progress indicators.
        page.goto(synthesis_url)
        expect(_heading(page)).to_have_text("Synthesis Praia")
        journey.check("synthesis")
        from_synthesis = page.get_by_role("region", name="From this synthesis")
        from_synthesis.get_by_role("link", name="Progress indicators").click()

        # None yet: a new one, its component picked among those the synthesis counts most.
        expect(_heading(page)).to_contain_text("Progress indicators")
        expect(page.get_by_text("No progress indicator yet.")).to_be_visible()
        journey.check("indicators-empty")
        page.get_by_role("link", name="New indicator").click()
        expect(_heading(page)).to_have_text("New progress indicator")
        top = page.get_by_role("table", name=re.compile("^Components with the most criteria"))
        food = top.get_by_role("row").filter(has_text="A01")
        expect(food).to_contain_text("4")  # two criteria of Q1, two of Q2
        journey.check("indicator-pick")
        food.get_by_role("link").click()

        # The scale: five levels by default; ill-being criteria behind the low ones,
        # well-being criteria behind the high ones.
        expect(_heading(page)).to_have_text("New progress indicator")
        page.get_by_label("Title").fill(TITLE)
        page.get_by_label("What it measures").fill("Whether every household eats well.")
        levels = {
            1: (LOW[0],),
            2: (LOW[1],),
            4: (HIGH[1],),
            5: (HIGH[0],),
        }
        for position, texts in levels.items():
            level = page.locator(f"fieldset#level-{position}")
            level.get_by_text("Criteria behind this level").click()
            for text in texts:
                level.get_by_role("checkbox", name=text).check()
        page.get_by_role("group", name="Level 3 of 5").get_by_label(
            "The situation, in the citizens' words"
        ).fill("Enough to eat, but not always what we like.")
        journey.check("indicator-new")
        page.get_by_role("button", name="Save", exact=True).click()

        # Saved as a draft, with the criteria behind its levels; then published.
        expect(_heading(page)).to_have_text(TITLE)
        expect(page.get_by_text("Draft: only the platform's members see it")).to_be_visible()
        scale = page.get_by_role("region", name="The scale, from the worst situation to the ideal")
        expect(scale.get_by_text("1 criterion behind this level")).to_have_count(4)
        journey.check("indicator-draft")
        page.get_by_role("link", name="Edit", exact=True).click()
        expect(_heading(page)).to_have_text(f"Editing {TITLE}")
        page.get_by_label(re.compile(r"^Status:?$")).select_option(label="Published")
        journey.check("indicator-edit")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(_heading(page)).to_have_text(TITLE)
        expect(page.get_by_text("Draft: only the platform's members see it")).to_have_count(0)
        expect(page.get_by_text("This indicator has not been evaluated yet.")).to_be_visible()
        journey.check("indicator")

        # The first evaluation: ten participants place the territory (2, 3, 3, 1, 1).
        _group_page_link(page, EVALUATIONS)
        expect(_heading(page)).to_have_text("Evaluations of Praia")
        journey.check("evaluations-empty")
        _session(page, journey, "before", BEFORE)

        # An action aimed at the indicator, opened as a draft, then published.
        _group_page_link(page, ACTIONS)
        expect(_heading(page)).to_have_text("Co-responsibility actions")
        journey.check("actions-empty")
        page.get_by_role("link", name="Open an action").click()
        expect(_heading(page)).to_have_text("Open an action")
        page.get_by_label("Title").fill(ACTION)
        page.get_by_label("Description").fill("Cook together twice a week in the old school.")
        page.get_by_label(re.compile(r"^State:?$")).select_option(label="Under way")
        page.get_by_label("Starts on").fill("2026-02-01")
        page.get_by_role("group", name="Indicators it aims to improve").get_by_role(
            "checkbox", name=TITLE
        ).check()
        page.get_by_role("group", name="Homogeneous groups behind it").get_by_role(
            "checkbox", name="Market women"
        ).check()
        journey.check("action-new")
        page.get_by_role("button", name="Open the action").click()
        expect(_heading(page)).to_have_text(ACTION)
        expect(
            page.get_by_text("Draft: only the members of the coordination group")
        ).to_be_visible()
        journey.check("action-draft")
        page.get_by_role("button", name="Publish the action").click()
        expect(page.get_by_text("The action is published.")).to_be_visible()
        expect(page.get_by_text("Draft: only the members of the coordination group")).to_have_count(
            0
        )
        aims = page.get_by_role("region", name="What it aims to improve")
        expect(aims.get_by_role("listitem").filter(has_text=TITLE)).to_be_visible()

        # Three pledges: hers as a person (with an amount), an organisation's, a public body's.
        pledges = [
            ("A person", "", "Time", "Cooking on Saturdays", "12", "hours"),
            (
                "A member organisation",
                "Fishers' cooperative",
                "Equipment",
                "Pots and a stove",
                "",
                "",
            ),
            ("A public body", "Praia town hall", "A place", "The old school canteen", "", ""),
        ]
        for pledger, name, offer, words, amount, unit in pledges:
            form = page.get_by_role("form", name="Make a pledge")
            form.get_by_role("radio", name=pledger, exact=True).check()
            if name:
                form.get_by_label("Name of the organisation or public body").fill(name)
            form.get_by_role("radio", name=offer, exact=True).check()
            form.get_by_label("In a few words").fill(words)
            if amount:
                form.get_by_label("Amount").fill(amount)
                form.get_by_label("Unit").fill(unit)
            if pledger == "A person":
                journey.check("pledge-form")
            form.get_by_role("button", name="Pledge").click()
            expect(page.get_by_text("Thank you: your pledge is recorded.")).to_be_visible()
        section = page.get_by_role("region", name="Pledges")
        who = section.get_by_role("table", name="Who offers what")
        expect(who.get_by_role("row")).to_have_count(4)
        expect(who).to_contain_text("12 hours")
        # The town hall kept its word.
        section.get_by_role("button", name=re.compile("^Mark kept .*Praia town hall")).click()
        expect(page.get_by_text("The pledge is marked kept.")).to_be_visible()
        section = page.get_by_role("region", name="Pledges")
        expect(section).to_contain_text("3 pledges made, 1 kept")
        journey.check("action-pledges")

        # The second evaluation, months later: the territory placed higher (0, 1, 2, 4, 3).
        _group_page_link(page, EVALUATIONS)
        expect(_heading(page)).to_have_text("Evaluations of Praia")
        _session(page, journey, "after", AFTER)

        # The action measured between the two: the median moved up.
        _group_page_link(page, ACTIONS)
        page.get_by_role("link", name=ACTION).click()
        expect(_heading(page)).to_have_text(ACTION)
        change = page.get_by_role("region", name="Before and after")
        change.get_by_label("Evaluation before the action").select_option(
            label=f"{BEFORE[0]} ({BEFORE[1]})"
        )
        change.get_by_label("Evaluation after the action").select_option(
            label=f"{AFTER[0]} ({AFTER[1]})"
        )
        change.get_by_role("button", name="Save the evaluations").click()
        expect(page.get_by_text("The evaluations before and after are saved.")).to_be_visible()
        change = page.get_by_role("region", name="Before and after")
        expect(change.get_by_text("The median moved up by 1.5 levels", exact=True)).to_be_visible()
        medians = change.locator("dl.evaluation-medians")
        expect(medians).to_contain_text("Median before")
        expect(medians).to_contain_text("(2.5)")
        expect(medians).to_contain_text("(4)")
        journey.check("action-change")

        # Its impact report: asked for from the action's page, drawn, downloaded.
        reports = page.get_by_role("region", name="Impact reports")
        expect(reports.get_by_text("No impact report yet.")).to_be_visible()
        reports.get_by_label("Language of the report").select_option("en")
        journey.tap(reports.get_by_role("button", name="Draw an impact report (PDF)"))
        expect(_heading(page)).to_have_text(f"Impact report: {ACTION}")
        download = page.get_by_role("link", name=re.compile(r"^Download the report \(PDF, \d+"))
        waited = 0
        while not download.count() and waited < REPORT_WAIT_MS:
            # Drawn by a worker: the page updates itself (htmx); reload too, as without it.
            page.wait_for_timeout(1000)
            waited += 1000
            if not download.count():
                page.reload()
        expect(download).to_be_visible()
        journey.check("impact-report")
        with page.expect_download() as downloading:
            download.click()
        pdf = Path(downloading.value.path()).read_bytes()
        assert pdf.startswith(b"%PDF"), pdf[:100]
        assert downloading.value.suggested_filename.endswith(".pdf")

        # Back on the action's page, the report is listed for whoever reads it later.
        page.get_by_role("link", name="All the impact reports of this action").click()
        expect(_heading(page)).to_have_text(f"Impact reports: {ACTION}")
        listed = page.get_by_role("region", name="Impact reports")
        expect(
            listed.get_by_role("link", name=re.compile("^Impact report in English of "))
        ).to_be_visible()
        page.get_by_role("link", name="Back to the action").click()
        expect(_heading(page)).to_have_text(ACTION)
        reports = page.get_by_role("region", name="Impact reports")
        expect(
            reports.get_by_role("link", name=re.compile("^Impact report in English of "))
        ).to_be_visible()

    with cross_tenant():
        indicator = Indicator.objects.get(tenant=tenant)
        assert indicator.status == Indicator.Status.PUBLISHED
        sessions = list(EvaluationSession.objects.filter(tenant=tenant).order_by("held_on"))
        assert [s.status for s in sessions] == [EvaluationSession.Status.PUBLISHED] * 2
        action = Action.objects.get(tenant=tenant)
        assert (action.published, action.before, action.after) == (True, *sessions)
        kept = dict(Pledge.objects.filter(action=action).values_list("name", "state"))
        assert kept == {"": "offered", "Fishers' cooperative": "offered", "Praia town hall": "kept"}
        report = ImpactReport.objects.get(tenant=tenant)
        # Every background job the journey started (syntheses, evaluations' roll-ups, the
        # report) ran to its end.
        for job in Job.objects.exclude(state=Job.State.DONE).order_by("pk"):
            journey.problems.append(
                f"job {job.pk} ({job.kind}, {job.key}) ended {job.state}: {job.message}"
            )
    assert (report.status, report.action_id, report.language) == ("done", action.pk, "en")
    # The report holds both medians and the move, and its document says so.
    (frozen_change,) = report.frozen["actions"][0]["changes"]
    assert frozen_change["before"] == {"counts": [2, 3, 3, 1, 1], "median": 2.5}
    assert frozen_change["after"] == {"counts": [0, 1, 2, 4, 3], "median": 4}
    assert frozen_change["moved"] == 1.5
    html = impact_report_html(frozen=report.frozen)
    assert TITLE in html and "+1.5" in html and "Praia town hall" in html

    assert not journey.problems, "\n".join(journey.problems)
