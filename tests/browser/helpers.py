"""Shared steps of the browser tests."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD
from wikispiral.accounts.models import User

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page


@contextmanager
def browser_page(browser: "Browser", base_url: str, **options: object) -> Iterator["Page"]:
    """A page in a fresh context (its own cookies: another person at another computer)."""
    context = browser.new_context(base_url=base_url, locale="en-US", **options)
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def log_in_through_form(page: "Page", user: User) -> None:
    """Log in through the real form, as a person would."""
    from playwright.sync_api import expect

    page.goto(reverse("accounts:login"))
    page.get_by_label("Username or email address").fill(user.username)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # On a phone "Log out" sits in the closed menu (templates/base.html): present, not shown.
    expect(page.get_by_role("button", name="Log out", include_hidden=True)).to_be_attached()
