"""Inviting people to write for a participant: the participants' kind of invitation
(wikispiral.invitations runs the flow) and the checks that belong to participants."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

# Tests lift the rate limit by patching projects.services.rate_limit_consume: look it up on
# the package at call time so that the patch reaches this module.
import projects.services as package
from projects.models import (
    Participant,
    ParticipantInvitation,
    ParticipantMember,
)
from projects.permissions import can_manage_participant
from projects.scopes import across_participants, in_participant_scope, participant_scope
from projects.services.members import participant_member_add
from projects.services.validation import ProjectError
from wikispiral import invitations
from wikispiral.accounts.models import User
from wikispiral.accounts.selectors import user_get_for_login
from wikispiral.audit.services import audit_record

# Anyone confirmed can join and so manage a participant: without a cap, the invitation form
# would relay mail from us to any address.
INVITATIONS_PER_DAY = 20
INVITATIONS_WINDOW_SECONDS = 24 * 60 * 60


class InvitationUnusable(ProjectError):
    """The link is unknown, revoked, used or expired."""


class TooManyInvitations(ProjectError):
    """The actor sent INVITATIONS_PER_DAY invitations within the window."""


def _already(participant: Participant) -> str:
    return _("You already write for %(participant)s.") % {"participant": participant.name}


class ParticipantInvitations(invitations.InvitationKind):
    """Writing for a participant of "Together let's learn to make the right choices"."""

    name = "projects"
    model = ParticipantInvitation
    owner_field = "participant"
    url_name = "projects:invitation"
    audit_prefix = "projects"
    error = ProjectError
    unusable_error = InvitationUnusable
    requires_confirmed_address = True
    confirm_first_template = "projects/confirm_first.html"
    stylesheet = "css/projects.css"

    def rows(self, owner: Participant) -> Any:
        return ParticipantInvitation.objects.with_scope(participant=owner).filter(participant=owner)

    def by_token_hash(self, hashed: str) -> ParticipantInvitation | None:
        # Crosses participants on purpose: the token is the only thing the visitor has.
        with across_participants():
            return super().by_token_hash(hashed)

    def audit_fields(self, invitation: ParticipantInvitation) -> dict[str, Any]:
        return {"participant": invitation.participant_id}

    def problem_texts(self) -> tuple[str, str]:
        return (
            _("This invitation link is not valid. Ask the participant's managers for a new one."),
            _("This invitation has expired. Ask the participant's managers for a new one."),
        )

    def may_manage(self, actor: User, owner: Participant) -> bool:
        return can_manage_participant(actor, owner)

    def manage_refusal(self) -> str:
        return _("Only the participant's managers change who writes for it.")

    def before_accept(self, invitation: ParticipantInvitation, user: User) -> None:
        # Someone who already writes for it is told so, and the link stays unused.
        participant = invitation.participant
        with participant_scope(participant):
            writes = ParticipantMember.objects.filter(participant=participant, user=user).exists()
        if writes:
            raise ProjectError(_already(participant))

    def grant(self, invitation: ParticipantInvitation, user: User) -> tuple[ParticipantMember, str]:
        participant = invitation.participant
        try:
            with transaction.atomic(), participant_scope(participant):
                member = ParticipantMember.objects.create(
                    participant=participant, user=user, role=invitation.role
                )
        except IntegrityError as exc:
            # Added by a manager meanwhile: the raise undoes the claim with the outer transaction.
            raise ProjectError(_already(participant)) from exc
        audit_record(
            actor=user,
            action="projects.participant.member_added",
            target=participant,
            user=user.pk,
            invitation=invitation.pk,
        )
        return member, invitation.role

    def page_texts(self, invitation: ParticipantInvitation, viewer: str) -> dict[str, str]:
        participant = invitation.participant
        words = {
            "name": participant.name,
            "role": invitation.get_role_display().lower(),
            "date": formats.date_format(timezone.localtime(invitation.expires_at)),
            "inviter": invitation.invited_by.public_name if invitation.invited_by else "",
        }
        if words["inviter"]:
            intro = _(
                "%(inviter)s invites you to write for %(name)s in “Together let's learn to "
                "make the right choices”, as %(role)s. This invitation works once, until "
                "%(date)s."
            )
        else:
            intro = _(
                "You are invited to write for %(name)s in “Together let's learn to make the "
                "right choices”, as %(role)s. This invitation works once, until %(date)s."
            )
        return {
            "title": _("Invitation to write for %(name)s") % words,
            "intro": intro % words,
            "owner_url": reverse("projects:participant", args=[participant.slug]),
            "owner_link": _("See the page of %(name)s") % words,
            "confirm_first": _(
                "To take part in the project, open the link we emailed you to confirm your "
                "address. You can ask for a new link from your profile."
            ),
            "other_account": _(
                "This invitation was sent to %(email)s; you are logged in as %(name)s. "
                "Accepting lets this account write."
            )
            % {"email": invitation.email, "name": viewer},
            "submit": _("Create my account and accept"),
        }

    def mail_texts(self, invitation: ParticipantInvitation) -> dict[str, str]:
        words = {
            "name": invitation.participant.name,
            "role": invitation.get_role_display().lower(),
            "inviter": invitation.invited_by.public_name if invitation.invited_by else "",
        }
        return {
            "subject": _("Invitation to write for %(name)s on wikispiral") % words,
            "invites": _(
                "%(inviter)s invites you to write for %(name)s in “Together let's learn to "
                "make the right choices” on wikispiral, as %(role)s: you will record its "
                "choices and carbon footprints."
            )
            % words,
        }

    def accepted(self, invitation: ParticipantInvitation) -> tuple[str, str]:
        participant = invitation.participant
        message = _("You now write for %(participant)s, as %(role)s.") % {
            "participant": participant.name,
            "role": invitation.get_role_display().lower(),
        }
        return message, reverse("projects:participant", kwargs={"participant": participant.slug})


PARTICIPANT_INVITATIONS = ParticipantInvitations()


def _email_clean(value: str | None, field: str) -> str:
    email = (value or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ProjectError(_("Enter a valid email address."), field) from exc
    return email


def _manager_check(actor: User, participant: Participant) -> None:
    if not PARTICIPANT_INVITATIONS.may_manage(actor, participant):
        raise ProjectError(PARTICIPANT_INVITATIONS.manage_refusal())


@in_participant_scope
@transaction.atomic
def participant_invitation_create(
    *, participant: Participant, actor: User, email: str, role: str, language: str = "en"
) -> tuple[ParticipantInvitation, str]:
    """Invite email to write for participant with role; mail the link after commit. Returns
    the invitation and its token (only its hash is stored). A pending invitation of the same
    address to the same participant is revoked: the newest link is the one that works."""
    _manager_check(actor, participant)
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
    return invitations.invitation_create(
        PARTICIPANT_INVITATIONS,
        owner=participant,
        email=email,
        role=role,
        actor=actor,
        language=language,
    )


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


@in_participant_scope
@transaction.atomic
def participant_invitation_revoke(*, invitation: ParticipantInvitation, actor: User) -> None:
    """Make a pending invitation's link stop working (a used one is left as it is)."""
    invitations.invitation_revoke(PARTICIPANT_INVITATIONS, invitation=invitation, actor=actor)
