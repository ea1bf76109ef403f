import pytest
from django.conf import settings
from django.urls import reverse

from tests.accounts.helpers import link_path_in
from tests.factories import make_user
from wikispiral.accounts.views import CONFIRMATION_RESENDS_PER_USER_PER_HOUR

PROFILE = reverse("accounts:profile")


def profile_data(user, **overrides: str) -> dict[str, str]:
    data = {
        "display_name": user.display_name,
        "email": user.email,
        "preferred_language": user.preferred_language or "en",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_profile_requires_login(client):
    response = client.get(PROFILE)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={PROFILE}"


@pytest.mark.django_db
def test_choosing_french_sets_the_cookie_and_the_next_page_is_french(client):
    user = make_user(username="ana", preferred_language="en")
    client.force_login(user)

    response = client.post(PROFILE, profile_data(user, preferred_language="fr"))

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    user.refresh_from_db()
    assert user.preferred_language == "fr"
    assert b'<html lang="fr"' in client.get(PROFILE).content


@pytest.mark.django_db
def test_language_cookie_alone_makes_pages_french_after_logout(client):
    user = make_user(username="ana", preferred_language="en")
    client.force_login(user)
    client.post(PROFILE, profile_data(user, preferred_language="fr"))
    client.post(reverse("accounts:logout"))

    assert b'<html lang="fr"' in client.get(reverse("accounts:login")).content


@pytest.mark.django_db
def test_profile_shows_roles_and_confirmation_state(client):
    user = make_user(username="ana", secretariat=True, confirmed=False, is_superuser=True)
    client.force_login(user)

    html = client.get(PROFILE).content.decode()

    assert "Registered citizen" in html
    assert "Secretariat" in html
    assert "Administrator" in html
    assert "not confirmed yet" in html
    assert reverse("accounts:resend_confirmation") in html


@pytest.mark.django_db
def test_plain_citizen_sees_only_the_citizen_role(client):
    client.force_login(make_user(username="ana"))

    html = client.get(PROFILE).content.decode()

    assert "Registered citizen" in html
    assert "Administrator" not in html
    assert reverse("accounts:resend_confirmation") not in html


@pytest.mark.django_db
def test_changing_email_resets_confirmation_and_mails_the_new_address(client, mailoutbox):
    user = make_user(username="ana", email="ana@example.org")
    client.force_login(user)

    response = client.post(PROFILE, profile_data(user, email="ana@elsewhere.org"))

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "ana@elsewhere.org"
    assert user.email_confirmed_at is None
    assert [message.to for message in mailoutbox] == [["ana@elsewhere.org"]]
    client.post(link_path_in(mailoutbox[0].body))
    user.refresh_from_db()
    assert user.email_confirmed_at is not None


@pytest.mark.django_db
def test_changing_only_the_letter_case_of_the_email_keeps_confirmation(client, mailoutbox):
    user = make_user(username="ana", email="ana@example.org")
    client.force_login(user)

    client.post(PROFILE, profile_data(user, email="Ana@example.org"))

    user.refresh_from_db()
    assert user.email == "Ana@example.org"
    assert user.email_confirmed_at is not None
    assert mailoutbox == []


@pytest.mark.django_db
def test_profile_refuses_an_email_used_by_another_account(client, mailoutbox):
    make_user(username="bruno", email="bruno@example.org")
    user = make_user(username="ana", email="ana@example.org")
    client.force_login(user)

    response = client.post(PROFILE, profile_data(user, email="BRUNO@example.org"))

    assert response.status_code == 400
    assert b"An account with this email address already exists." in response.content
    user.refresh_from_db()
    assert user.email == "ana@example.org"
    assert mailoutbox == []


@pytest.mark.django_db
def test_resend_confirmation_mails_a_new_link_and_is_rate_limited(client, mailoutbox):
    user = make_user(username="ana", confirmed=False)
    client.force_login(user)
    url = reverse("accounts:resend_confirmation")

    for _request in range(CONFIRMATION_RESENDS_PER_USER_PER_HOUR):
        assert client.post(url)["Location"] == PROFILE
    refused = client.post(url)

    assert len(mailoutbox) == CONFIRMATION_RESENDS_PER_USER_PER_HOUR
    assert refused.status_code == 429
    assert client.get(url).status_code == 405


@pytest.mark.django_db
def test_resend_for_a_confirmed_address_sends_nothing(client, mailoutbox):
    client.force_login(make_user(username="ana"))

    client.post(reverse("accounts:resend_confirmation"))

    assert mailoutbox == []
