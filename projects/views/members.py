"""Who writes for a participant, and accepting an invitation to do so."""

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from projects import selectors, services
from projects.forms import MemberForm
from projects.models import (
    Participant,
    ParticipantInvitation,
)
from projects.permissions import can_manage_participant
from projects.views.participants import _participant_for
from territories.groups.forms import InvitationSignupForm
from territories.services import INVITATION_VALIDITY
from wikispiral.accounts.ratelimit import rate_limited_response
from wikispiral.accounts.selectors import user_get_for_login
from wikispiral.accounts.views import MODEL_BACKEND


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
        "invitations": selectors.participant_invitation_pending_list(participant=participant),
        "form": form or MemberForm(),
        "problem": problem,
    }
    return render(request, "projects/participant_members.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def participant_members(request: HttpRequest, participant: str) -> HttpResponse:
    """Who writes for the participant and the pending invitations; POST adds someone with an
    account, or emails an invitation to an address no account uses."""
    found = _participant_for(request, participant, can_manage_participant)
    if isinstance(found, HttpResponse):
        return found
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
                    % {"email": added.email, "days": INVITATION_VALIDITY.days},
                )
            else:
                messages.success(request, _("Added."))
            return redirect("projects:participant_members", participant=found.slug)
    return _members_page(request, found, form=form, status=400)


@require_POST
def participant_member_remove(request: HttpRequest, participant: str, user_id: int) -> HttpResponse:
    found = _participant_for(request, participant, can_manage_participant)
    if isinstance(found, HttpResponse):
        return found
    try:
        services.participant_member_remove(participant=found, actor=request.user, user_id=user_id)
    except services.ProjectError as error:
        return _members_page(request, found, problem=error.message, status=400)
    messages.success(request, _("Removed."))
    return redirect("projects:participant_members", participant=found.slug)


@require_POST
def participant_invitation_revoke(request: HttpRequest, participant: str, pk: int) -> HttpResponse:
    found = _participant_for(request, participant, can_manage_participant)
    if isinstance(found, HttpResponse):
        return found
    invitation = selectors.participant_invitation_get(participant=found, pk=pk)
    try:
        services.participant_invitation_revoke(invitation=invitation, actor=request.user)
    except services.ProjectError as error:
        return _members_page(request, found, problem=error.message, status=400)
    messages.success(
        request,
        _("The invitation sent to %(email)s no longer works.") % {"email": invitation.email},
    )
    return redirect("projects:participant_members", participant=found.slug)


def _invitation_problem(request: HttpRequest, problem: str, status: int) -> HttpResponse:
    return render(request, "groups/invitation_problem.html", {"problem": problem}, status=status)


@never_cache
@sensitive_post_parameters("password", "password_confirm")
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Show an invitation to write for a participant and accept it: logged in with a button,
    otherwise by creating the account here (an existing account logs in first)."""
    found = selectors.participant_invitation_by_token(token=token)
    problem = services.participant_invitation_problem(found)
    if problem:
        # Used or expired links existed and are gone (410); unknown or revoked ones, 404.
        gone = found is not None and found.revoked_at is None
        return _invitation_problem(request, problem, 410 if gone else 404)
    account_exists = user_get_for_login(identifier=found.email) is not None
    context = {
        "invitation": found,
        "participant": found.participant,
        "account_exists": account_exists,
        "needs_confirmation": request.user.is_authenticated
        and services.invitation_needs_confirmed_address(invitation=found, user=request.user),
        "form": None,
        "login_url": redirect_to_login(request.path)["Location"],
    }
    status = 200
    if request.user.is_authenticated:
        if request.method == "POST":
            if context["needs_confirmation"]:
                return render(request, "projects/confirm_first.html", status=403)
            try:
                services.participant_invitation_accept(token=token, user=request.user)
            except services.InvitationUnusable as error:
                return _invitation_problem(request, error.message, 410)
            except services.ProjectError as error:
                return _invitation_problem(request, error.message, 400)
            return _invitation_accepted(request, found)
    elif not account_exists:
        form = InvitationSignupForm(request.POST or None)
        if request.method == "POST":
            if form.is_valid():
                data = form.cleaned_data
                try:
                    user = services.participant_invitation_accept_with_signup(
                        token=token,
                        username=data["username"],
                        password=data["password"],
                        display_name=data["display_name"],
                        preferred_language=get_language(),
                    )
                except services.InvitationUnusable as error:
                    return _invitation_problem(request, error.message, 410)
                except services.ProjectError as error:
                    return _invitation_problem(request, error.message, 400)
                except ValidationError as exc:
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    auth_login(request, user, backend=MODEL_BACKEND)
                    return _invitation_accepted(request, found)
            status = 400
        context["form"] = form
    elif request.method == "POST":
        # An account holds this address: only its owner, logged in, may accept.
        status = 400
    return render(request, "projects/invitation.html", context, status=status)


def _invitation_accepted(request: HttpRequest, invitation: ParticipantInvitation) -> HttpResponse:
    messages.success(
        request,
        _("You now write for %(participant)s, as %(role)s.")
        % {
            "participant": invitation.participant.name,
            "role": invitation.get_role_display().lower(),
        },
    )
    return redirect("projects:participant", participant=invitation.participant.slug)
