"""The light entry page (issue 16) in a real Chromium: rows without hx-* attributes still correct
and remove in place with the mouse, an inline correction finds its component in the page's one
list, a component's name shows on hover; without JavaScript, Remove posts the page's shared form
and Edit opens the correction's own page."""

import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from criteria.models import Criterion, Question
from tests.browser.helpers import browser_page, log_in_through_form
from tests.factories import (
    make_coordination_group,
    make_criterion,
    make_homogeneous_group,
    make_user,
)
from wikispiral.tenancy import cross_tenant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _setup():
    facilitator = make_user(username="ines")
    tenant = make_coordination_group(name="Villeneuve", facilitator=facilitator)
    with cross_tenant():
        group = make_homogeneous_group(tenant=tenant, name="Young people", language="en")
    first = make_criterion(
        tenant=tenant, group=group, question="Q1", text="Fresh bread", component="A01"
    )
    second = make_criterion(tenant=tenant, group=group, question="Q1", text="Quiet nights")
    q1 = Question.objects.shared().get(code="Q1")
    url = f"/cg/{tenant.slug}/groups/{group.slug}/criteria/"
    return facilitator, first, second, q1, url


def _component(criterion: Criterion) -> str | None:
    with cross_tenant():
        criterion.refresh_from_db()
        return criterion.component.code if criterion.component else None


def test_rows_correct_and_remove_in_place_with_the_mouse(
    page: Page, browser_login, live_server: LiveServer
):
    facilitator, first, second, q1, url = _setup()
    browser_login(facilitator)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    rows = page.locator(f"#list-q{q1.pk} > li.entry-row:not(.is-removed)")

    # The code's name: for screen readers in the row, on hover from the script.
    expect(page.locator(f"#criterion-{first.pk} .entry-code")).to_have_attribute(
        "title", "Food / drink"
    )
    expect(page.get_by_role("link", name="Edit Fresh bread")).to_be_visible()
    expect(page.get_by_role("button", name="Remove Quiet nights")).to_be_visible()

    # Edit: the correction replaces the row (no page load) and its picker reads the page's list.
    page.get_by_role("link", name="Edit Quiet nights").click()
    editor = page.get_by_label("Criterion:", exact=True)
    expect(editor).to_be_focused()
    assert page.url.endswith(url)
    combobox = page.get_by_role("combobox", name="Component:")
    combobox.click()
    page.keyboard.type("neighb")
    expect(page.get_by_role("option", name=re.compile("D04"))).to_be_visible()
    page.keyboard.press("Enter")
    expect(combobox).to_have_value(re.compile("^D04 · "))
    page.get_by_role("button", name="Save the correction").click()
    expect(page.locator(f"#criterion-{second.pk} .entry-code")).to_contain_text("D04")
    expect(page.locator(f"#criterion-{second.pk} .entry-code")).to_have_attribute(
        "title", re.compile("Neighbours")
    )
    assert _component(second) == "D04"

    # Edit, then Cancel: the row comes back as it was.
    page.get_by_role("link", name="Edit Fresh bread").click()
    expect(page.get_by_label("Criterion:", exact=True)).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_role("link", name="Edit Fresh bread")).to_be_focused()

    # Remove, then Undo: in place, with the count.
    page.get_by_role("button", name="Remove Fresh bread").click()
    expect(rows).to_have_count(1)
    expect(page.locator(f"#count-q{q1.pk}")).to_have_text("1 criterion")
    page.get_by_role("button", name=re.compile("Undo: put back “Fresh bread”")).click()
    expect(rows).to_have_count(2)
    assert page.url.endswith(url)
    assert errors == []


def test_without_javascript_remove_and_edit_still_work(browser, live_server: LiveServer):
    facilitator, first, second, q1, url = _setup()
    with browser_page(browser, live_server.url, java_script_enabled=False) as page:
        log_in_through_form(page, facilitator)
        page.goto(url)
        rows = page.locator(f"#list-q{q1.pk} > li.entry-row:not(.is-removed)")

        # Remove posts the page's one form (its CSRF token) to the row's own address.
        page.get_by_role("button", name="Remove Quiet nights").click()
        expect(page.locator(".messages, [role=status]").first).to_be_attached()
        expect(page.get_by_text("Removed: “Quiet nights”.").first).to_be_visible()
        expect(rows).to_have_count(1)
        with cross_tenant():
            assert not Criterion.objects.filter(pk=second.pk).exists()

        # Edit opens the correction's page, whose picker is a plain select.
        page.get_by_role("link", name="Edit Fresh bread").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Correct a criterion")
        page.locator(f"#edit-component-{first.pk}").select_option("F01")
        page.get_by_role("button", name="Save the correction").click()
        expect(page.locator(f"#criterion-{first.pk} .entry-code")).to_contain_text("F01")
        assert _component(first) == "F01"

        # The component field of an add form takes a code typed without the script.
        page.locator(f"#text-q{q1.pk}").fill("Good schools")
        page.locator(f"#component-q{q1.pk}").fill("a02")
        page.locator(f"#add-q{q1.pk}").get_by_role("button", name="Add").click()
        expect(rows).to_have_count(2)
        with cross_tenant():
            added = Criterion.objects.get(text="Good schools")
        assert _component(added) == "A02"


def _long_column():
    """Fifteen criteria for Q1: the column shows the latest twelve, three earlier ones wait."""
    facilitator = make_user(username="ines")
    tenant = make_coordination_group(name="Villeneuve", facilitator=facilitator)
    with cross_tenant():
        group = make_homogeneous_group(tenant=tenant, name="Young people", language="en")
    criteria = [
        make_criterion(tenant=tenant, group=group, question="Q1", text=f"Criterion number {n}")
        for n in range(1, 16)
    ]
    q1 = Question.objects.shared().get(code="Q1")
    url = f"/cg/{tenant.slug}/groups/{group.slug}/criteria/"
    return facilitator, criteria, q1, url


def test_the_earlier_criteria_load_in_place_and_take_the_focus(
    page: Page, browser_login, live_server: LiveServer
):
    facilitator, criteria, q1, url = _long_column()
    browser_login(facilitator)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    rows = page.locator(f"#list-q{q1.pk} > li.entry-row:not(.is-removed)")
    expect(rows).to_have_count(12)
    expect(rows.first).to_contain_text("Criterion number 4")
    expect(page.locator(f"#count-q{q1.pk}")).to_have_text("15 criteria")

    control = page.get_by_role("link", name="Show the 3 earlier criteria")
    control.focus()
    page.keyboard.press("Enter")

    expect(rows).to_have_count(15)
    expect(control).to_have_count(0)
    expect(rows.first).to_contain_text("Criterion number 1")
    expect(rows.nth(3)).to_contain_text("Criterion number 4")
    expect(page.get_by_role("link", name="Edit Criterion number 1", exact=True)).to_be_focused()
    assert page.url.endswith(url)
    assert page.locator(f"#list-q{q1.pk}").get_attribute("start") is None

    # The loaded rows work as the others: remove the oldest, then put it back.
    page.get_by_role("button", name="Remove Criterion number 1", exact=True).click()
    expect(rows).to_have_count(14)
    expect(page.locator(f"#count-q{q1.pk}")).to_have_text("14 criteria")
    page.get_by_role("button", name=re.compile("Undo: put back “Criterion number 1”")).click()
    expect(rows).to_have_count(15)
    assert errors == []


def test_without_javascript_the_control_opens_the_whole_column(browser, live_server: LiveServer):
    facilitator, criteria, q1, url = _long_column()
    with browser_page(browser, live_server.url, java_script_enabled=False) as page:
        log_in_through_form(page, facilitator)
        page.goto(f"{url}?session_date=2026-02-07")
        rows = page.locator(f"#list-q{q1.pk} > li.entry-row:not(.is-removed)")
        expect(rows).to_have_count(12)

        page.get_by_role("link", name="Show the 3 earlier criteria").click()

        expect(rows).to_have_count(15)
        assert "all=q" in page.url and "session_date=2026-02-07" in page.url
        expect(page.get_by_role("link", name="Show the 3 earlier criteria")).to_have_count(0)
        expect(rows.first).to_contain_text("Criterion number 1")

        # Removing an earlier criterion comes back to the whole column, settings kept.
        page.get_by_role("button", name="Remove Criterion number 2", exact=True).click()
        expect(page.get_by_text("Removed: “Criterion number 2”.").first).to_be_visible()
        expect(rows).to_have_count(14)
        assert "all=q" in page.url and "session_date=2026-02-07" in page.url
        with cross_tenant():
            assert not Criterion.objects.filter(pk=criteria[1].pk).exists()
