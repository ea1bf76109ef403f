"""Accepting an invitation: logged in, by logging in, or by creating the account on the spot."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from territories.models import Invitation, Membership
from territories.services import invitation_create, membership_set
from tests.factories import DEFAULT_PASSWORD, make_coordination_group, make_user
from wikispiral.accounts.models import User
from wikispiral.tenancy import cross_tenant

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "a long and quiet river"


@pytest.fixture
def facilitator():
    return make_user()


@pytest.fixture
def group(facilitator):
    return make_coordination_group(name="Cape Verde Praia", facilitator=facilitator)


def _invite(group, facilitator, email="amina@example.org", role="editor") -> str:
    _invitation, token = invitation_create(
        group=group, email=email, role=role, actor=facilitator, send_email=False
    )
    return token


def _url(token: str) -> str:
    return reverse("groups:invitation", kwargs={"token": token})


def _signup(**changes: str) -> dict:
    data = {
        "username": "amina",
        "display_name": "Amina",
        "password": GOOD_PASSWORD,
        "password_confirm": GOOD_PASSWORD,
    }
    data.update(changes)
    return data


def _group_url(group) -> str:
    return reverse("directory:group", kwargs={"cg": group.slug})


def test_logged_in_person_sees_the_invitation_and_accepts_it(client, group, facilitator):
    token = _invite(group, facilitator)
    person = make_user(email="amina@example.org")
    client.force_login(person)

    shown = client.get(_url(token))
    accepted = client.post(_url(token), follow=True)

    assert shown.status_code == 200
    assert "Cape Verde Praia" in shown.content.decode() and "Editor" in shown.content.decode()
    assert accepted.redirect_chain[0] == (_group_url(group), 302)
    assert "you are now editor of the group" in accepted.content.decode()
    with cross_tenant():
        assert Membership.objects.get(tenant=group, user=person).role == "editor"


def test_a_used_link_is_refused_with_410_and_changes_nothing(client, group, facilitator):
    token = _invite(group, facilitator, role="facilitator")
    first, second = make_user(), make_user()
    client.force_login(first)
    client.post(_url(token))
    client.force_login(second)

    shown = client.get(_url(token))
    posted = client.post(_url(token))

    assert shown.status_code == posted.status_code == 410
    assert "already been used" in posted.content.decode()
    with cross_tenant():
        assert not Membership.objects.filter(tenant=group, user=second).exists()


def test_an_expired_link_is_410_an_unknown_or_revoked_one_404(client, group, facilitator):
    expired = _invite(group, facilitator, email="late@example.org")
    revoked = _invite(group, facilitator, email="gone@example.org")
    with cross_tenant():
        Invitation.objects.filter(email="late@example.org").update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
        Invitation.objects.filter(email="gone@example.org").update(revoked_at=timezone.now())

    responses = {
        "expired": client.get(_url(expired)),
        "expired post": client.post(_url(expired), _signup()),
        "revoked": client.get(_url(revoked)),
        "unknown": client.get(_url("not-a-token")),
    }

    assert {name: r.status_code for name, r in responses.items()} == {
        "expired": 410,
        "expired post": 410,
        "revoked": 404,
        "unknown": 404,
    }
    assert "has expired" in responses["expired"].content.decode()
    assert not User.objects.filter(username="amina").exists()


def test_anonymous_with_an_account_is_asked_to_log_in(client, group, facilitator):
    token = _invite(group, facilitator)
    make_user(username="amina", email="Amina@Example.org")

    shown = client.get(_url(token))
    posted = client.post(_url(token), _signup(username="intruder"))

    login_url = reverse("accounts:login") + "?next=" + _url(token).replace("/", "%2F")
    assert shown.status_code == 200
    assert login_url in shown.content.decode()
    assert 'name="password"' not in shown.content.decode()
    assert posted.status_code == 400
    assert not User.objects.filter(username="intruder").exists()


def test_logging_in_then_coming_back_accepts(client, group, facilitator):
    token = _invite(group, facilitator)
    person = make_user(username="amina", email="amina@example.org")

    client.post(
        reverse("accounts:login") + "?next=" + _url(token),
        {"username": "amina", "password": DEFAULT_PASSWORD, "next": _url(token)},
    )
    response = client.post(_url(token))

    assert response.status_code == 302
    with cross_tenant():
        assert Membership.objects.get(tenant=group, user=person).role == "editor"


def test_anonymous_creates_the_account_joins_and_is_logged_in(
    client, group, facilitator, mailoutbox
):
    token = _invite(group, facilitator)

    response = client.post(_url(token), _signup())

    user = User.objects.get(username="amina")
    assert response.status_code == 302
    assert response.url == _group_url(group)
    assert user.email == "amina@example.org"
    assert user.email_confirmed_at is not None
    assert user.check_password(GOOD_PASSWORD)
    with cross_tenant():
        assert Membership.objects.get(tenant=group, user=user).role == "editor"
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert mailoutbox == []  # the link confirmed the address: no confirmation email
    with cross_tenant():
        assert Invitation.objects.get().accepted_by == user


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"password": "short", "password_confirm": "short"}, "too short"),
        ({"password_confirm": "something else entirely"}, "do not match"),
        ({"username": "bad name!"}, "Enter a valid username"),
        ({"username": "Taken"}, "already taken"),
        ({"password": "amina@example.org", "password_confirm": "amina@example.org"}, "similar"),
    ],
)
def test_bad_account_details_are_refused_and_nothing_is_saved(
    client, group, facilitator, changes, message
):
    make_user(username="taken")
    token = _invite(group, facilitator)
    users_before = User.objects.count()

    response = client.post(_url(token), _signup(**changes))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert User.objects.count() == users_before
    with cross_tenant():
        assert Invitation.objects.get().accepted_at is None
    assert "_auth_user_id" not in client.session


def test_an_existing_higher_role_is_kept(client, group, facilitator):
    other_facilitator = make_user()
    membership_set(group=group, user=other_facilitator, role="facilitator")
    token = _invite(group, facilitator, email="someone@example.org", role="member")
    client.force_login(other_facilitator)

    client.post(_url(token))

    with cross_tenant():
        assert Membership.objects.get(tenant=group, user=other_facilitator).role == "facilitator"


def test_invitation_of_a_hidden_group_still_works_for_the_invited(client, facilitator):
    group = make_coordination_group(facilitator=facilitator, is_hidden=True)
    token = _invite(group, facilitator)

    response = client.post(_url(token), _signup())

    assert response.status_code == 302
    with cross_tenant():
        assert Membership.objects.filter(tenant=group, user__username="amina").exists()
