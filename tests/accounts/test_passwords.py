import pytest
from django.urls import reverse

from tests.accounts.helpers import STRONG_PASSWORD, link_path_in
from tests.factories import DEFAULT_PASSWORD, make_user
from wikispiral.accounts.views import PASSWORD_RESETS_PER_IP_PER_HOUR


@pytest.mark.django_db
def test_password_reset_mails_a_link_that_sets_a_new_password(client, mailoutbox):
    user = make_user(username="ana", email="ana@example.org")

    response = client.post(reverse("accounts:password_reset"), {"email": "ANA@example.org"})

    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["ana@example.org"]
    link = link_path_in(mailoutbox[0].body)
    assert mailoutbox[0].body.count("http://127.0.0.1:8000/accounts/password/reset/") == 1

    # Django swaps the token for a session marker before showing the form.
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert b'autocomplete="new-password"' in form_page.content
    set_password_url = form_page.redirect_chain[-1][0]

    done = client.post(
        set_password_url, {"new_password1": STRONG_PASSWORD, "new_password2": STRONG_PASSWORD}
    )

    assert done["Location"] == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(STRONG_PASSWORD)
    assert client.session["_auth_user_id"] == str(user.pk)
    # The link works once.
    assert b"This link is not valid" in client.get(link, follow=True).content


@pytest.mark.django_db
def test_password_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client, mailoutbox):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})

    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mailoutbox == []


@pytest.mark.django_db
def test_password_reset_email_is_written_in_the_person_s_language(client, mailoutbox, settings):
    make_user(username="ana", email="ana@example.org", preferred_language="fr")
    seen: list[str] = []

    from django.contrib.auth import forms as auth_forms
    from django.utils import translation

    original = auth_forms.PasswordResetForm.send_mail

    def spy(self, *args, **kwargs):
        seen.append(translation.get_language())
        return original(self, *args, **kwargs)

    auth_forms.PasswordResetForm.send_mail = spy
    try:
        client.post(reverse("accounts:password_reset"), {"email": "ana@example.org"})
    finally:
        auth_forms.PasswordResetForm.send_mail = original

    assert seen == ["fr"]


@pytest.mark.django_db
def test_password_reset_requests_are_rate_limited(client, mailoutbox):
    url = reverse("accounts:password_reset")
    for _request in range(PASSWORD_RESETS_PER_IP_PER_HOUR):
        client.post(url, {"email": "nobody@example.org"})

    response = client.post(url, {"email": "nobody@example.org"})

    assert response.status_code == 429


@pytest.mark.django_db
def test_password_change_needs_the_current_password(client):
    user = make_user(username="ana")
    client.force_login(user)
    url = reverse("accounts:password_change")

    refused = client.post(
        url,
        {
            "old_password": "not-it",
            "new_password1": STRONG_PASSWORD,
            "new_password2": STRONG_PASSWORD,
        },
    )
    accepted = client.post(
        url,
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": STRONG_PASSWORD,
            "new_password2": STRONG_PASSWORD,
        },
    )

    assert refused.status_code == 200
    assert b'role="alert"' in refused.content
    assert accepted["Location"] == reverse("accounts:password_change_done")
    user.refresh_from_db()
    assert user.check_password(STRONG_PASSWORD)
    # Django keeps the session valid after the hash changes.
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_password_change_requires_login(client):
    response = client.get(reverse("accounts:password_change"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
