"""Who may do what in the project: `can_<verb>(user, obj) -> bool`.

A participant's pages and choices are public. Its managers and members write for it (members
record choices and footprints; managers also change the participant itself); the secretariat
may do everything. Commenting and "I do this too" need an account with a confirmed address,
as editing the wiki does."""

from projects.models import Charter, Participant, ParticipantMember, Workshop
from projects.scopes import across_participants, participant_scope
from territories.models import CoordinationGroup, Membership
from territories.permissions import group_role, is_facilitator_anywhere
from wikispiral.accounts.permissions import can_edit_wiki
from wikispiral.wiki.models import Space

MANAGER = ParticipantMember.Role.MANAGER


def _staff(user: object) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_network_staff)


def participant_role(user: object, participant: Participant) -> str | None:
    """The user's role for participant, remembered on the user for the request."""
    if not getattr(user, "is_authenticated", False):
        return None
    remembered = user.__dict__.setdefault("_participant_roles", {})
    if participant.pk not in remembered:
        with participant_scope(participant):
            remembered[participant.pk] = (
                ParticipantMember.objects.filter(participant=participant, user=user)
                .values_list("role", flat=True)
                .first()
            )
    return remembered[participant.pk]


def can_contribute(user: object, participant: Participant) -> bool:
    """Record and edit the participant's choices and footprints."""
    if _staff(user):
        return True
    return can_edit_wiki(user) and participant_role(user, participant) is not None


def can_manage_participant(user: object, participant: Participant) -> bool:
    """Change the participant's name, type and people."""
    if _staff(user):
        return True
    return can_edit_wiki(user) and participant_role(user, participant) == MANAGER


def can_take_part(user: object) -> bool:
    """Join, comment, say "I do this too"."""
    return can_edit_wiki(user)


def can_organise(user: object) -> bool:
    """Schedule workshops and draft charters: the secretariat and the facilitators of
    coordination groups."""
    if not getattr(user, "is_authenticated", False):
        return False
    return _staff(user) or is_facilitator_anywhere(user)


def can_run_workshop(user: object, workshop: Workshop) -> bool:
    """Cancel it, write its conclusions: its organiser and the secretariat."""
    if not getattr(user, "is_authenticated", False):
        return False
    return _staff(user) or workshop.organiser_id == user.pk


def can_open_charter(user: object, charter: Charter) -> bool:
    """Put it to the vote: who drafted it and the secretariat."""
    if not getattr(user, "is_authenticated", False):
        return False
    return _staff(user) or charter.created_by_id == user.pk


def participant_space_roles(user: object, space: Space) -> frozenset[str]:
    """Wiki roles in a participant's space: its managers manage pages, its members edit."""
    with across_participants():  # the space names the participant; the user is filtered
        role = (
            ParticipantMember.objects.filter(user=user, participant__space=space)
            .values_list("role", flat=True)
            .first()
        )
    if role is None:
        return frozenset()
    return frozenset({"facilitator"}) if role == MANAGER else frozenset({"editor"})


# --- From syntheses to action: indicators, evaluations, actions, pledges, impact reports -------
#
# A coordination group's facilitators build indicators, run evaluation sessions, open actions
# and ask for impact reports; its members (any role) pledge and see drafts; once published,
# indicators, evaluations, actions and reports are read by anyone who may see the group (its
# pages are public unless the secretariat hid it). Views load the group with
# tenant_required(public=True) and answer 404 for a draft the reader may not see.


def _progress_role(user: object, tenant: CoordinationGroup) -> str | None:
    """The user's role in tenant, remembered on the user for the request (a page asks several
    times: the actions, the pledges, the reports)."""
    remembered = user.__dict__.setdefault("_progress_roles", {})
    if tenant.pk not in remembered:
        remembered[tenant.pk] = group_role(user, tenant)
    return remembered[tenant.pk]


def can_build_progress(user: object, tenant: CoordinationGroup) -> bool:
    """Write indicators, evaluation sessions and actions; mark pledges kept; ask for reports."""
    if not getattr(user, "is_authenticated", False):
        return False
    return _staff(user) or _progress_role(user, tenant) == Membership.Role.FACILITATOR


def can_pledge(user: object, tenant: CoordinationGroup) -> bool:
    """Offer something to one of the group's actions: its members and the secretariat."""
    if not getattr(user, "is_authenticated", False):
        return False
    return _staff(user) or _progress_role(user, tenant) is not None


def can_see_progress_drafts(user: object, tenant: CoordinationGroup) -> bool:
    """See the group's indicators, sessions and actions that are not published yet."""
    return can_pledge(user, tenant)
