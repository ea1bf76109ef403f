import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD, make_user

LOGIN = reverse("accounts:login")


def logged_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


@pytest.mark.django_db
def test_login_by_email_ignores_case(client):
    user = make_user(username="ana", email="Ana.Silva@Example.org")

    response = client.post(
        LOGIN, {"username": "ana.silva@EXAMPLE.org", "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == resolve_url(settings.LOGIN_REDIRECT_URL)
    assert logged_in_user_id(client) == str(user.pk)


@pytest.mark.django_db
def test_login_by_username_ignores_case(client):
    user = make_user(username="Ana")

    response = client.post(LOGIN, {"username": "ana", "password": DEFAULT_PASSWORD})

    assert response.status_code == 302
    assert logged_in_user_id(client) == str(user.pk)


@pytest.mark.django_db
def test_unconfirmed_person_can_log_in(client):
    user = make_user(username="ana", confirmed=False)

    client.post(LOGIN, {"username": "ana", "password": DEFAULT_PASSWORD})

    assert logged_in_user_id(client) == str(user.pk)


@pytest.mark.django_db
def test_wrong_password_is_refused_with_a_message(client):
    make_user(username="ana")

    response = client.post(LOGIN, {"username": "ana", "password": "nope"})

    assert response.status_code == 400
    assert b"do not match an account" in response.content
    assert b'role="alert"' in response.content
    assert logged_in_user_id(client) is None


@pytest.mark.django_db
def test_login_page_uses_login_autocomplete_hints(client):
    html = client.get(LOGIN).content.decode()

    assert 'autocomplete="username"' in html
    assert 'autocomplete="current-password"' in html
    assert '<label for="id_username">' in html


@pytest.mark.django_db
def test_login_honours_a_local_next(client):
    make_user(username="ana")

    response = client.post(
        f"{LOGIN}?next=/recent/", {"username": "ana", "password": DEFAULT_PASSWORD}
    )

    assert response["Location"] == "/recent/"


@pytest.mark.django_db
def test_login_form_carries_next_through_a_failed_attempt(client):
    make_user(username="ana")

    failed = client.post(f"{LOGIN}?next=/recent/", {"username": "ana", "password": "nope"})

    assert b'name="next" value="/recent/"' in failed.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/path", "http:evil.example", "javascript:alert(1)"],
)
def test_login_refuses_to_redirect_off_site(client, next_url):
    make_user(username="ana")

    response = client.post(
        LOGIN, {"username": "ana", "password": DEFAULT_PASSWORD, "next": next_url}
    )

    assert response.status_code == 302
    assert response["Location"] == resolve_url(settings.LOGIN_REDIRECT_URL)


@pytest.mark.django_db
def test_five_failures_lock_the_sixth_attempt_even_with_the_right_password(client):
    make_user(username="ana", email="ana@example.org")
    for _attempt in range(5):
        client.post(LOGIN, {"username": "ana", "password": "wrong"})

    response = client.post(LOGIN, {"username": "ana", "password": DEFAULT_PASSWORD})

    assert response.status_code in (403, 429)
    assert b"Account temporarily locked" in response.content
    assert logged_in_user_id(client) is None
    assert AccessAttempt.objects.filter(username="ana").exists()


@pytest.mark.django_db
def test_failures_by_email_and_by_username_count_against_the_same_account(client):
    make_user(username="ana", email="ana@example.org")
    for identifier in ["ana", "ANA@example.org", "Ana", "ana@example.org", "ana"]:
        client.post(LOGIN, {"username": identifier, "password": "wrong"})

    response = client.post(LOGIN, {"username": "ana@example.org", "password": DEFAULT_PASSWORD})

    assert response.status_code in (403, 429)
    assert logged_in_user_id(client) is None


@pytest.mark.django_db
def test_lockout_page_is_translated(client):
    make_user(username="ana")
    for _attempt in range(5):
        client.post(LOGIN, {"username": "ana", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="fr")

    response = client.post(
        LOGIN, {"username": "ana", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="fr"
    )

    assert response.status_code in (403, 429)
    assert b'lang="fr"' in response.content


@pytest.mark.django_db
def test_logout_by_get_only_asks_for_confirmation(client):
    user = make_user(username="ana")
    client.force_login(user)

    response = client.get(reverse("accounts:logout"))

    assert response.status_code == 200
    assert b'method="post"' in response.content
    assert logged_in_user_id(client) == str(user.pk)


@pytest.mark.django_db
def test_logout_by_post_logs_out(client):
    client.force_login(make_user(username="ana"))

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert logged_in_user_id(client) is None
