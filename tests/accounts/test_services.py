import pytest
from django.core.exceptions import ValidationError

from tests.accounts.helpers import STRONG_PASSWORD
from tests.factories import make_user
from wikispiral.accounts import services


def register(**overrides: str):
    arguments = {
        "username": "maria",
        "email": "maria@example.org",
        "password": STRONG_PASSWORD,
        "display_name": " Maria ",
        "preferred_language": "pt",
    }
    arguments.update(overrides)
    return services.user_register(**arguments)


@pytest.mark.django_db
def test_user_register_normalises_and_mails(mailoutbox):
    user = register(email="maria@EXAMPLE.org")

    assert user.email == "maria@example.org"
    assert user.display_name == "Maria"
    assert user.email_confirmed_at is None
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_user_register_reports_every_broken_rule_by_field(mailoutbox):
    make_user(username="Maria", email="MARIA@example.org")

    with pytest.raises(ValidationError) as caught:
        register(password="maria", preferred_language="xx")

    assert set(caught.value.message_dict) == {
        "username",
        "email",
        "password",
        "preferred_language",
    }
    assert mailoutbox == []


@pytest.mark.django_db
def test_user_register_keeps_the_account_when_mail_fails(monkeypatch):
    def broken(**kwargs: object) -> None:
        raise ConnectionRefusedError

    monkeypatch.setattr(services, "send_mail", broken)

    user = register()

    assert user.pk is not None


@pytest.mark.django_db
def test_user_update_profile_leaves_the_object_untouched_on_error():
    make_user(username="bruno", email="bruno@example.org")
    user = make_user(username="ana", email="ana@example.org", display_name="Ana")

    with pytest.raises(ValidationError):
        services.user_update_profile(
            user=user, display_name="Other", preferred_language="fr", email="bruno@example.org"
        )

    assert (user.display_name, user.email) == ("Ana", "ana@example.org")


@pytest.mark.django_db
def test_user_confirm_email_keeps_the_first_confirmation_time():
    user = make_user(username="ana")
    first = user.email_confirmed_at

    services.user_confirm_email(user=user)

    assert user.email_confirmed_at == first


def test_rate_limit_counts_per_key():
    results = [
        services.rate_limit_consume(scope="t", key="a", limit=2, window_seconds=60)
        for _ in range(3)
    ]

    assert results == [True, True, False]
    assert services.rate_limit_consume(scope="t", key="b", limit=2, window_seconds=60)
