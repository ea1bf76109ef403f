"""Inviting people to write for a participant, and accepting or revoking an invitation."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

# Tests lift the rate limit by patching projects.services.rate_limit_consume: look it up on
# the package at call time so that the patch reaches this module.
import projects.services as package
from projects import selectors
from projects.models import (
    Participant,
    ParticipantInvitation,
    ParticipantMember,
)
from projects.permissions import can_manage_participant
from projects.services.members import participant_member_add
from projects.services.validation import ProjectError
from territories.services import INVITATION_VALIDITY
from wikispiral import invitations
from wikispiral.accounts.models import User
from wikispiral.accounts.selectors import user_get_for_login
from wikispiral.audit.services import audit_record
from wikispiral.mail import absolute_url, mail_send_on_commit

# Anyone confirmed can join and so manage a participant: without a cap, the invitation form
# would relay mail from us to any address.
INVITATIONS_PER_DAY = 20
INVITATIONS_WINDOW_SECONDS = 24 * 60 * 60


class InvitationUnusable(ProjectError):
    """The link is unknown, revoked, used or expired."""


class TooManyInvitations(ProjectError):
    """The actor sent INVITATIONS_PER_DAY invitations within the window."""


def _email_clean(value: str | None, field: str) -> str:
    email = (value or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ProjectError(_("Enter a valid email address."), field) from exc
    return email


@transaction.atomic
def participant_invitation_create(
    *, participant: Participant, actor: User, email: str, role: str, language: str = "en"
) -> tuple[ParticipantInvitation, str]:
    """Invite email to write for participant with role; mail the link after commit. Returns
    the invitation and its token (only its hash is stored). A pending invitation of the same
    address to the same participant is revoked: the newest link is the one that works."""
    if not can_manage_participant(actor, participant):
        raise ProjectError(_("Only the participant's managers change who writes for it."))
    email = _email_clean(email, "email")
    if role not in ParticipantMember.Role.values:
        raise ProjectError(_("Choose a role."), "role")
    if ParticipantMember.objects.filter(
        participant=participant, user__email__iexact=email
    ).exists():
        raise ProjectError(
            _("This person already writes for %(participant)s.")
            % {"participant": participant.name},
            "email",
        )
    if not package.rate_limit_consume(
        scope="projects_invitation",
        key=str(actor.pk),
        limit=INVITATIONS_PER_DAY,
        window_seconds=INVITATIONS_WINDOW_SECONDS,
    ):
        raise TooManyInvitations(
            _("You sent %(count)s invitations today: send the next ones tomorrow.")
            % {"count": INVITATIONS_PER_DAY}
        )
    now = timezone.now()
    ParticipantInvitation.objects.filter(
        participant=participant, email=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    token, hashed = invitations.token_new()
    invitation = ParticipantInvitation.objects.create(
        participant=participant,
        email=email,
        role=role,
        language=language,
        token_hash=hashed,
        invited_by=actor,
        expires_at=now + INVITATION_VALIDITY,
    )
    audit_record(
        actor=actor,
        action="projects.invitation.sent",
        target=invitation,
        participant=participant.pk,
        email=email,
        role=role,
    )
    mail_send_on_commit(
        to=email,
        template="projects/email/invitation",
        context={
            "participant": participant,
            "role": invitation.get_role_display,
            "inviter": actor.public_name,
            "accept_url": absolute_url(reverse("projects:invitation", kwargs={"token": token})),
            "expires_at": invitation.expires_at,
        },
        language=language,
    )
    return invitation, token


@transaction.atomic
def participant_member_add_or_invite(
    *, participant: Participant, actor: User, identifier: str, role: str, language: str = "en"
) -> ParticipantMember | ParticipantInvitation:
    """Let identifier write for participant: an account named by username or email at once
    (participant_member_add), an email address no account uses by an emailed invitation."""
    identifier = (identifier or "").strip()
    if "@" not in identifier or user_get_for_login(identifier=identifier) is not None:
        return participant_member_add(
            participant=participant, actor=actor, identifier=identifier, role=role
        )
    email = _email_clean(identifier, "identifier")
    invitation, _token = participant_invitation_create(
        participant=participant, actor=actor, email=email, role=role, language=language
    )
    return invitation


def participant_invitation_problem(invitation: ParticipantInvitation | None) -> str | None:
    """Why this invitation cannot be accepted, in words for the person; None if it can."""
    return invitations.invitation_problem(
        invitation,
        not_valid=_(
            "This invitation link is not valid. Ask the participant's managers for a new one."
        ),
        expired=_("This invitation has expired. Ask the participant's managers for a new one."),
    )


def invitation_needs_confirmed_address(*, invitation: ParticipantInvitation, user: User) -> bool:
    """Whether user must confirm their address before accepting: the link itself confirms the
    address it was sent to, not another one."""
    return user.email_confirmed_at is None and user.email.lower() != invitation.email


@transaction.atomic
def participant_invitation_accept(*, token: str, user: User) -> ParticipantMember:
    """Let user write for the invitation's participant with its role, once: the first
    acceptance wins. Someone who already writes for it is told so, and the link stays
    unused."""
    invitation = selectors.participant_invitation_by_token(token=token)
    problem = participant_invitation_problem(invitation)
    if problem:
        raise InvitationUnusable(problem)
    if invitation_needs_confirmed_address(invitation=invitation, user=user):
        raise ProjectError(
            _("Confirm your email address first: open the link we emailed you."), "email"
        )
    participant = invitation.participant
    already = _("You already write for %(participant)s.") % {"participant": participant.name}
    if ParticipantMember.objects.filter(participant=participant, user=user).exists():
        raise ProjectError(already)
    now = timezone.now()
    # The conditional UPDATE is the claim: two concurrent acceptances cannot both succeed.
    claimed = ParticipantInvitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).update(accepted_at=now, accepted_by=user)
    if claimed != 1:
        raise InvitationUnusable(_("This invitation has already been used."))
    try:
        with transaction.atomic():
            member = ParticipantMember.objects.create(
                participant=participant, user=user, role=invitation.role
            )
    except IntegrityError as exc:
        # Added by a manager meanwhile: the raise undoes the claim with the outer transaction.
        raise ProjectError(already) from exc
    if user.email_confirmed_at is None:
        # The link reached this mailbox: that confirms the address.
        user.email_confirmed_at = now
        user.save(update_fields=["email_confirmed_at"])
    audit_record(
        actor=user,
        action="projects.invitation.accepted",
        target=invitation,
        participant=participant.pk,
        role=invitation.role,
    )
    audit_record(
        actor=user,
        action="projects.participant.member_added",
        target=participant,
        user=user.pk,
        invitation=invitation.pk,
    )
    return member


@transaction.atomic
def participant_invitation_accept_with_signup(
    *,
    token: str,
    username: str,
    password: str,
    display_name: str = "",
    preferred_language: str = "",
) -> User:
    """Create the account of an invited person (their address is the invitation's, confirmed by
    the link) and accept the invitation: both or neither.

    Raise InvitationUnusable when the link cannot be used, ValidationError keyed by field when
    an account rule fails (username taken or invalid, password refused by the validators).
    """
    invitation = selectors.participant_invitation_by_token(token=token)
    problem = participant_invitation_problem(invitation)
    if problem:
        raise InvitationUnusable(problem)
    user = invitations.invited_account_create(
        invitation=invitation,
        username=username,
        password=password,
        display_name=display_name,
        preferred_language=preferred_language,
    )
    participant_invitation_accept(token=token, user=user)
    return user


@transaction.atomic
def participant_invitation_revoke(*, invitation: ParticipantInvitation, actor: User) -> None:
    """Make a pending invitation's link stop working (a used one is left as it is)."""
    if not can_manage_participant(actor, invitation.participant):
        raise ProjectError(_("Only the participant's managers change who writes for it."))
    revoked = ParticipantInvitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    if revoked:
        audit_record(
            actor=actor,
            action="projects.invitation.revoked",
            target=invitation,
            participant=invitation.participant_id,
        )
