"""Writes on accounts: registration, email confirmation, profile changes, demo accounts, rate
limits."""

import hashlib
import logging
from collections.abc import Mapping

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from wikispiral.accounts import selectors
from wikispiral.accounts.models import User
from wikispiral.accounts.tokens import EMAIL_CONFIRMATION_MAX_AGE, email_confirmation_token_make
from wikispiral.mail import MAIL_ERRORS, language_or_default
from wikispiral.text import line_clean

logger = logging.getLogger(__name__)

EMAIL_TAKEN_MESSAGE = _("An account with this email address already exists.")
USERNAME_TAKEN_MESSAGE = _("This username is already taken.")


def _merge_errors(errors: dict[str, list], exc: ValidationError) -> None:
    for field, messages in exc.update_error_dict({}).items():
        errors.setdefault(field, []).extend(messages)


def send_confirmation_email(*, user: User, site_url: str | None = None) -> None:
    """Mail user a link confirming their current address; raise MAIL_ERRORS if sending fails.

    The link is built from settings.SITE_URL, never from the request's Host header, which an
    attacker could set to have us mail out a link to their own site.
    """
    token = email_confirmation_token_make(user=user)
    base = (site_url or settings.SITE_URL).rstrip("/")
    context = {
        "user": user,
        "confirm_url": base + reverse("accounts:confirm_email", kwargs={"token": token}),
        "site_url": base,
        "valid_days": EMAIL_CONFIRMATION_MAX_AGE.days,
    }
    with translation.override(language_or_default(user.preferred_language)):
        subject = render_to_string("accounts/email/confirm_email_subject.txt", context)
        body = render_to_string("accounts/email/confirm_email.txt", context)
    send_mail(
        subject=" ".join(subject.split()),
        message=body,
        from_email=None,
        recipient_list=[user.email],
    )


def _send_confirmation_or_log(*, user: User) -> bool:
    try:
        send_confirmation_email(user=user)
    except MAIL_ERRORS:
        # The account exists either way; the person can ask for a new link from their profile.
        logger.exception("Could not send the confirmation email to user %s", user.pk)
        return False
    return True


def user_register(
    *,
    username: str,
    email: str,
    password: str,
    display_name: str,
    preferred_language: str,
    email_confirmed: bool = False,
) -> User:
    """Create an account with an unconfirmed email and mail the confirmation link; with
    email_confirmed (the address was just proven, e.g. by an invitation link) the account
    starts confirmed and nothing is mailed.

    Raise ValidationError (keyed by username, email, password, preferred_language) when a rule
    fails: usernames and emails are unique ignoring case, the password passes the validators.
    The account can log in at once but cannot edit until the address is confirmed.
    """
    user = User(
        username=username.strip(),
        email=email.strip(),
        display_name=line_clean(display_name),
        preferred_language=preferred_language,
        is_active=True,
        email_confirmed_at=timezone.now() if email_confirmed else None,
    )
    errors: dict[str, list] = {}
    try:
        # clean() first: it normalises username (NFKC) and the email's domain part.
        user.full_clean(exclude=["password"], validate_constraints=False)
    except ValidationError as exc:
        _merge_errors(errors, exc)
    if "username" not in errors and selectors.user_username_taken(username=user.username):
        errors["username"] = [USERNAME_TAKEN_MESSAGE]
    if "email" not in errors and selectors.user_email_taken(email=user.email):
        errors["email"] = [EMAIL_TAKEN_MESSAGE]
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        errors.setdefault("password", []).extend(exc.error_list)
    if errors:
        raise ValidationError(errors)

    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        # Two sign-ups racing for the same address: the unique index decides.
        raise ValidationError({"email": [EMAIL_TAKEN_MESSAGE]}) from exc
    if not email_confirmed:
        _send_confirmation_or_log(user=user)
    return user


def user_confirm_email(*, user: User) -> None:
    """Mark user's current address as confirmed now; a no-op if it already is."""
    if user.email_confirmed_at is not None:
        return
    user.email_confirmed_at = timezone.now()
    user.save(update_fields=["email_confirmed_at"])


def user_update_profile(
    *, user: User, display_name: str, preferred_language: str, email: str, time_zone: str = ""
) -> User:
    """Save the fields a person edits on their profile.

    A new address (other than a change of letter case) clears the confirmation and mails a link
    to the new address. Raise ValidationError keyed by field when a rule fails.
    """
    old_values = (user.display_name, user.preferred_language, user.email, user.time_zone)
    old_email = user.email
    user.display_name = line_clean(display_name)
    user.preferred_language = preferred_language
    user.email = email.strip()
    user.time_zone = time_zone
    errors: dict[str, list] = {}
    try:
        user.full_clean(validate_constraints=False)
    except ValidationError as exc:
        _merge_errors(errors, exc)
    if "email" not in errors and selectors.user_email_taken(email=user.email, exclude=user):
        errors["email"] = [EMAIL_TAKEN_MESSAGE]
    if errors:
        # request.user is often the object passed in: leave it as it was for the re-rendered page.
        user.display_name, user.preferred_language, user.email, user.time_zone = old_values
        raise ValidationError(errors)

    old_confirmed_at = user.email_confirmed_at
    email_changed = user.email.casefold() != old_email.casefold()
    update_fields = ["display_name", "preferred_language", "email", "time_zone"]
    if email_changed:
        user.email_confirmed_at = None
        update_fields.append("email_confirmed_at")
    try:
        with transaction.atomic():
            user.save(update_fields=update_fields)
    except IntegrityError as exc:
        user.display_name, user.preferred_language, user.email, user.time_zone = old_values
        user.email_confirmed_at = old_confirmed_at
        raise ValidationError({"email": [EMAIL_TAKEN_MESSAGE]}) from exc
    if email_changed:
        _send_confirmation_or_log(user=user)
    return user


def demo_user_ensure(
    *,
    username: str,
    email: str,
    password: str | None,
    display_name: str = "",
    preferred_language: str | None = None,
    email_confirmed: bool = False,
    flags: Mapping[str, bool] | None = None,
) -> tuple[User, bool]:
    """The demo account with this username, and whether it was created now: an existing one is
    left as it is. A new one gets password (checked by the validators: ValidationError) or, with
    None, an unusable password; flags set is_secretariat, is_staff, is_superuser. Seeds only."""
    existing = selectors.user_by_username(username=username)
    if existing is not None:
        return existing, False
    user = User(
        username=username,
        email=email,
        display_name=display_name,
        email_confirmed_at=timezone.now() if email_confirmed else None,
        **(flags or {}),
    )
    if preferred_language is not None:
        user.preferred_language = preferred_language
    if password is None:
        user.set_unusable_password()
    else:
        password_validation.validate_password(password, user)
        user.set_password(password)
    user.save()
    return user, True


def rate_limit_consume(*, scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one action by key in scope; return False once more than limit fell in the window.

    A fixed window that opens at the first action, kept in the shared cache so every worker
    process sees the same count. Keys are hashed: IPv6 addresses and emails are not safe cache
    keys on every backend.
    """
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"accounts:rate:{scope}:{digest}"
    if cache.add(cache_key, 1, timeout=window_seconds):
        return limit >= 1
    try:
        count = cache.incr(cache_key)
    except ValueError:
        # The window expired between add() and incr(): this action opens a new one.
        cache.set(cache_key, 1, timeout=window_seconds)
        count = 1
    return count <= limit
