"""Reads of accounts: lookups that other apps and the account views share."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wikispiral.accounts.models import User


def user_get(*, pk: int) -> User | None:
    """Return the account with this primary key, or None."""
    return User.objects.filter(pk=pk).first()


def user_by_username(*, username: str) -> User | None:
    """Return the account with exactly this username, or None."""
    return User.objects.filter(username=username).first()


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
