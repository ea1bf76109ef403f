"""The signed one-click unsubscribe links of the mails (RFC 8058).

A token names one person and what to stop ("digest" or "letter"), signed with SECRET_KEY under
a salt of its own ("digest.12:<signature>"), so it proves itself: the link works from any mail
client, signed in or not, and keeps working in an old mail. It grants nothing but stopping that
one kind of mail. One HMAC per token: the digest job signs one for each of tens of thousands of
people.
"""

from django.core import signing
from django.urls import reverse

from wikispiral.mail import absolute_url
from wikispiral.notifications.services import UNSUBSCRIBE_WHAT

SALT = "wikispiral.notifications.unsubscribe"
_SIGNER = signing.Signer(salt=SALT)
_SLOT = "unsubscribe-token-slot"


def unsubscribe_token(*, user_id: int, what: str) -> str:
    if what not in UNSUBSCRIBE_WHAT:
        raise ValueError(what)
    return _SIGNER.sign(f"{what}.{int(user_id)}")


def unsubscribe_token_read(token: str) -> tuple[int, str] | None:
    """(user id, what) from a token this site signed, or None for anything else."""
    try:
        value = _SIGNER.unsign(token)
    except signing.BadSignature:
        return None
    what, _dot, user_id = value.partition(".")
    if what not in UNSUBSCRIBE_WHAT or not user_id.isdecimal() or len(user_id) > 18:
        return None
    return int(user_id), what


def unsubscribe_address() -> str:
    """The absolute address of the unsubscribe page with a slot for the token: built once, so
    tens of thousands of links cost no reverse() each (see unsubscribe_url)."""
    return absolute_url(reverse("notifications:unsubscribe", kwargs={"token": _SLOT}))


def unsubscribe_url(*, user_id: int, what: str, address: str | None = None) -> str:
    """The absolute link a mail carries (built from SITE_URL)."""
    token = unsubscribe_token(user_id=user_id, what=what)
    return (address or unsubscribe_address()).replace(_SLOT, token)


def unsubscribe_headers(
    *, user_id: int | None = None, what: str = "", url: str | None = None
) -> dict[str, str]:
    """The headers of a mail people can leave in one click from their mail client: for the
    person user_id and what to stop ("digest", "letter": the network letter's sender uses
    them), or for an unsubscribe_url already built."""
    if url is None:
        if user_id is None:
            raise TypeError("unsubscribe_headers() needs user_id and what, or url")
        url = unsubscribe_url(user_id=user_id, what=what)
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
