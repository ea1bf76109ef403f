"""Who writes for a participant: adding and removing its members."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from projects.models import (
    Participant,
    ParticipantMember,
)
from projects.scopes import in_participant_scope
from projects.services.validation import ProjectError
from wikispiral.accounts.models import User
from wikispiral.accounts.selectors import user_get_for_login
from wikispiral.audit.services import audit_record


def _manager_check(participant: Participant, actor: User) -> None:
    if actor.is_network_staff:
        return
    if not ParticipantMember.objects.filter(
        participant=participant, user=actor, role=ParticipantMember.Role.MANAGER
    ).exists():
        raise ProjectError(_("Only the participant's managers change who writes for it."))


@in_participant_scope
@transaction.atomic
def participant_member_add(
    *, participant: Participant, actor: User, identifier: str, role: str
) -> ParticipantMember:
    """Let someone with an account (named by username or email) write for participant."""
    _manager_check(participant, actor)
    if role not in ParticipantMember.Role.values:
        raise ProjectError(_("Choose a role."), "role")
    user = user_get_for_login(identifier=identifier or "")
    if user is None or not user.is_active:
        raise ProjectError(
            _("Nobody has an account with this username or email address."), "identifier"
        )
    try:
        with transaction.atomic():
            member = ParticipantMember.objects.create(participant=participant, user=user, role=role)
    except IntegrityError as exc:
        raise ProjectError(
            _("%(name)s already writes for %(participant)s.")
            % {"name": user.public_name, "participant": participant.name},
            "identifier",
        ) from exc
    audit_record(
        actor=actor, action="projects.participant.member_added", target=participant, user=user.pk
    )
    return member


@in_participant_scope
@transaction.atomic
def participant_member_remove(*, participant: Participant, actor: User, user_id: int) -> None:
    """Stop someone writing for participant; its last manager stays."""
    _manager_check(participant, actor)
    members = ParticipantMember.objects.select_for_update().filter(participant=participant)
    member = members.filter(user_id=user_id).first()
    if member is None:
        raise ProjectError(_("This person does not write for this participant."))
    managers = [m for m in members if m.role == ParticipantMember.Role.MANAGER]
    if member.role == ParticipantMember.Role.MANAGER and len(managers) == 1:
        raise ProjectError(_("A participant keeps at least one manager."))
    member.delete()
    audit_record(
        actor=actor, action="projects.participant.member_removed", target=participant, user=user_id
    )
