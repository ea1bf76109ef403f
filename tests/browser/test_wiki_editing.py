"""Editing a wiki page in a real Chromium: save, history, diff, conflicts, preview, keyboard."""

import re
from collections.abc import Iterator

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.helpers import browser_page, log_in_through_form
from tests.factories import make_page, make_user
from wikispiral.wiki.models import Page as WikiPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_TABS = 60


_log_in = log_in_through_form


def _edit_url(wiki_page: WikiPage) -> str:
    return reverse(
        "wiki:edit",
        kwargs={"space": wiki_page.space.slug, "lang": wiki_page.language, "slug": wiki_page.slug},
    )


def _focused(page: Page) -> str:
    """A short description of the focused element: tag#id[text]."""
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return `${e.tagName.toLowerCase()}#${e.id}[${(e.textContent || '').trim()}]`; }"
    )


def _tab_until(page: Page, pattern: str) -> None:
    """Press Tab until the focused element matches pattern (see _focused); fail after MAX_TABS."""
    seen = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if re.fullmatch(pattern, focused):
            return
        seen.append(focused)
    raise AssertionError(f"Tab never reached {pattern!r}; focus went through {seen}")


@pytest.fixture
def second_page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """Another browser context, with its own cookies: a second person at another computer."""
    with browser_page(browser, live_server.url) as page:
        yield page


@pytest.fixture
def no_js_page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    with browser_page(browser, live_server.url, java_script_enabled=False) as page:
        yield page


def test_editor_edits_page_sees_revision_in_history_and_diff(page: Page) -> None:
    editor = make_user()
    wiki_page = make_page(title="Garden notes", body="The old fence is blue.\n\nKeep this line.")
    _log_in(page, editor)

    page.goto(wiki_page.get_absolute_url())
    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Text").fill("The new fence is green.\n\nKeep this line.")
    page.get_by_label("Summary of your change").fill("Repaint the fence")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(re.compile(re.escape(wiki_page.get_absolute_url()) + "$"))
    expect(page.locator("article.wiki-content")).to_contain_text("The new fence is green.")
    expect(page.locator("article.wiki-content")).not_to_contain_text("old fence")
    expect(page.get_by_role("status")).to_contain_text("Your changes were saved.")

    page.get_by_role("link", name="History", exact=True).click()
    revisions = page.locator("ol.history > li")
    expect(revisions).to_have_count(2)
    expect(revisions.first).to_contain_text(editor.public_name)
    expect(revisions.first.locator("q")).to_have_text("Repaint the fence")

    page.get_by_role("button", name="Compare selected revisions").click()
    expect(
        page.get_by_role("heading", name="Differences between revision 1 and revision 2")
    ).to_be_visible()
    removed = " ".join(page.locator("table.diff del").all_inner_texts())
    added = " ".join(page.locator("table.diff ins").all_inner_texts())
    assert "old" in removed and "blue" in removed, removed
    assert "new" in added and "green" in added, added
    assert "Keep" not in removed + added


def test_edit_conflict_between_two_browsers_keeps_both_texts(page: Page, second_page: Page) -> None:
    alice, bob = make_user(username="alice"), make_user(username="bob")
    wiki_page = make_page(title="Meeting", body="Date: to be decided.\nPlace: the hall.\n")
    alice_page, bob_page = page, second_page
    _log_in(alice_page, alice)
    _log_in(bob_page, bob)
    alice_page.goto(_edit_url(wiki_page))
    bob_page.goto(_edit_url(wiki_page))

    alice_page.get_by_label("Text").fill("Date: Monday 3 March.\nPlace: the hall.\n")
    alice_page.get_by_label("Summary of your change").fill("Alice sets the date")
    alice_page.get_by_role("button", name="Save").click()
    expect(alice_page.get_by_role("status")).to_contain_text("Your changes were saved.")

    bob_text = "Date: Friday 7 March.\nPlace: the hall.\n"
    bob_page.get_by_label("Text").fill(bob_text)
    bob_page.get_by_label("Summary of your change").fill("Bob sets the date")
    with bob_page.expect_response(lambda r: r.request.method == "POST") as conflict_response:
        bob_page.get_by_role("button", name="Save").click()

    assert conflict_response.value.status == 409
    expect(bob_page.get_by_role("heading", name=re.compile("^Edit conflict"))).to_be_visible()
    expect(bob_page.get_by_label("Text")).to_have_value(bob_text)
    expect(bob_page.get_by_label("Summary of your change")).to_have_value("Bob sets the date")
    expect(bob_page.locator(".conflict pre")).to_contain_text("Date: Monday 3 March.")
    expect(bob_page.locator(".conflict table.diff")).to_contain_text("Friday 7")

    # Bob brings Alice's date into his text, then saves from her revision.
    merged_text = "Date: Monday 3 March (Friday 7 March if the hall is taken).\nPlace: the hall.\n"
    bob_page.get_by_label("Text").fill(merged_text)
    bob_page.get_by_role("button", name="Save").click()

    expect(bob_page.get_by_role("status")).to_contain_text("Your changes were saved.")
    expect(bob_page.locator("article.wiki-content")).to_contain_text(
        "Date: Monday 3 March (Friday 7 March if the hall is taken)."
    )
    bob_page.get_by_role("link", name="History", exact=True).click()
    expect(bob_page.locator("ol.history > li")).to_have_count(3)
    bodies = list(wiki_page.revisions.order_by("number").values_list("body", "author__username"))
    assert bodies == [
        ("Date: to be decided.\nPlace: the hall.\n", None),
        ("Date: Monday 3 March.\nPlace: the hall.\n", "alice"),
        (merged_text, "bob"),
    ]


def test_preview_works_with_htmx_without_reloading(page: Page) -> None:
    wiki_page = make_page(title="Preview me", body="Plain text.")
    _log_in(page, make_user())
    page.goto(_edit_url(wiki_page))
    # A full page load would throw this away; an htmx swap keeps it.
    page.evaluate("() => { window.__stillThisDocument = true; }")
    page.get_by_label("Text").fill("Some **bold** words.")

    with page.expect_response(lambda r: r.request.method == "POST") as preview_response:
        page.get_by_role("button", name="Preview").click()

    assert preview_response.value.request.headers.get("hx-request") == "true"
    expect(page.locator("#preview strong")).to_have_text("bold")
    expect(page.locator("#preview")).to_contain_text("Preview (not saved yet)")
    assert page.evaluate("() => window.__stillThisDocument") is True
    assert page.url.endswith(_edit_url(wiki_page))
    expect(page.get_by_label("Text")).to_have_value("Some **bold** words.")
    assert wiki_page.revisions.count() == 1


def test_pages_work_without_javascript(no_js_page: Page) -> None:
    page = no_js_page
    wiki_page = make_page(title="No script", body="Before.")
    _log_in(page, make_user())
    page.goto(wiki_page.get_absolute_url())
    page.get_by_role("link", name="Edit", exact=True).click()

    page.get_by_label("Text").fill("After, with **weight**.")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview strong")).to_have_text("weight")
    expect(page.get_by_label("Text")).to_have_value("After, with **weight**.")
    assert wiki_page.revisions.count() == 1

    page.get_by_label("Summary of your change").fill("Without script")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Your changes were saved.")
    expect(page.locator("article.wiki-content strong")).to_have_text("weight")
    assert wiki_page.revisions.count() == 2


def test_skip_link_and_edit_form_are_keyboard_usable(page: Page) -> None:
    wiki_page = make_page(title="Keyboard", body="Typed by hand.")
    _log_in(page, make_user())
    page.goto(wiki_page.get_absolute_url())

    page.keyboard.press("Tab")
    skip_link = page.evaluate(
        "() => ({cls: document.activeElement.className,"
        " text: document.activeElement.textContent.trim(),"
        " href: document.activeElement.getAttribute('href')})"
    )
    assert skip_link == {"cls": "skip-link", "text": "Skip to content", "href": "#main"}
    expect(page.locator("a.skip-link")).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    assert page.url.endswith("#main")

    page.goto(_edit_url(wiki_page))
    _tab_until(page, r"textarea#id_body\[.*\]")
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("Typed again, with the keyboard only.")
    _tab_until(page, r"input#id_comment\[\]")
    page.keyboard.type("Keyboard edit")
    _tab_until(page, r"button#\[Save\]")
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text("Your changes were saved.")
    expect(page.locator("article.wiki-content")).to_contain_text(
        "Typed again, with the keyboard only."
    )
    assert wiki_page.revisions.latest("number").comment == "Keyboard edit"
