import time

import pytest
from django.core import signing
from django.urls import reverse

from tests.accounts.helpers import link_path_in, signup_data
from tests.factories import make_user
from wikispiral.accounts import tokens
from wikispiral.accounts.forms import make_form_stamp
from wikispiral.accounts.models import User
from wikispiral.accounts.views import SIGNUP_POSTS_PER_IP_PER_HOUR

SIGNUP = reverse("accounts:signup")


@pytest.mark.django_db
def test_signup_creates_unconfirmed_account_and_mails_confirmation_link(client, mailoutbox):
    response = client.post(SIGNUP, signup_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:signup_done")
    user = User.objects.get(username="maria")
    assert user.is_active
    assert user.email_confirmed_at is None
    assert user.display_name == "Maria"
    assert user.preferred_language == "pt"
    assert user.check_password(signup_data()["password"])
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["maria@example.org"]
    assert "/accounts/confirm-email/" in mailoutbox[0].body
    # Signing up does not log in: the confirmation link does.
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_confirmation_link_shows_a_button_and_only_post_confirms_and_logs_in(client, mailoutbox):
    client.post(SIGNUP, signup_data())
    confirm_path = link_path_in(mailoutbox[0].body)

    page = client.get(confirm_path)
    assert page.status_code == 200
    assert b'method="post"' in page.content
    user = User.objects.get(username="maria")
    assert user.email_confirmed_at is None  # a mail scanner following the link confirms nothing

    response = client.post(confirm_path)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    user.refresh_from_db()
    assert user.email_confirmed_at is not None
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_used_confirmation_link_does_not_log_in_again(client, mailoutbox):
    client.post(SIGNUP, signup_data())
    confirm_path = link_path_in(mailoutbox[0].body)
    client.post(confirm_path)
    client.post(reverse("accounts:logout"))

    response = client.post(confirm_path)

    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_tampered_confirmation_token_is_refused_with_a_message(client):
    user = make_user(username="ana", confirmed=False)
    token = tokens.email_confirmation_token_make(user=user)
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")

    for method in (client.get, client.post):
        response = method(reverse("accounts:confirm_email", kwargs={"token": tampered}))
        assert response.status_code == 400
        assert b"This confirmation link is not valid" in response.content
    user.refresh_from_db()
    assert user.email_confirmed_at is None


@pytest.mark.django_db
def test_expired_confirmation_token_is_refused_with_a_message(client, monkeypatch):
    user = make_user(username="ana", confirmed=False)
    four_days_ago = int(time.time()) - 4 * 24 * 3600
    monkeypatch.setattr(
        signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(four_days_ago)
    )
    token = tokens.email_confirmation_token_make(user=user)
    monkeypatch.undo()

    response = client.post(reverse("accounts:confirm_email", kwargs={"token": token}))

    assert response.status_code == 400
    assert b"This confirmation link has expired" in response.content
    user.refresh_from_db()
    assert user.email_confirmed_at is None


@pytest.mark.django_db
def test_confirmation_link_for_a_previous_address_is_refused(client):
    user = make_user(username="ana", email="old@example.org", confirmed=False)
    token = tokens.email_confirmation_token_make(user=user)
    User.objects.filter(pk=user.pk).update(email="new@example.org")

    response = client.post(reverse("accounts:confirm_email", kwargs={"token": token}))

    assert response.status_code == 400
    user.refresh_from_db()
    assert user.email_confirmed_at is None


@pytest.mark.django_db
def test_honeypot_submission_pretends_success_and_creates_nothing(client, mailoutbox):
    response = client.post(SIGNUP, signup_data(website="https://spam.example"))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:signup_done")
    assert not User.objects.exists()
    assert mailoutbox == []


@pytest.mark.django_db
def test_submission_sooner_than_three_seconds_after_render_is_refused(client, mailoutbox):
    response = client.post(SIGNUP, signup_data(stamp=make_form_stamp(time.time() - 1)))

    assert response.status_code == 400
    assert b"sent too quickly" in response.content
    assert not User.objects.exists()
    assert mailoutbox == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("stamp", "message"),
    [
        (make_form_stamp(time.time() - 2 * 24 * 3600), b"This form has expired"),
        ("1700000000.0:forged", b"This form was altered"),
        ("", b"This form was altered"),
    ],
)
def test_expired_or_tampered_form_stamp_is_refused(client, stamp, message):
    response = client.post(SIGNUP, signup_data(stamp=stamp))

    assert response.status_code == 400
    assert message in response.content
    assert not User.objects.exists()


@pytest.mark.django_db
def test_duplicate_email_is_refused_ignoring_case(client, mailoutbox):
    make_user(username="ana", email="Maria@Example.org")

    response = client.post(SIGNUP, signup_data(email="maria@EXAMPLE.ORG"))

    assert response.status_code == 400
    assert b"An account with this email address already exists." in response.content
    assert not User.objects.filter(username="maria").exists()
    assert mailoutbox == []


@pytest.mark.django_db
def test_duplicate_username_is_refused_ignoring_case(client):
    make_user(username="Maria", email="someone@example.org")

    response = client.post(SIGNUP, signup_data(username="maria"))

    assert response.status_code == 400
    assert b"This username is already taken." in response.content
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_weak_or_mismatched_password_is_refused_next_to_the_field(client):
    weak = client.post(SIGNUP, signup_data(password="12345678", password_confirm="12345678"))
    mismatched = client.post(SIGNUP, signup_data(password_confirm="something-else-entirely"))

    assert weak.status_code == 400
    assert b'id="id_password_error"' in weak.content
    assert b'aria-describedby="id_password_helptext id_password_error"' in weak.content
    assert mismatched.status_code == 400
    assert b"The two passwords do not match." in mismatched.content
    assert not User.objects.exists()


@pytest.mark.django_db
def test_signup_page_is_accessible_and_hides_the_honeypot(client):
    response = client.get(SIGNUP)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="honeypot" aria-hidden="true"' in html
    assert 'name="website" id="id_website" value="" tabindex="-1" autocomplete="off"' in html
    for field, autocomplete in [
        ("username", "username"),
        ("email", "email"),
        ("password", "new-password"),
        ("password_confirm", "new-password"),
    ]:
        assert f'<label for="id_{field}">' in html
        assert f'autocomplete="{autocomplete}"' in html
    assert 'name="stamp"' in html
    assert "<script>" not in html and "style=" not in html


@pytest.mark.django_db
def test_errors_are_summarised_at_the_top_in_an_alert(client):
    response = client.post(SIGNUP, signup_data(email="not-an-address"))

    html = response.content.decode()
    assert response.status_code == 400
    assert html.index('role="alert"') < html.index('name="username"')
    assert '<a href="#id_email">' in html


@pytest.mark.django_db
def test_preferred_language_defaults_to_the_current_language(client):
    client.cookies["wikispiral_language"] = "fr"

    response = client.get(SIGNUP)

    assert b'<option value="fr" selected>' in response.content


@pytest.mark.django_db
def test_confirmation_email_is_written_in_the_chosen_language(client, mailoutbox, monkeypatch):
    from wikispiral.accounts import services

    languages: list[str] = []
    original = services.render_to_string

    def spy(template_name: str, context: dict) -> str:
        from django.utils import translation

        languages.append(translation.get_language())
        return original(template_name, context)

    monkeypatch.setattr(services, "render_to_string", spy)

    client.post(SIGNUP, signup_data(preferred_language="fr"))

    assert languages == ["fr", "fr"]
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_signups_beyond_the_hourly_limit_per_address_get_429(client):
    for number in range(SIGNUP_POSTS_PER_IP_PER_HOUR):
        response = client.post(
            SIGNUP, signup_data(username=f"person{number}", email=f"p{number}@example.org")
        )
        assert response.status_code == 302

    response = client.post(SIGNUP, signup_data(username="onemore", email="more@example.org"))

    assert response.status_code == 429
    assert b"Too many attempts" in response.content
    assert response["Retry-After"]
    assert not User.objects.filter(username="onemore").exists()
    # Another address is not affected.
    other = client.post(
        SIGNUP,
        signup_data(username="elsewhere", email="else@example.org"),
        REMOTE_ADDR="192.0.2.7",
    )
    assert other.status_code == 302


@pytest.mark.django_db
def test_logged_in_person_is_sent_from_signup_to_profile(client):
    client.force_login(make_user(username="ana"))

    response = client.get(SIGNUP)

    assert response["Location"] == reverse("accounts:profile")


@pytest.mark.django_db
def test_refused_stamp_still_lists_the_other_errors_and_renders_a_fresh_stamp(client):
    old_stamp = make_form_stamp(time.time() - 1)

    response = client.post(
        SIGNUP, signup_data(stamp=old_stamp, password_confirm="something-else-entirely")
    )

    html = response.content.decode()
    assert "sent too quickly" in html
    assert "The two passwords do not match." in html
    assert 'name="stamp"' in html and old_stamp not in html
