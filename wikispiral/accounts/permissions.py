"""Network-wide rules about people; other apps import these instead of reading User fields."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

AnyUser = AbstractBaseUser | AnonymousUser


def is_secretariat(user: AnyUser | None) -> bool:
    """Whether user is an active member of the network secretariat."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and getattr(user, "is_secretariat", False)
    )


def can_edit_wiki(user: AnyUser | None) -> bool:
    """Whether user may edit wiki pages at all (spaces may restrict further).

    Unconfirmed addresses are refused so a bot that signs up with a made-up address cannot
    spam; secretariat and superusers are trusted without the round trip.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if getattr(user, "is_superuser", False) or getattr(user, "is_secretariat", False):
        return True
    return getattr(user, "email_confirmed_at", None) is not None
