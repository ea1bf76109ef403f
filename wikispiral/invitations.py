"""Emailed invitations, the same for a coordination group's roles (territories) and a
participant's writers (projects): a link whose token only its holder has (the database keeps
its hash), used once, until it expires; and the account an invited person creates from it,
whose address the link itself confirms."""

import hashlib
import secrets

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from wikispiral.accounts.models import User


def token_new() -> tuple[str, str]:
    """A new link's token, and the hash to store."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def invitation_problem(invitation: object | None, *, not_valid: str, expired: str) -> str | None:
    """Why invitation (with revoked_at, accepted_at, expires_at) cannot be accepted, in words
    for the person (not_valid and expired name whom to ask for a new link); None if it can."""
    if invitation is None or invitation.revoked_at is not None:
        return not_valid
    if invitation.accepted_at is not None:
        return _("This invitation has already been used.")
    if invitation.expires_at <= timezone.now():
        return expired
    return None


def invited_account_create(
    *,
    invitation: object,
    username: str,
    password: str,
    display_name: str = "",
    preferred_language: str = "",
) -> User:
    """The account of the person invitation (with email and language) was sent to, its
    address confirmed by the link; ValidationError keyed by field when an account rule fails."""
    from wikispiral.accounts.services import user_register

    if preferred_language not in dict(settings.LANGUAGES):
        preferred_language = invitation.language
    return user_register(
        username=username or "",
        email=invitation.email,
        password=password,
        display_name=display_name or "",
        preferred_language=preferred_language
        if preferred_language in dict(settings.LANGUAGES)
        else "",
        email_confirmed=True,
    )
