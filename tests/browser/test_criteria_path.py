"""The whole path of criteria in a real Chromium, with the keyboard only: a facilitator types 30
criteria after a session (ten per question), classifies them from the queue, and finds each one
on the Info criteria page under its family and component."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from criteria.models import Criterion, Question
from tests.factories import make_coordination_group, make_homogeneous_group, make_user
from wikispiral.tenancy import cross_tenant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Ten criteria per question, each with the component a facilitator would choose.
SESSION = {
    "Q1": [
        ("Fresh bread every morning", "A01"),
        ("A doctor close to home", "A02"),
        ("A warm and dry flat", "A03"),
        ("A job that pays enough", "A06"),
        ("Buses on Sunday", "A10"),
        ("Clean air in the street", "B01"),
        ("Parks for the children", "B04"),
        ("Dinner with my family", "D01"),
        ("Friends to talk with", "D03"),
        ("Feeling at peace", "F02"),
    ],
    "Q2": [
        ("Not enough to eat at the end of the month", "A01"),
        ("Waiting months for a doctor", "A02"),
        ("Mould in the bedroom", "A03"),
        ("Losing my job", "A06"),
        ("No bus after eight", "A10"),
        ("Noise of the motorway", "B01"),
        ("Dark streets at night", "B05"),
        ("Quarrels at home", "D01"),
        ("Loneliness", "G00"),
        ("Fear of the future", "G04"),
    ],
    "Q3": [
        ("Cooking with my neighbours", "A01"),
        ("Taking the bike to work", "A10"),
        ("Sorting my waste", "B01"),
        ("Planting trees in the square", "B04"),
        ("Calling my grandmother", "D01"),
        ("Greeting the neighbours", "D04"),
        ("Volunteering at the food bank", "E02"),
        ("Going to the town council", "C05"),
        ("Sharing my tools", "H03"),
        ("Buying less plastic", "I01"),
    ],
}


def _classify_first(page: Page, number: int, components: dict[str, str]) -> None:
    """Classify the first item of the queue with the keyboard, as a facilitator would."""
    item = page.locator("li[data-classify-item]").first
    expect(item).to_be_visible()
    if number:
        # The script moves the focus into the next item once the last one has gone, also
        # when the next page of the queue loads.
        expect(item.locator(":focus")).to_have_count(1)
    text = item.locator(".criterion-text").inner_text().strip()
    # After a classification the focus is on the next item's first control: its first
    # suggestion when there is one (none here: nothing was classified before), else the
    # picker itself; "/" is for when the focus is elsewhere.
    if page.evaluate("document.activeElement.getAttribute('role')") != "combobox":
        page.keyboard.press("/")
    combobox = item.get_by_role("combobox")
    expect(combobox).to_be_focused()
    page.keyboard.type(components[text])
    # The list shows the code's component first: Enter takes it, Enter again confirms.
    expect(combobox).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Enter")
    expect(combobox).to_have_attribute("aria-expanded", "false")
    with page.expect_response(
        lambda response: response.request.method == "POST" and response.url.endswith("/classify/")
    ) as posted:
        page.keyboard.press("Enter")
    assert posted.value.status == 200, posted.value.text()[:2000]
    expect(page.get_by_text(text, exact=True)).to_have_count(0)


@contextmanager
def _explained(page: Page, number: int) -> Iterator[None]:
    """A failure says which item it was and what had the focus (a CI log is all we see)."""
    try:
        yield
    except (AssertionError, PlaywrightError) as error:
        focused = page.evaluate(
            "() => (document.activeElement ? document.activeElement.outerHTML : '').slice(0, 600)"
        )
        raise AssertionError(f"item {number + 1} of the queue; focus on {focused}") from error


def test_a_facilitator_enters_classifies_and_reads_thirty_criteria_with_the_keyboard(
    page: Page, browser_login, live_server: LiveServer
):
    facilitator = make_user(username="amina")
    tenant = make_coordination_group(name="Praia", facilitator=facilitator)
    with cross_tenant():
        group = make_homogeneous_group(tenant=tenant, name="Market women", language="en")
    questions = {q.code: q for q in Question.objects.shared()}
    browser_login(facilitator)

    # 1. Fast entry: Enter saves and gives the field back; Alt+→ goes to the next question.
    page.goto(f"/cg/{tenant.slug}/groups/{group.slug}/criteria/")
    page.locator(f"#text-q{questions['Q1'].pk}").focus()
    for number, code in enumerate(("Q1", "Q2", "Q3")):
        if number:
            page.keyboard.press("Alt+ArrowRight")
        field = page.locator(f"#text-q{questions[code].pk}")
        expect(field).to_be_focused()
        for text, _component in SESSION[code]:
            page.keyboard.type(text)
            page.keyboard.press("Enter")
            expect(field).to_have_value("")
        rows = page.locator(f"#list-q{questions[code].pk} > li.entry-row:not(.is-removed)")
        expect(rows).to_have_count(10)
    with cross_tenant():
        entered = dict(Criterion.objects.filter(group=group).values_list("text", "question__code"))
    assert entered == {text: code for code, rows in SESSION.items() for text, _c in rows}

    # 2. The queue: "/" goes to the picker, typing the code and Enter chooses it, Enter
    # classifies; the item leaves and the next one has the focus.
    components = {text: component for rows in SESSION.values() for text, component in rows}
    page.goto(f"/cg/{tenant.slug}/classify/")
    for number in range(30):
        with _explained(page, number):
            _classify_first(page, number, components)
    with cross_tenant():
        classified = dict(
            Criterion.objects.filter(group=group).values_list("text", "component__code")
        )
        assert not Criterion.objects.filter(group=group).exclude(status="classified").exists()
    assert classified == components

    # 3. Info criteria: every text under its component, in its family.
    page.goto(f"/cg/{tenant.slug}/info-criteria/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Info criteria")
    for text, component in components.items():
        expect(page.locator(f"#component-{component}")).to_contain_text(text)
    expect(page.locator("#family-A")).to_contain_text("Fresh bread every morning")
