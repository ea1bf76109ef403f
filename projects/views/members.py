"""Who writes for a participant (invitations: projects/views/invitations.py)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from projects import selectors, services
from projects.forms import MemberForm
from projects.gate import ParticipantUserHttpRequest, participant_required
from projects.models import (
    Participant,
    ParticipantInvitation,
)
from projects.permissions import can_manage_participant
from wikispiral import invitations
from wikispiral.accounts.ratelimit import rate_limited_response

INVITATION_DAYS = services.PARTICIPANT_INVITATIONS.validity.days


def _members_page(
    request: HttpRequest,
    participant: Participant,
    *,
    form: MemberForm | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "participant": participant,
        "members": selectors.participant_members(participant=participant),
        "invitations": invitations.invitation_pending_list(
            services.PARTICIPANT_INVITATIONS, owner=participant
        ),
        "form": form or MemberForm(),
        "problem": problem,
    }
    return render(request, "projects/participant_members.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@participant_required(can_manage_participant)
def participant_members(request: ParticipantUserHttpRequest, participant: str) -> HttpResponse:
    """Who writes for the participant and the pending invitations; POST adds someone with an
    account, or emails an invitation to an address no account uses."""
    found = request.participant
    if request.method == "GET":
        return _members_page(request, found)
    form = MemberForm(request.POST)
    if form.is_valid():
        try:
            added = services.participant_member_add_or_invite(
                participant=found,
                actor=request.user,
                identifier=form.cleaned_data["identifier"],
                role=form.cleaned_data["role"],
                language=get_language(),
            )
        except services.TooManyInvitations:
            return rate_limited_response(
                request, retry_after_seconds=services.INVITATIONS_WINDOW_SECONDS
            )
        except services.ProjectError as error:
            error.add_to(form)
        else:
            if isinstance(added, ParticipantInvitation):
                messages.success(
                    request,
                    _("An invitation was sent to %(email)s. The link works for %(days)s days.")
                    % {
                        "email": added.email,
                        "days": services.PARTICIPANT_INVITATIONS.validity.days,
                    },
                )
            else:
                messages.success(request, _("Added."))
            return redirect("projects:participant_members", participant=found.slug)
    return _members_page(request, found, form=form, status=400)


@require_POST
@participant_required(can_manage_participant)
def participant_member_remove(
    request: ParticipantUserHttpRequest, participant: str, user_id: int
) -> HttpResponse:
    found = request.participant
    try:
        services.participant_member_remove(participant=found, actor=request.user, user_id=user_id)
    except services.ProjectError as error:
        return _members_page(request, found, problem=error.message, status=400)
    messages.success(request, _("Removed."))
    return redirect("projects:participant_members", participant=found.slug)
