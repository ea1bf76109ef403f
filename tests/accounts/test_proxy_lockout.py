"""Login lockout and per-address rate limits behind a reverse proxy (TRUSTED_PROXIES)."""

from ipaddress import ip_network

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from territories.applications.views import APPLY_POSTS_PER_IP_PER_HOUR
from tests.accounts.helpers import STRONG_PASSWORD, link_path_in
from tests.factories import DEFAULT_PASSWORD, make_user
from wikispiral.accounts.forms import HONEYPOT_FIELD
from wikispiral.accounts.views import PASSWORD_RESETS_PER_IP_PER_HOUR, SIGNUP_POSTS_PER_IP_PER_HOUR

LOGIN = reverse("accounts:login")
PROXY = "10.0.0.2"
LOCKED = b"Account temporarily locked"
WRONG_PASSWORD = "not-the-password"


@pytest.fixture
def behind_proxy(settings) -> None:
    settings.TRUSTED_PROXIES = (ip_network("10.0.0.0/8"),)


def _login(
    username: str,
    password: str = WRONG_PASSWORD,
    *,
    remote_addr: str = "127.0.0.1",
    forwarded_for: str | None = None,
):
    """One login POST from a fresh browser (no shared session) at the given address."""
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return Client().post(LOGIN, {"username": username, "password": password}, **extra)


def _logged_in(response) -> bool:
    return response.status_code == 302


@pytest.mark.django_db
def test_two_visitors_behind_the_proxy_do_not_share_a_lockout(behind_proxy):
    make_user(username="ana")
    for _attempt in range(5):
        _login("ana", remote_addr=PROXY, forwarded_for="198.51.100.1")

    locked = _login("ana", DEFAULT_PASSWORD, remote_addr=PROXY, forwarded_for="198.51.100.1")
    other = _login("ana", DEFAULT_PASSWORD, remote_addr=PROXY, forwarded_for="198.51.100.2")

    assert locked.status_code == 429 and LOCKED in locked.content
    assert _logged_in(other)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.1"}


@pytest.mark.django_db
def test_forwarded_for_from_an_untrusted_peer_does_not_escape_the_lockout(behind_proxy):
    make_user(username="ana")
    for number in range(5):
        _login("ana", remote_addr="203.0.113.9", forwarded_for=f"198.51.100.{number}")

    response = _login(
        "ana", DEFAULT_PASSWORD, remote_addr="203.0.113.9", forwarded_for="198.51.100.99"
    )

    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}


@pytest.mark.django_db
def test_forwarded_for_is_ignored_when_no_proxy_is_trusted():
    assert django_settings.TRUSTED_PROXIES == ()
    make_user(username="ana")
    for number in range(5):
        _login("ana", remote_addr=PROXY, forwarded_for=f"198.51.100.{number}")

    response = _login("ana", DEFAULT_PASSWORD, remote_addr=PROXY, forwarded_for="198.51.100.99")

    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {PROXY}


@pytest.mark.django_db
def test_spraying_passwords_over_many_usernames_locks_the_address():
    make_user(username="ana")
    sprayer = "203.0.113.9"
    # 4 failures on each of 5 usernames: under the pair limit every time.
    responses = [
        _login(username, remote_addr=sprayer)
        for username in ["ana", "bia", "caio", "duda", "enzo"]
        for _attempt in range(4)
    ]

    assert [response.status_code for response in responses[:19]] == [400] * 19
    assert responses[19].status_code == 429
    locked = _login("ana", DEFAULT_PASSWORD, remote_addr=sprayer)
    assert locked.status_code == 429
    assert b"came from your connection, to one or more accounts" in locked.content
    assert locked["Retry-After"] == "900"
    assert _logged_in(_login("ana", DEFAULT_PASSWORD, remote_addr="198.51.100.1"))


@pytest.mark.django_db
def test_a_strangers_failures_do_not_lock_the_owner_out_from_elsewhere():
    make_user(username="ana")
    # Failures refused by a lock are not counted, so hammering on adds nothing to the
    # per-username count: one address can never reach it.
    for _attempt in range(django_settings.LOGIN_FAILURE_LIMIT_PER_USERNAME + 10):
        _login("ana", remote_addr="203.0.113.9")

    assert _login("ana", DEFAULT_PASSWORD, remote_addr="203.0.113.9").status_code == 429
    assert _logged_in(_login("ana", DEFAULT_PASSWORD, remote_addr="198.51.100.1"))


@pytest.mark.django_db
def test_failures_on_one_username_from_many_addresses_lock_it_everywhere():
    make_user(username="ana")
    limit = django_settings.LOGIN_FAILURE_LIMIT_PER_USERNAME
    addresses = [f"203.0.113.{number}" for number in range(limit // 5)]
    failures = [(address, attempt) for address in addresses for attempt in range(5)]
    for address, _attempt in failures[:-1]:
        _login("ana", remote_addr=address)
    # One failure short of the limit the owner still gets in (and that resets only their own).
    assert _logged_in(_login("ana", DEFAULT_PASSWORD, remote_addr="198.51.100.1"))

    last = _login("ana", remote_addr=failures[-1][0])
    owner = _login("ana", DEFAULT_PASSWORD, remote_addr="198.51.100.1")

    assert last.status_code == 429
    assert owner.status_code == 429
    assert b"from several connections" in owner.content
    # The username alone is locked: the same address may still log in to another account.
    make_user(username="bia")
    assert _logged_in(_login("bia", DEFAULT_PASSWORD, remote_addr="198.51.100.1"))


@pytest.mark.django_db
def test_a_locked_out_owner_gets_back_in_by_resetting_the_password(settings, mailoutbox):
    settings.LOGIN_FAILURE_LIMIT_PER_USERNAME = 10
    user = make_user(username="ana", email="ana@example.org")
    for number in range(10):
        _login("ana", remote_addr=f"203.0.113.{number}")
    owner = Client(REMOTE_ADDR="198.51.100.1")
    assert owner.post(LOGIN, {"username": "ana", "password": DEFAULT_PASSWORD}).status_code == 429

    owner.post(reverse("accounts:password_reset"), {"email": "ana@example.org"})
    form_page = owner.get(link_path_in(mailoutbox[0].body), follow=True)
    owner.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": STRONG_PASSWORD, "new_password2": STRONG_PASSWORD},
    )

    assert owner.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "data", "limit"),
    [
        ("accounts:signup", {HONEYPOT_FIELD: "robot"}, SIGNUP_POSTS_PER_IP_PER_HOUR),
        (
            "accounts:password_reset",
            {"email": "nobody@example.org"},
            PASSWORD_RESETS_PER_IP_PER_HOUR,
        ),
        ("applications:apply", {HONEYPOT_FIELD: "robot"}, APPLY_POSTS_PER_IP_PER_HOUR),
    ],
)
def test_visitors_behind_the_proxy_have_their_own_rate_limit(
    behind_proxy, client, url_name, data, limit
):
    url = reverse(url_name)
    for _request in range(limit):
        client.post(url, data, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1")

    spent = client.post(url, data, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1")
    other = client.post(url, data, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.2")

    assert spent.status_code == 429
    assert other.status_code == 302
