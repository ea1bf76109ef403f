"""Revoking an invitation to write for a participant. Accepting one is the shared page of
wikispiral.invitations.views, mounted by projects/urls.py."""

from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from projects import selectors, services
from projects.gate import ParticipantUserHttpRequest, participant_required
from projects.permissions import can_manage_participant
from projects.views.members import _members_page
from wikispiral.invitations.views import revoked_message


@require_POST
@participant_required(can_manage_participant)
def participant_invitation_revoke(
    request: ParticipantUserHttpRequest, participant: str, pk: int
) -> HttpResponse:
    found = request.participant
    invitation = selectors.participant_invitation_get(participant=found, pk=pk)
    try:
        services.participant_invitation_revoke(invitation=invitation, actor=request.user)
    except services.ProjectError as error:
        return _members_page(request, found, problem=error.message, status=400)
    revoked_message(request, invitation)
    return redirect("projects:participant_members", participant=found.slug)
