"""Account pages: sign-up and email confirmation, log in/out, profile, passwords.

Invalid submissions answer 400 with the form and its errors, throttled ones 429: bad input is
never a 200 nor a 500. Password reset and change are Django's own views, configured here.
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from wikispiral.accounts import selectors, services
from wikispiral.accounts.forms import (
    FORM_STAMP_FIELD,
    HONEYPOT_FIELD,
    LoginForm,
    PasswordResetForm,
    ProfileForm,
    SignupForm,
    honeypot_filled,
    make_form_stamp,
)
from wikispiral.accounts.models import User
from wikispiral.accounts.ratelimit import client_key, rate_limited_response
from wikispiral.accounts.tokens import ExpiredToken, InvalidToken, email_confirmation_token_read
from wikispiral.typing import AuthenticatedHttpRequest

logger = logging.getLogger(__name__)

# The backend to name when logging someone in without a password (confirmation link, reset):
# with two backends configured, login() needs to be told which one vouches for the session.
MODEL_BACKEND = "wikispiral.accounts.backends.CachedModelBackend"

RATE_WINDOW_SECONDS = 60 * 60
SIGNUP_POSTS_PER_IP_PER_HOUR = 10
PASSWORD_RESETS_PER_IP_PER_HOUR = 10
CONFIRMATION_RESENDS_PER_USER_PER_HOUR = 3


def _rate_limited(request: HttpRequest) -> HttpResponse:
    return rate_limited_response(request, retry_after_seconds=RATE_WINDOW_SECONDS)


def _safe_next(request: HttpRequest) -> str | None:
    candidate = request.POST.get("next") or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    # Same attributes as the site-wide switcher (wikispiral.views.set_language_get).
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
        httponly=True,
        samesite="Lax",
    )


@never_cache
@sensitive_post_parameters("password", "password_confirm")
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Create an account; the confirmation link is mailed and the person is sent to wait for it."""
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    status = 200
    if request.method == "POST":
        if not services.rate_limit_consume(
            scope="signup",
            key=client_key(request),
            limit=SIGNUP_POSTS_PER_IP_PER_HOUR,
            window_seconds=RATE_WINDOW_SECONDS,
        ):
            return _rate_limited(request)
        if honeypot_filled(request.POST):
            # Look exactly like a success so the robot has nothing to learn from.
            logger.info("Sign-up honeypot filled from %s", client_key(request))
            return redirect("accounts:signup_done")
        form = SignupForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.user_register(
                    username=data["username"],
                    email=data["email"],
                    password=data["password"],
                    display_name=data["display_name"],
                    preferred_language=data["preferred_language"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("accounts:signup_done")
        status = 400
    else:
        form = SignupForm(initial={"preferred_language": translation.get_language()})
    context = {
        "form": form,
        # A fresh stamp on every render: a person correcting errors needs a form that can pass.
        "form_stamp": make_form_stamp(),
        "form_stamp_field": FORM_STAMP_FIELD,
        "honeypot_field": HONEYPOT_FIELD,
    }
    return render(request, "accounts/signup.html", context, status=status)


@require_http_methods(["GET"])
def signup_done(request: HttpRequest) -> HttpResponse:
    """Ask the person to open the link we mailed them."""
    return render(request, "accounts/signup_done.html")


def _confirmation_user(token: str) -> tuple[User | None, str]:
    """The account a confirmation token may confirm, or None and the reason to show."""
    try:
        claim = email_confirmation_token_read(token)
    except ExpiredToken:
        return None, _(
            "This confirmation link has expired. Log in and ask for a new one from your profile."
        )
    except InvalidToken:
        return None, _(
            "This confirmation link is not valid. Check that you copied all of it, "
            "or log in and ask for a new one from your profile."
        )
    user = selectors.user_get(pk=claim.user_id)
    if user is None or not user.is_active:
        return None, _("This confirmation link is not valid.")
    if user.email.casefold() != claim.email:
        return None, _(
            "This link was sent to an address that is no longer on the account. "
            "Use the link in the most recent email we sent you."
        )
    return user, ""


@never_cache
@require_http_methods(["GET", "POST"])
def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button, POST confirms: mail scanners that follow links confirm nothing."""
    user, problem = _confirmation_user(token)
    if user is None:
        return render(
            request, "accounts/confirm_email_invalid.html", {"problem": problem}, status=400
        )
    if request.method == "GET":
        return render(
            request, "accounts/confirm_email.html", {"confirm_user": user, "token": token}
        )

    was_unconfirmed = user.email_confirmed_at is None
    services.user_confirm_email(user=user)
    if request.user.is_authenticated and request.user.pk != user.pk:
        # Never switch the browser to another account behind the back of whoever is logged in.
        messages.success(
            request,
            _("The email address of %(username)s is confirmed.") % {"username": user.username},
        )
        return redirect("accounts:profile")
    if not request.user.is_authenticated:
        if not was_unconfirmed:
            # The link already did its work once: it must not be a password for three days.
            messages.info(request, _("Your email address was already confirmed. Please log in."))
            return redirect("accounts:login")
        auth_login(request, user, backend=MODEL_BACKEND)
    messages.success(request, _("Thank you, your email address is confirmed."))
    return redirect("accounts:profile")


@login_required
@require_POST
def resend_confirmation(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Mail a fresh confirmation link to the logged-in person's current address."""
    user = request.user
    if user.email_confirmed_at is not None:
        messages.info(request, _("Your email address is already confirmed."))
        return redirect("accounts:profile")
    if not services.rate_limit_consume(
        scope="resend_confirmation",
        key=str(user.pk),
        limit=CONFIRMATION_RESENDS_PER_USER_PER_HOUR,
        window_seconds=RATE_WINDOW_SECONDS,
    ):
        return _rate_limited(request)
    try:
        services.send_confirmation_email(user=user)
    except services.MAIL_ERRORS:
        logger.exception("Could not resend the confirmation email to user %s", user.pk)
        messages.error(request, _("We could not send the email just now. Please try again later."))
    else:
        messages.success(
            request,
            _("We sent a new confirmation link to %(email)s.") % {"email": user.email},
        )
    return redirect("accounts:profile")


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """Log in by username or email; django-axes turns repeated failures into a lockout page."""
    next_url = _safe_next(request)
    status = 200
    if request.method == "POST":
        form = LoginForm(request, request.POST)
        if form.is_valid() and form.user is not None:
            auth_login(request, form.user)
            return HttpResponseRedirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
        status = 400
    else:
        form = LoginForm(request)
    return render(request, "accounts/login.html", {"form": form, "next": next_url}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def logout_view(request: HttpRequest) -> HttpResponse:
    """GET asks for confirmation; only a POST (with its CSRF token) logs out."""
    if request.method == "POST":
        auth_logout(request)
        messages.info(request, _("You are logged out."))
        return HttpResponseRedirect(resolve_url(settings.LOGOUT_REDIRECT_URL))
    return render(request, "accounts/logout.html")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show roles and confirmation state; edit display name, email and language."""
    user = request.user
    status = 200
    if request.method == "POST":
        form = ProfileForm(request.POST, user=user)
        if form.is_valid():
            old_email = user.email
            data = form.cleaned_data
            try:
                services.user_update_profile(
                    user=user,
                    display_name=data["display_name"],
                    preferred_language=data["preferred_language"],
                    email=data["email"],
                    time_zone=data["time_zone"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                language = user.preferred_language
                # Answer (and store the message) in the newly chosen language.
                translation.activate(language)
                request.LANGUAGE_CODE = language
                messages.success(request, _("Your profile is saved."))
                if user.email.casefold() != old_email.casefold():
                    messages.info(
                        request,
                        _("We sent a link to %(email)s to confirm the new address.")
                        % {"email": user.email},
                    )
                response = redirect("accounts:profile")
                _set_language_cookie(response, language)
                return response
        status = 400
    else:
        form = ProfileForm(user=user)
    context = {
        "form": form,
        "profile_user": user,
        "roles": selectors.user_role_labels(user=user),
    }
    return render(request, "accounts/profile.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponseBase:
    """Django's reset request view, with a per-address limit so it cannot flood an inbox."""
    if request.method == "POST" and not services.rate_limit_consume(
        scope="password_reset",
        key=client_key(request),
        limit=PASSWORD_RESETS_PER_IP_PER_HOUR,
        window_seconds=RATE_WINDOW_SECONDS,
    ):
        return _rate_limited(request)
    view = auth_views.PasswordResetView.as_view(
        form_class=PasswordResetForm,
        template_name="accounts/password_reset_form.html",
        subject_template_name="accounts/email/password_reset_subject.txt",
        email_template_name="accounts/email/password_reset_email.txt",
        success_url=reverse_lazy("accounts:password_reset_done"),
        # Links are built from SITE_URL, not from the request's Host header (see
        # services.send_confirmation_email); read per request so test overrides apply.
        extra_email_context={"site_url": settings.SITE_URL},
    )
    return view(request)


password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html",
    success_url=reverse_lazy("accounts:password_reset_complete"),
    post_reset_login=True,
    post_reset_login_backend=MODEL_BACKEND,
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)
password_change = auth_views.PasswordChangeView.as_view(
    template_name="accounts/password_change_form.html",
    success_url=reverse_lazy("accounts:password_change_done"),
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="accounts/password_change_done.html"
)
