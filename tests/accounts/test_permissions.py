import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from tests.factories import make_user
from wikispiral.accounts.permissions import can_edit_wiki, is_secretariat


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"confirmed": True}, True),
        ({"confirmed": False}, False),
        ({"confirmed": False, "secretariat": True}, True),
        ({"confirmed": False, "is_superuser": True}, True),
        ({"confirmed": True, "is_active": False}, False),
        ({"confirmed": True, "secretariat": True, "is_active": False}, False),
    ],
)
def test_can_edit_wiki(fields, expected):
    assert can_edit_wiki(make_user(**fields)) is expected


def test_anonymous_cannot_edit_wiki_and_is_not_secretariat():
    assert can_edit_wiki(AnonymousUser()) is False
    assert can_edit_wiki(None) is False
    assert is_secretariat(AnonymousUser()) is False


@pytest.mark.django_db
def test_is_secretariat_needs_an_active_account():
    assert is_secretariat(make_user(secretariat=True)) is True
    assert is_secretariat(make_user(secretariat=False)) is False
    assert is_secretariat(make_user(secretariat=True, is_active=False)) is False


@pytest.mark.django_db
def test_admin_lists_users_with_confirmation_filter(admin_client):
    make_user(username="confirmed-one")
    make_user(username="waiting-one", confirmed=False)
    url = reverse("admin:accounts_user_changelist")

    unconfirmed = admin_client.get(url, {"email_confirmed": "no"})
    searched = admin_client.get(url, {"q": "waiting"})

    assert unconfirmed.status_code == 200
    assert b"waiting-one" in unconfirmed.content
    assert b"confirmed-one" not in unconfirmed.content
    assert b"waiting-one" in searched.content
    assert admin_client.get(reverse("admin:accounts_user_add")).status_code == 200


@pytest.mark.django_db
def test_admin_change_page_shows_the_extra_fields(admin_client):
    user = make_user(username="ana")

    response = admin_client.get(reverse("admin:accounts_user_change", args=[user.pk]))

    assert response.status_code == 200
    for field in ("display_name", "preferred_language", "is_secretariat", "email_confirmed_at"):
        assert f'name="{field}' in response.content.decode()
