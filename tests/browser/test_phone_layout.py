"""The phone-first layout in a real Chromium: a compact header whose menu (a <details>) opens
without JavaScript, by keyboard and by tap; the page's heading in the first screen; nothing
wider than the screen; thumb-sized targets; on a wide screen the menu's links are simply there.

Screenshots of the home page at 360 px (menu closed and open) are saved under pytest's tmp path.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.helpers import browser_page
from tests.factories import (
    DEFAULT_PASSWORD,
    make_coordination_group,
    make_page,
    make_user,
    network_space,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONES = {
    "360x640": {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True},
    "390x844": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
WIDE = {"viewport": {"width": 1280, "height": 800}}
TOUCH_TARGET = 44  # px, WCAG 2.5.5 and the platforms' guidelines


def _home_page() -> None:
    make_page(
        space=network_space(),
        title="Welcome to wikispiral",
        slug="home",
        body="The wiki of the TOGETHER network.\n\nGroups, criteria, syntheses.",
    )


def _main_pages() -> dict[str, str]:
    """The main pages, by name: their addresses (with the data they need)."""
    _home_page()
    group = make_coordination_group(name="Villeneuve-sur-Lot en transition")
    return {
        "home": reverse("wiki:home"),
        "directory": reverse("directory:directory"),
        "grid": reverse("grid:grid"),
        "syntheses": reverse("syntheses:synthesis", kwargs={"key": "network"}),
        "group": reverse("directory:group", kwargs={"cg": group.slug}),
        "login": reverse("accounts:login"),
    }


def _menu(page: Page):
    return page.locator("details.menu")


def _menu_button(page: Page):
    """The menu's <summary> (Chromium exposes it as a disclosure button named "Menu")."""
    return page.locator("details.menu > summary", has_text="Menu")


def _menu_is_open(page: Page) -> bool:
    return _menu(page).evaluate("details => details.open")


def _first_nav_link(page: Page):
    return page.get_by_role("navigation", name="Site").get_by_role(
        "link", name="Coordination groups"
    )


def _exposed_links(page: Page) -> set[str]:
    """The names of the links in Chromium's own accessibility tree (what screen readers get)."""
    cdp = page.context.new_cdp_session(page)
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    cdp.detach()
    return {
        node["name"]["value"]
        for node in nodes
        if not node.get("ignored") and node.get("role", {}).get("value") == "link"
    }


def _overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the screen (0: no sideways scrolling)."""
    return page.evaluate("() => document.scrollingElement.scrollWidth - window.innerWidth")


def _heading_bottom(page: Page) -> float:
    box = page.locator("main h1").first.bounding_box()
    assert box is not None
    return box["y"] + box["height"]


def _too_small(page: Page, selector: str) -> list[tuple[str, float]]:
    """The visible targets under selector shorter than a thumb, as (text, height)."""
    measured = page.evaluate(
        """selector => [...document.querySelectorAll(selector)]
            .filter(el => el.checkVisibility())
            .map(el => [el.textContent.trim(), el.getBoundingClientRect().height])""",
        selector,
    )
    assert measured, f"nothing visible under {selector}"
    return [(text, height) for text, height in measured if height < TOUCH_TARGET]


@pytest.mark.parametrize("phone", PHONES, ids=list(PHONES))
def test_on_a_phone_the_menu_is_closed_and_the_heading_is_in_the_first_screen(
    browser: Browser, live_server: LiveServer, phone: str, tmp_path: Path
):
    pages = _main_pages()

    with browser_page(browser, live_server.url, **PHONES[phone]) as page:
        height = PHONES[phone]["viewport"]["height"]
        for name, url in pages.items():
            page.goto(url)
            assert not _menu_is_open(page), name
            banner = page.get_by_role("banner")
            expect(banner.get_by_role("link", name="wikispiral", exact=True)).to_be_visible()
            expect(page.get_by_role("searchbox", name="Search the wiki")).to_be_visible()
            expect(_menu_button(page)).to_be_visible()
            expect(_first_nav_link(page)).to_be_hidden()
            assert _heading_bottom(page) <= height, name
            assert _overflow(page) <= 0, name
            # The feeds stay on every page, as links in the footer.
            footer = page.get_by_role("contentinfo")
            expect(footer.get_by_role("link", name="Follow the latest additions")).to_be_visible()
            expect(footer.get_by_role("link", name="Feed Coordination Groups")).to_be_visible()
            expect(footer.get_by_role("link", name="Feed Homogeneous Groups")).to_be_visible()

        page.goto(pages["home"])
        page.screenshot(path=tmp_path / f"home-{phone}-menu-closed.png")
        assert "Coordination groups" not in _exposed_links(page)
        _menu_button(page).click()
        expect(_first_nav_link(page)).to_be_visible()
        assert "Coordination groups" in _exposed_links(page)
        assert _overflow(page) <= 0
        page.screenshot(path=tmp_path / f"home-{phone}-menu-open.png", full_page=True)
    assert (tmp_path / f"home-{phone}-menu-closed.png").stat().st_size > 0
    assert (tmp_path / f"home-{phone}-menu-open.png").stat().st_size > 0


def test_the_menu_opens_with_the_keyboard(browser: Browser, live_server: LiveServer):
    _home_page()

    with browser_page(browser, live_server.url, **PHONES["360x640"]) as page:
        page.goto("/")
        summary = _menu_button(page)
        for _step in range(10):
            page.keyboard.press("Tab")
            if summary.evaluate("el => el === document.activeElement"):
                break
        expect(summary).to_be_focused()
        page.keyboard.press("Enter")

        assert _menu_is_open(page)
        expect(_first_nav_link(page)).to_be_visible()
        page.keyboard.press("Tab")
        expect(_first_nav_link(page)).to_be_focused()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Enter")
        assert not _menu_is_open(page)
        expect(_first_nav_link(page)).to_be_hidden()


def test_the_menu_opens_with_a_tap_without_javascript(browser: Browser, live_server: LiveServer):
    _home_page()

    with browser_page(
        browser, live_server.url, java_script_enabled=False, **PHONES["390x844"]
    ) as page:
        page.goto("/")
        _menu_button(page).tap()

        expect(_first_nav_link(page)).to_be_visible()
        _first_nav_link(page).tap()
        expect(page).to_have_url(f"{live_server.url}{reverse('directory:directory')}")


def test_menu_items_and_buttons_are_thumb_sized_on_a_phone(
    browser: Browser, live_server: LiveServer
):
    _home_page()
    person = make_user(username="ana", display_name="Ana")

    with browser_page(browser, live_server.url, **PHONES["360x640"]) as page:
        page.goto("/")
        _menu_button(page).click()
        anonymous = _too_small(
            page, ".site-header a, .site-header button, .site-header summary, .site-header input"
        )
        login = page.get_by_role("link", name="Log in")
        login.click()
        page.get_by_label("Username or email address").fill(person.username)
        page.get_by_label("Password").fill(DEFAULT_PASSWORD)
        login_form_button = _too_small(page, "main button")
        page.get_by_role("button", name="Log in").click()
        _menu_button(page).click()
        for name in ("My wikispiral", "Ana"):
            expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
        member = _too_small(page, ".site-header a, .site-header button, .site-header summary")

        page.get_by_role("link", name="My wikispiral").click()
        expect(page).to_have_url(f"{live_server.url}{reverse('mine:home')}")
        _menu_button(page).click()
        page.get_by_role("button", name="Log out").click()
        expect(_menu_button(page)).to_be_visible()
        _menu_button(page).click()
        expect(page.get_by_role("link", name="Log in")).to_be_visible()

    assert anonymous == []
    assert login_form_button == []
    assert member == []


def test_staff_find_the_secretariat_in_the_menu(browser: Browser, live_server: LiveServer):
    _home_page()
    client = Client()
    client.force_login(make_user(secretariat=True))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value

    with browser_page(browser, live_server.url, **PHONES["390x844"]) as page:
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
        page.goto("/")
        _menu_button(page).click()
        page.get_by_role("link", name="Secretariat").click()
        expect(page).to_have_url(f"{live_server.url}{reverse('secretariat:dashboard')}")


@pytest.mark.parametrize("width", [800, 1280])
def test_on_a_wide_screen_the_navigation_shows_without_opening_anything(
    browser: Browser, live_server: LiveServer, width: int, tmp_path: Path
):
    _home_page()

    with browser_page(browser, live_server.url, viewport={"width": width, "height": 800}) as page:
        page.goto("/")
        page.screenshot(path=tmp_path / f"home-{width}.png")

        assert not _menu_is_open(page)
        expect(_menu_button(page)).to_be_hidden()
        navigation = page.get_by_role("navigation", name="Site")
        for name in ("Coordination groups", "The grid", "Syntheses", "Log in", "English"):
            expect(navigation.get_by_role("link", name=name)).to_be_visible()
        assert {"Coordination groups", "Log in", "English"} <= _exposed_links(page)
        assert _overflow(page) <= 0
        # Keyboard: from the search button the next stop is the first link of the navigation.
        page.get_by_role("button", name="Search", exact=True).focus()
        page.keyboard.press("Tab")
        expect(_first_nav_link(page)).to_be_focused()
        # The header takes two lines: brand and search, then the navigation.
        assert _heading_bottom(page) <= 300


def _axe_violations(page: Page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{violation['id']}: {[node['target'] for node in violation['nodes'][:3]]}"
        for violation in results.response["violations"]
    ]


def test_the_header_passes_axe_with_the_menu_closed_and_open(
    browser: Browser, live_server: LiveServer
):
    _home_page()
    client = Client()
    client.force_login(make_user(secretariat=True))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    found = {}

    for name, options in {**PHONES, "wide": WIDE}.items():
        with browser_page(browser, live_server.url, **options) as page:
            page.context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
            )
            page.goto("/")
            found[f"{name}, closed"] = _axe_violations(page)
            if _menu_button(page).is_visible():
                _menu_button(page).click()
                found[f"{name}, open"] = _axe_violations(page)

    assert set(found) == {
        "360x640, closed",
        "360x640, open",
        "390x844, closed",
        "390x844, open",
        "wide, closed",
    }
    assert {where: found_there for where, found_there in found.items() if found_there} == {}
