"""Fast entry in a real Chromium, with the keyboard only: a facilitator types criteria in the
three columns with Enter, pastes a list, picks components by typing words, corrects a typo,
removes and undoes, and nothing typed is lost when the network drops."""

import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from criteria.models import Criterion, Question
from tests.factories import make_coordination_group, make_homogeneous_group, make_user
from wikispiral.tenancy import cross_tenant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _texts(group, code: str) -> list[str]:
    with cross_tenant():
        return list(
            Criterion.objects.filter(group=group, question__code=code)
            .order_by("created_at", "id")
            .values_list("text", flat=True)
        )


def _setup(language: str = "en"):
    facilitator = make_user(username="ines")
    tenant = make_coordination_group(name="Villeneuve", facilitator=facilitator)
    with cross_tenant():
        group = make_homogeneous_group(tenant=tenant, name="Young people", language=language)
    questions = {q.code: q for q in Question.objects.shared()}
    url = f"/cg/{tenant.slug}/groups/{group.slug}/criteria/"
    return facilitator, group, questions, url


def _rows(page: Page, question: Question):
    return page.locator(f"#list-q{question.pk} > li.entry-row:not(.is-removed)")


def test_a_facilitator_enters_criteria_with_the_keyboard_only(
    page: Page, browser_login, live_server: LiveServer
):
    facilitator, group, q, url = _setup()
    browser_login(facilitator)
    page.goto(url)
    q1_field = page.locator(f"#text-q{q['Q1'].pk}")
    q2_field = page.locator(f"#text-q{q['Q2'].pk}")
    q3_field = page.locator(f"#text-q{q['Q3'].pk}")

    # Q1: type, Enter, the field is empty and ready at once.
    q1_field.focus()
    page.keyboard.type("Having friends")
    page.keyboard.press("Enter")
    expect(q1_field).to_have_value("")
    expect(q1_field).to_be_focused()
    page.keyboard.type("Good helth")
    page.keyboard.press("Enter")
    expect(_rows(page, q["Q1"])).to_have_count(2)
    expect(page.locator(f"#count-q{q['Q1'].pk}")).to_have_text("2 criteria")
    expect(page.locator(f"#status-q{q['Q1'].pk}")).to_contain_text("Saved: “Good helth”.")

    # Q2 with Alt+→: one line, then a pasted list with bullets.
    page.keyboard.press("Alt+ArrowRight")
    expect(q2_field).to_be_focused()
    page.keyboard.type("Noise at night")
    page.keyboard.press("Enter")
    page.keyboard.insert_text("- Loneliness\n- Debts\n\n3. Bad housing")
    expect(page.locator(f"#lines-q{q['Q2'].pk}")).to_contain_text("3 criteria")
    page.keyboard.press("Enter")
    expect(_rows(page, q["Q2"])).to_have_count(4)
    expect(q2_field).to_have_value("")

    # Q3: a criterion with a component found by words, then taken back with Alt+Z.
    page.keyboard.press("Alt+ArrowRight")
    expect(q3_field).to_be_focused()
    page.keyboard.type("Visiting my neighbours")
    page.keyboard.press("Tab")
    combobox = page.get_by_role("combobox", name="Component (optional):").nth(2)
    expect(combobox).to_be_focused()
    page.keyboard.type("neighb")
    expect(page.get_by_role("option", name=re.compile("D04"))).to_be_visible()
    page.keyboard.press("Enter")  # chooses the first match
    expect(combobox).to_have_value(re.compile("^D04 · "))
    page.keyboard.press("Enter")  # sends the form
    expect(q3_field).to_be_focused()
    expect(_rows(page, q["Q3"])).to_have_count(1)
    expect(_rows(page, q["Q3"]).first).to_contain_text("D04")
    page.keyboard.press("Alt+KeyZ")
    expect(_rows(page, q["Q3"])).to_have_count(0)
    expect(page.locator(f"#status-q{q['Q3'].pk}")).to_contain_text("Undone")

    page.keyboard.type("Cooking for my family")
    page.keyboard.press("Tab")
    page.keyboard.type("a01")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    expect(_rows(page, q["Q3"])).to_have_count(1)

    # Back to Q1 (Alt+← twice): Shift+Tab reaches the last row's actions; fix the typo.
    page.keyboard.press("Alt+ArrowLeft")
    page.keyboard.press("Alt+ArrowLeft")
    expect(q1_field).to_be_focused()
    page.keyboard.press("Shift+Tab")  # Remove
    page.keyboard.press("Shift+Tab")  # Edit
    page.keyboard.press("Enter")
    editor = page.get_by_label("Criterion:", exact=True)
    expect(editor).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("Good health")
    page.keyboard.press("Enter")
    expect(_rows(page, q["Q1"]).nth(1)).to_contain_text("Good health")
    expect(page.locator(f"#list-q{q['Q1'].pk} a", has_text="Edit").nth(1)).to_be_focused()

    # Remove the first criterion of Q1, then Undo from the keyboard.
    page.keyboard.press("Shift+Tab")  # Remove of the first row
    page.keyboard.press("Shift+Tab")  # Edit of the first row
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    undo = page.get_by_role("button", name=re.compile("Undo: put back “Having friends”"))
    expect(undo).to_be_focused()
    expect(_rows(page, q["Q1"])).to_have_count(1)
    page.keyboard.press("Enter")
    expect(_rows(page, q["Q1"])).to_have_count(2)

    assert sorted(_texts(group, "Q1")) == ["Good health", "Having friends"]
    assert _texts(group, "Q2") == ["Noise at night", "Loneliness", "Debts", "Bad housing"]
    assert _texts(group, "Q3") == ["Cooking for my family"]
    with cross_tenant():
        cooking = Criterion.objects.get(group=group, text="Cooking for my family")
        assert (cooking.status, cooking.component.code) == ("classified", "A01")
        assert not Criterion.objects.filter(text="Visiting my neighbours").exists()


def test_text_comes_back_when_the_network_drops_and_is_saved_once_after(
    page: Page, browser_login, live_server: LiveServer
):
    facilitator, group, q, url = _setup()
    browser_login(facilitator)
    page.goto(url)
    field = page.locator(f"#text-q{q['Q1'].pk}")
    page.route("**/criteria/add/", lambda route: route.abort("internetdisconnected"))

    field.focus()
    page.keyboard.type("Clean streets")
    page.keyboard.press("Enter")

    expect(field).to_have_value("Clean streets")
    expect(page.locator(f"#errors-q{q['Q1'].pk}")).to_contain_text("Not saved")
    assert _texts(group, "Q1") == []

    page.unroute("**/criteria/add/")
    page.keyboard.press("Enter")
    expect(_rows(page, q["Q1"])).to_have_count(1)
    expect(page.locator(f"#errors-q{q['Q1'].pk}")).to_be_empty()
    assert _texts(group, "Q1") == ["Clean streets"]


def test_a_refused_paste_comes_back_whole_with_the_faulty_line_named(
    page: Page, browser_login, live_server: LiveServer
):
    facilitator, group, q, url = _setup()
    browser_login(facilitator)
    page.goto(url)
    field = page.locator(f"#text-q{q['Q2'].pk}")
    pasted = "Noise\nDirt\n" + "x" * 1001

    field.focus()
    page.keyboard.insert_text(pasted)
    page.keyboard.press("Enter")

    expect(page.locator(f"#errors-q{q['Q2'].pk}")).to_contain_text("Line 3")
    expect(field).to_have_value(pasted)
    assert _texts(group, "Q2") == []


def test_the_picker_finds_a_component_by_words_without_accents_in_french(
    page: Page, browser_login, live_server: LiveServer
):
    facilitator, group, q, url = _setup(language="fr")
    browser_login(facilitator)
    page.goto(f"/lang/fr/?next={url}")
    field = page.locator(f"#text-q{q['Q1'].pk}")

    field.focus()
    page.keyboard.type("Être en forme")
    page.keyboard.press("Tab")
    page.keyboard.type("sante phys")
    expect(page.get_by_role("option", name=re.compile("Santé physique"))).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator(f"#component-q{q['Q1'].pk}")).to_have_value("F01")
    page.keyboard.press("Enter")

    expect(_rows(page, q["Q1"])).to_have_count(1)
    with cross_tenant():
        criterion = Criterion.objects.get(group=group)
    assert (criterion.text, criterion.language, criterion.component.code) == (
        "Être en forme",
        "fr",
        "F01",
    )
