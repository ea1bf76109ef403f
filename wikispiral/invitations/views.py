"""The one page where any invitation is shown and accepted; each app's urls.py mounts it with
its kind's name (path(..., invitation, {"kind": "<name>"}, name=...))."""

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from wikispiral.accounts.selectors import user_by_email
from wikispiral.accounts.views import MODEL_BACKEND
from wikispiral.invitations import services
from wikispiral.invitations.forms import InvitationSignupForm
from wikispiral.invitations.kinds import InvitationKind, InvitationRow, kind_get


def invitation_problem_page(request: HttpRequest, problem: str, status: int) -> HttpResponse:
    return render(
        request, "invitations/invitation_problem.html", {"problem": problem}, status=status
    )


def revoked_message(request: HttpRequest, invitation: InvitationRow) -> None:
    """Tell the person who revoked invitation that its link no longer works."""
    messages.success(
        request,
        _("The invitation sent to %(email)s no longer works.") % {"email": invitation.email},
    )


def _accepted(request: HttpRequest, kind: InvitationKind, found: InvitationRow) -> HttpResponse:
    message, url = kind.accepted(found)
    messages.success(request, message)
    return redirect(url)


@never_cache
@sensitive_post_parameters("password", "password_confirm")
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str, kind: str) -> HttpResponse:
    """Show an invitation and accept it: logged in with a button, otherwise by creating the
    account here (an existing account logs in first). Crosses owners: the token is the key."""
    flow = kind_get(kind)
    found = services.invitation_by_token(flow, token=token)
    problem = services.kind_problem(flow, found)
    if problem or found is None:
        # Used or expired links existed and are gone (410); unknown or revoked ones, 404.
        gone = found is not None and found.revoked_at is None
        return invitation_problem_page(request, problem or "", 410 if gone else 404)
    account_exists = user_by_email(email=found.email) is not None
    user = request.user
    context = {
        "invitation": found,
        "texts": flow.page_texts(found, getattr(user, "public_name", "")),
        "stylesheet": flow.stylesheet,
        "account_exists": account_exists,
        "needs_confirmation": user.is_authenticated
        and services.needs_confirmed_address(flow, invitation=found, user=user),
        "form": None,
        "login_url": reverse("accounts:login") + "?" + urlencode({"next": request.path}),
    }
    status = 200
    if user.is_authenticated:
        if request.method == "POST":
            if context["needs_confirmation"]:
                return render(request, flow.confirm_first_template, status=403)
            try:
                services.invitation_accept(flow, token=token, user=user)
            except flow.unusable_error as error:
                return invitation_problem_page(request, error.message, 410)
            except flow.error as error:
                return invitation_problem_page(request, error.message, 400)
            return _accepted(request, flow, found)
    elif not account_exists:
        form = InvitationSignupForm(request.POST if request.method == "POST" else None)
        if request.method == "POST":
            if form.is_valid():
                data = form.cleaned_data
                try:
                    created = services.invitation_accept_with_signup(
                        flow,
                        token=token,
                        username=data["username"],
                        password=data["password"],
                        display_name=data["display_name"],
                        preferred_language=translation.get_language() or "",
                    )
                except flow.unusable_error as error:
                    return invitation_problem_page(request, error.message, 410)
                except flow.error as error:
                    return invitation_problem_page(request, error.message, 400)
                except ValidationError as exc:
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    auth_login(request, created, backend=MODEL_BACKEND)
                    return _accepted(request, flow, found)
            status = 400
        context["form"] = form
    elif request.method == "POST":
        # An account holds this address: only its owner, logged in, may accept.
        status = 400
    return render(request, "invitations/invitation.html", context, status=status)
