"""Signed, expiring tokens for email confirmation links.

A token names the account and the address it was sent to, so a link mailed to a previous
address cannot confirm the current one. Nothing is stored server-side: the signature (salted,
keyed by SECRET_KEY) and the embedded timestamp are the whole proof.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.core import signing

from wikispiral.accounts.models import User

EMAIL_CONFIRMATION_SALT = "wikispiral.accounts.email_confirmation"
EMAIL_CONFIRMATION_MAX_AGE = timedelta(days=3)


class InvalidToken(Exception):
    """The token was altered, malformed, or names no account."""


class ExpiredToken(InvalidToken):
    """The token is genuine but older than EMAIL_CONFIRMATION_MAX_AGE."""


@dataclass(frozen=True)
class EmailConfirmationClaim:
    user_id: int
    email: str


def email_confirmation_token_make(*, user: User) -> str:
    """Return a URL-safe token confirming user's current email address, valid three days."""
    return signing.TimestampSigner(salt=EMAIL_CONFIRMATION_SALT).sign_object(
        {"u": user.pk, "e": user.email.casefold()}, compress=True
    )


def email_confirmation_token_read(token: str) -> EmailConfirmationClaim:
    """Return the claim in token; raise ExpiredToken or InvalidToken when it cannot be trusted."""
    signer = signing.TimestampSigner(salt=EMAIL_CONFIRMATION_SALT)
    try:
        payload = signer.unsign_object(token, max_age=EMAIL_CONFIRMATION_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ExpiredToken from exc
    except (signing.BadSignature, ValueError) as exc:
        # ValueError: a correctly signed but undecodable payload can only come from a code change;
        # treat it like tampering rather than a server error.
        raise InvalidToken from exc
    if not isinstance(payload, dict):
        raise InvalidToken
    user_id, email = payload.get("u"), payload.get("e")
    if not isinstance(user_id, int) or not isinstance(email, str):
        raise InvalidToken
    return EmailConfirmationClaim(user_id=user_id, email=email)
