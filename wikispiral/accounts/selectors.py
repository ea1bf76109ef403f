"""Reads of accounts: lookups that other apps and the account views share."""

from collections.abc import Iterable

from django.db.models.functions import Lower
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wikispiral.accounts.models import User


def user_get(*, pk: int) -> User | None:
    """Return the account with this primary key, or None."""
    return User.objects.filter(pk=pk).first()


def user_by_username(*, username: str) -> User | None:
    """Return the account with exactly this username, or None."""
    return User.objects.filter(username=username).first()


def users_by_usernames(*, names: Iterable[str]) -> dict[str, User]:
    """The accounts these usernames name, keyed by the name as given (an exact match wins over
    one differing in case only); names with no account are left out. One query per 500 names."""
    wanted = sorted({name for name in names if name})
    found: dict[str, User] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        by_lower: dict[str, list[User]] = {}
        accounts = User.objects.annotate(lowered=Lower("username")).filter(
            lowered__in={name.lower() for name in chunk}
        )
        for account in accounts.order_by("pk"):
            by_lower.setdefault(account.username.lower(), []).append(account)
        for name in chunk:
            candidates = by_lower.get(name.lower(), [])
            exact = next((user for user in candidates if user.username == name), None)
            if exact is not None or candidates:
                found[name] = exact or candidates[0]
    return found


def user_get_for_login(*, identifier: str) -> User | None:
    """Return the account a login form names by username or email (both case-insensitive).

    An exact username match wins over a case-insensitive one: accounts created before
    case-insensitive uniqueness was enforced may differ only by case.
    """
    identifier = identifier.strip()
    if not identifier:
        return None
    if "@" in identifier:
        # Emails are unique case-insensitively (accounts_user_email_unique_ci), so one row at most.
        return User.objects.filter(email__iexact=identifier).first()
    exact = User.objects.filter(username=identifier).first()
    if exact is not None:
        return exact
    return User.objects.filter(username__iexact=identifier).order_by("pk").first()


def user_email_taken(*, email: str, exclude: User | None = None) -> bool:
    """Whether another account already uses this email address, ignoring case."""
    queryset = User.objects.filter(email__iexact=email.strip())
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    return queryset.exists()


def email_normalize(email: str | None) -> str:
    """email stripped, its domain lower-cased, as accounts store addresses."""
    return User.objects.normalize_email((email or "").strip())


def user_by_email(*, email: str) -> User | None:
    """The account that uses this email address, ignoring case (one at most), or None."""
    return User.objects.filter(email__iexact=email.strip()).first()


def user_username_taken(*, username: str) -> bool:
    """Whether an account already uses this username, ignoring case."""
    return User.objects.filter(username__iexact=username.strip()).exists()


def user_role_labels(*, user: User) -> list[Promise]:
    """The network-wide roles to show a person on their profile, most basic first."""
    labels: list[Promise] = [_("Registered citizen")]
    if user.is_secretariat:
        labels.append(_("Secretariat"))
    if user.is_superuser:
        labels.append(_("Administrator"))
    return labels
