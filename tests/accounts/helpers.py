"""Small helpers for the accounts tests; shared fixtures and factories live in tests/."""

import re
import time
from urllib.parse import urlsplit

from wikispiral.accounts.forms import make_form_stamp

# Passes every configured password validator (tests.factories' default need not).
STRONG_PASSWORD = "correct-horse-battery-9"


def signup_data(**overrides: str) -> dict[str, str]:
    """A valid sign-up POST, stamped as if the form had been rendered a minute ago."""
    data = {
        "username": "maria",
        "email": "maria@example.org",
        "display_name": "Maria",
        "preferred_language": "pt",
        "password": STRONG_PASSWORD,
        "password_confirm": STRONG_PASSWORD,
        "stamp": make_form_stamp(time.time() - 60),
        "website": "",
    }
    data.update(overrides)
    return data


def link_path_in(body: str) -> str:
    """The path of the first absolute link in an email body (SITE_URL is not the test host)."""
    match = re.search(r"https?://\S+", body)
    assert match, body
    return urlsplit(match.group(0)).path
