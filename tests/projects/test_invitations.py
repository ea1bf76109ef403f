"""Inviting someone who has no account to write for a participant, by email."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from projects import services
from projects.models import ParticipantInvitation, ParticipantMember
from tests.factories import DEFAULT_PASSWORD, make_user
from wikispiral.accounts.models import User
from wikispiral.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "a long and quiet river"
LINK = re.compile(r"https?://\S+/right-choices/invitations/(?P<token>[\w-]+)/")


@pytest.fixture
def manager():
    return make_user(username="ana")


@pytest.fixture
def household(manager):
    return services.participant_join(
        actor=manager, kind="citizen", subtype="family", name="Ana and Rui", people=2
    )


def _members_url(participant) -> str:
    return reverse("projects:participant_members", args=[participant.slug])


def _url(token: str) -> str:
    return reverse("projects:invitation", kwargs={"token": token})


def _invite(participant, actor, email="rui@example.org", role="member") -> str:
    _invitation, token = services.participant_invitation_create(
        participant=participant, actor=actor, email=email, role=role
    )
    return token


def _signup(**changes: str) -> dict:
    data = {
        "username": "rui",
        "display_name": "Rui",
        "password": GOOD_PASSWORD,
        "password_confirm": GOOD_PASSWORD,
    }
    data.update(changes)
    return data


def _is_member(participant, user) -> bool:
    return ParticipantMember.objects.filter(participant=participant, user=user).exists()


def test_a_manager_invites_an_unknown_address_and_one_email_carries_the_link(
    client, manager, household, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _members_url(household), {"identifier": " Rui@Example.org ", "role": "manager"}
        )

    assert response.status_code == 302
    invitation = ParticipantInvitation.objects.get()
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "rui@example.org",
        "manager",
        manager,
    )
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["rui@example.org"]
    assert "Ana and Rui" in mail.subject
    assert "Ana and Rui" in mail.body and "as manager" in mail.body
    token = LINK.search(mail.body)["token"]
    assert ParticipantInvitation.objects.get(token_hash=hashlib.sha256(token.encode()).hexdigest())
    page = client.get(response["Location"])
    assert "An invitation was sent to rui@example.org" in page.content.decode()
    assert AuditEntry.objects.filter(action="projects.invitation.sent").count() == 1


def test_nothing_is_mailed_when_the_invitation_is_refused(
    client, manager, household, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_members_url(household), {"identifier": "rui@", "role": "member"})

    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    assert mailoutbox == []
    assert not ParticipantInvitation.objects.exists()


def test_the_token_is_stored_only_as_its_hash(manager, household):
    invitation, token = services.participant_invitation_create(
        participant=household, actor=manager, email="rui@example.org", role="member"
    )

    stored = ParticipantInvitation.objects.filter(pk=invitation.pk).values().get()
    assert token not in {str(value) for value in stored.values()}
    assert stored["token_hash"] == hashlib.sha256(token.encode()).hexdigest()


def test_the_link_shows_the_invitation_to_an_anonymous_visitor(client, manager, household):
    token = _invite(household, manager, role="manager")

    response = client.get(_url(token))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Ana and Rui" in content and "as manager" in content
    assert 'name="password"' in content
    assert reverse("accounts:login") in content


def test_signing_up_on_the_link_gives_the_invited_role_and_logs_in(
    client, manager, household, mailoutbox
):
    token = _invite(household, manager, role="manager")

    response = client.post(_url(token), _signup())

    user = User.objects.get(username="rui")
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:participant", args=[household.slug])
    assert user.email == "rui@example.org"
    assert user.email_confirmed_at is not None
    assert ParticipantMember.objects.get(participant=household, user=user).role == "manager"
    invitation = ParticipantInvitation.objects.get()
    assert invitation.accepted_by == user and invitation.accepted_at is not None
    assert mailoutbox == []  # the link confirmed the address: no confirmation email
    # Logged in, and may now manage who writes.
    assert client.get(_members_url(household)).status_code == 200


def test_bad_account_details_are_refused_and_nothing_is_saved(client, manager, household):
    token = _invite(household, manager)

    response = client.post(_url(token), _signup(password_confirm="something else entirely"))

    assert response.status_code == 400
    assert "do not match" in response.content.decode()
    assert not User.objects.filter(username="rui").exists()
    assert ParticipantInvitation.objects.get().accepted_at is None


def test_logging_in_then_coming_back_accepts(client, manager, household):
    token = _invite(household, manager)
    # The account was made after the invitation: the page asks to log in, not to sign up.
    person = make_user(username="rui", email="rui@example.org")

    shown = client.get(_url(token))
    client.post(
        reverse("accounts:login") + "?next=" + _url(token),
        {"username": "rui", "password": DEFAULT_PASSWORD, "next": _url(token)},
    )
    accepted = client.post(_url(token))

    assert shown.status_code == 200
    assert 'name="password"' not in shown.content.decode()
    assert "Log in to accept" in shown.content.decode()
    assert accepted.status_code == 302
    assert ParticipantMember.objects.get(participant=household, user=person).role == "member"


def test_a_non_manager_cannot_invite_nor_see_the_invitations(client, manager, household):
    writer = make_user()
    ParticipantMember.objects.create(participant=household, user=writer, role="member")
    _invite(household, manager)
    client.force_login(writer)

    shown = client.get(_members_url(household))
    posted = client.post(_members_url(household), {"identifier": "x@example.org", "role": "member"})

    assert shown.status_code == posted.status_code == 404
    assert ParticipantInvitation.objects.count() == 1
    with pytest.raises(services.ProjectError):
        services.participant_invitation_create(
            participant=household, actor=writer, email="x@example.org", role="member"
        )


def test_an_anonymous_visitor_is_sent_to_log_in_before_inviting(client, household):
    response = client.post(_members_url(household), {"identifier": "x@example.org"})

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert not ParticipantInvitation.objects.exists()


def test_expired_and_used_links_are_410_revoked_and_unknown_ones_404(client, manager, household):
    expired = _invite(household, manager, email="late@example.org")
    revoked = _invite(household, manager, email="gone@example.org")
    used = _invite(household, manager, email="used@example.org")
    ParticipantInvitation.objects.filter(email="late@example.org").update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    ParticipantInvitation.objects.filter(email="gone@example.org").update(revoked_at=timezone.now())
    ParticipantInvitation.objects.filter(email="used@example.org").update(
        accepted_at=timezone.now()
    )
    members_before = ParticipantMember.objects.count()

    responses = {
        "expired": client.get(_url(expired)),
        "expired signup": client.post(_url(expired), _signup()),
        "revoked": client.get(_url(revoked)),
        "revoked signup": client.post(_url(revoked), _signup()),
        "used": client.get(_url(used)),
        "unknown": client.get(_url("not-a-token")),
    }
    client.force_login(make_user())
    responses["used, logged in"] = client.post(_url(used))
    responses["unknown, logged in"] = client.post(_url("not-a-token"))

    assert {name: r.status_code for name, r in responses.items()} == {
        "expired": 410,
        "expired signup": 410,
        "revoked": 404,
        "revoked signup": 404,
        "used": 410,
        "unknown": 404,
        "used, logged in": 410,
        "unknown, logged in": 404,
    }
    assert "has expired" in responses["expired"].content.decode()
    assert "already been used" in responses["used"].content.decode()
    assert not User.objects.filter(username="rui").exists()
    assert ParticipantMember.objects.count() == members_before


def test_a_second_acceptance_is_refused(client, manager, household):
    token = _invite(household, manager, role="manager")
    first, second = make_user(), make_user()
    client.force_login(first)
    client.post(_url(token))
    client.force_login(second)

    shown = client.get(_url(token))
    posted = client.post(_url(token))

    assert _is_member(household, first)
    assert shown.status_code == posted.status_code == 410
    assert "already been used" in posted.content.decode()
    assert not _is_member(household, second)


def test_someone_who_already_writes_is_told_so_and_nothing_is_duplicated(
    client, manager, household
):
    token = _invite(household, manager, role="manager")
    client.force_login(manager)

    response = client.post(_url(token))

    assert response.status_code == 400
    assert "You already write for Ana and Rui." in response.content.decode()
    assert ParticipantMember.objects.filter(participant=household, user=manager).count() == 1
    assert ParticipantInvitation.objects.get().accepted_at is None


def test_an_unconfirmed_account_with_another_address_confirms_it_first(client, manager, household):
    token = _invite(household, manager)
    person = make_user(email="someone-else@example.org", confirmed=False)
    client.force_login(person)

    shown = client.get(_url(token))
    posted = client.post(_url(token))

    assert shown.status_code == 200
    assert "Accept the invitation" not in shown.content.decode()
    assert posted.status_code == 403
    assert not _is_member(household, person)


def test_the_link_confirms_the_address_it_was_sent_to(client, manager, household):
    token = _invite(household, manager)
    person = make_user(email="Rui@example.org", confirmed=False)
    client.force_login(person)

    response = client.post(_url(token))

    person.refresh_from_db()
    assert response.status_code == 302
    assert person.email_confirmed_at is not None
    assert _is_member(household, person)


def test_an_address_with_an_account_is_added_directly_as_before(
    client, manager, household, mailoutbox, django_capture_on_commit_callbacks
):
    partner = make_user(username="rui", email="rui@example.org")
    client.force_login(manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _members_url(household), {"identifier": "RUI@example.org", "role": "member"}
        )

    assert response.status_code == 302
    assert ParticipantMember.objects.get(participant=household, user=partner).role == "member"
    assert not ParticipantInvitation.objects.exists()
    assert mailoutbox == []


def test_a_new_invitation_to_the_same_address_replaces_the_pending_one(client, manager, household):
    first = _invite(household, manager)
    second = _invite(household, manager, email="RUI@example.org", role="manager")

    assert client.get(_url(first)).status_code == 404
    assert client.get(_url(second)).status_code == 200
    pending = ParticipantInvitation.objects.filter(revoked_at__isnull=True)
    assert [(i.email, i.role) for i in pending] == [("rui@example.org", "manager")]


def test_the_members_page_lists_pending_invitations_with_a_revoke_button(
    client, manager, household, django_assert_max_num_queries
):
    for number in range(3):
        _invite(household, manager, email=f"friend{number}@example.org")
    used = _invite(household, manager, email="used@example.org")
    ParticipantInvitation.objects.filter(email="used@example.org").update(
        accepted_at=timezone.now()
    )
    client.force_login(manager)

    with django_assert_max_num_queries(12):
        response = client.get(_members_url(household))

    content = response.content.decode()
    assert response.status_code == 200
    assert all(f"friend{number}@example.org" in content for number in range(3))
    assert "used@example.org" not in content and used not in content
    invitation = ParticipantInvitation.objects.get(email="friend0@example.org")
    revoke_url = reverse(
        "projects:participant_invitation_revoke", args=[household.slug, invitation.pk]
    )
    assert f'action="{revoke_url}"' in content


def test_a_manager_revokes_an_invitation_and_its_link_stops_working(client, manager, household):
    token = _invite(household, manager)
    invitation = ParticipantInvitation.objects.get()
    client.force_login(manager)

    response = client.post(
        reverse("projects:participant_invitation_revoke", args=[household.slug, invitation.pk]),
        follow=True,
    )

    invitation.refresh_from_db()
    assert response.status_code == 200
    assert "no longer works" in response.content.decode()
    assert invitation.revoked_at is not None
    client.logout()
    assert client.post(_url(token), _signup()).status_code == 404
    assert not User.objects.filter(username="rui").exists()
    assert AuditEntry.objects.filter(action="projects.invitation.revoked").count() == 1


def test_only_managers_of_its_participant_revoke_an_invitation(client, manager, household):
    _invite(household, manager)
    invitation = ParticipantInvitation.objects.get()
    writer = make_user()
    ParticipantMember.objects.create(participant=household, user=writer, role="member")
    other_manager = make_user()
    other = services.participant_join(
        actor=other_manager, kind="citizen", subtype="individual", name="Someone else"
    )
    url = reverse("projects:participant_invitation_revoke", args=[household.slug, invitation.pk])

    client.force_login(writer)
    by_writer = client.post(url)
    client.force_login(other_manager)
    by_other_manager = client.post(url)
    # Through the other participant's address: the invitation is not one of its own.
    through_other = client.post(
        reverse("projects:participant_invitation_revoke", args=[other.slug, invitation.pk])
    )
    client.logout()
    by_anonymous = client.post(url)

    assert by_writer.status_code == by_other_manager.status_code == 404
    assert through_other.status_code == 404
    assert by_anonymous.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    with pytest.raises(services.ProjectError):
        services.participant_invitation_revoke(invitation=invitation, actor=writer)


def test_invitations_are_rate_limited_per_manager(client, manager, household):
    client.force_login(manager)
    url = _members_url(household)
    for number in range(services.INVITATIONS_PER_DAY):
        client.post(url, {"identifier": f"friend{number}@example.org", "role": "member"})

    response = client.post(url, {"identifier": "one-more@example.org", "role": "member"})

    assert response.status_code == 429
    assert ParticipantInvitation.objects.count() == services.INVITATIONS_PER_DAY


def test_the_invitation_keeps_the_language_of_the_person_inviting(client, manager, household):
    client.force_login(manager)

    client.post(
        _members_url(household),
        {"identifier": "rui@example.org", "role": "member"},
        HTTP_ACCEPT_LANGUAGE="pt",
    )

    assert ParticipantInvitation.objects.get().language == "pt"
