"""Emailed invitations, whatever they invite into: a link whose token only its holder has (the
database keeps its hash), used once, until it expires; accepting it with an account or by
creating one (whose address the link itself confirms); revoking it. What a kind grants and
how it speaks comes from its InvitationKind."""

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from wikispiral.accounts.models import User
from wikispiral.audit.services import audit_record
from wikispiral.invitations.kinds import InvitationKind, InvitationRow
from wikispiral.mail import absolute_url, language_or_default, mail_send_on_commit

MAIL_TEMPLATE = "invitations/email/invitation"


def token_new() -> tuple[str, str]:
    """A new link's token, and the hash to store."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def invitation_problem(
    invitation: InvitationRow | None, *, not_valid: str, expired: str
) -> str | None:
    """Why invitation cannot be accepted, in words for the person (not_valid and expired name
    whom to ask for a new link); None if it can."""
    if invitation is None or invitation.revoked_at is not None:
        return not_valid
    if invitation.accepted_at is not None:
        return _("This invitation has already been used.")
    if invitation.expires_at <= timezone.now():
        return expired
    return None


def kind_problem(kind: InvitationKind, invitation: InvitationRow | None) -> str | None:
    """Why this invitation of kind cannot be accepted, in words for the person; None if it can."""
    not_valid, expired = kind.problem_texts()
    return invitation_problem(invitation, not_valid=not_valid, expired=expired)


def invitation_by_token(kind: InvitationKind, *, token: str) -> InvitationRow | None:
    """The invitation a link's token designates, whatever its state (None if unknown)."""
    return kind.by_token_hash(token_hash(token))


def _usable(kind: InvitationKind, token: str) -> InvitationRow:
    invitation = invitation_by_token(kind, token=token)
    problem = kind_problem(kind, invitation)
    if problem:
        raise kind.unusable_error(problem)
    return invitation


def needs_confirmed_address(kind: InvitationKind, *, invitation: InvitationRow, user: User) -> bool:
    """Whether user must confirm their address before accepting: the link itself confirms the
    address it was sent to, not another one."""
    return (
        kind.requires_confirmed_address
        and user.email_confirmed_at is None
        and user.email.lower() != invitation.email.lower()
    )


@transaction.atomic
def invitation_create(
    kind: InvitationKind,
    *,
    owner: object,
    email: str,
    role: str,
    actor: User | None,
    language: str = "en",
    send_email: bool = True,
) -> tuple[InvitationRow, str]:
    """Invite email (already checked by the kind's app) to owner with role; mail the link after
    commit unless send_email is False. Returns the invitation and its token (only its hash is
    stored). A pending invitation of the same address to owner is revoked: the newest link is
    the one that works."""
    now = timezone.now()
    kind.rows(owner).filter(
        email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    token, hashed = token_new()
    invitation = kind.model._default_manager.create(
        **{kind.owner_field: owner},
        email=email,
        role=role,
        language=language,
        token_hash=hashed,
        invited_by=actor,
        expires_at=now + kind.validity,
    )
    audit_record(
        actor=actor,
        action=f"{kind.audit_prefix}.invitation.sent",
        target=invitation,
        **kind.audit_fields(invitation),
        email=email,
        role=role,
    )
    if send_email:
        invitation_mail(kind, invitation=invitation, token=token)
    return invitation, token


def invitation_mail(kind: InvitationKind, *, invitation: InvitationRow, token: str) -> None:
    """Mail invitation's link, in its language, once the current transaction commits."""
    language = language_or_default(invitation.language)
    with translation.override(language):
        texts = kind.mail_texts(invitation)
    mail_send_on_commit(
        to=invitation.email,
        template=MAIL_TEMPLATE,
        context={
            **texts,
            "accept_url": absolute_url(reverse(kind.url_name, kwargs={"token": token})),
            "expires_at": invitation.expires_at,
        },
        language=language,
    )


@transaction.atomic
def invitation_accept(kind: InvitationKind, *, token: str, user: User) -> Any:
    """Give user what the invitation offers, once: the first acceptance wins, any later use of
    the same link is refused. Returns what the kind granted."""
    invitation = _usable(kind, token)
    if needs_confirmed_address(kind, invitation=invitation, user=user):
        raise kind.error(
            _("Confirm your email address first: open the link we emailed you."), "email"
        )
    kind.before_accept(invitation, user)
    now = timezone.now()
    # The conditional UPDATE is the claim: two concurrent acceptances cannot both succeed.
    claimed = (
        kind.rows(kind.owner(invitation))
        .filter(
            pk=invitation.pk,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now,
        )
        .update(accepted_at=now, accepted_by=user)
    )
    if claimed != 1:
        raise kind.unusable_error(_("This invitation has already been used."))
    granted, role = kind.grant(invitation, user)
    if user.email_confirmed_at is None and user.email.lower() == invitation.email.lower():
        # The link reached this mailbox: that confirms the address.
        from wikispiral.accounts.services import user_confirm_email

        user_confirm_email(user=user)
    audit_record(
        actor=user,
        action=f"{kind.audit_prefix}.invitation.accepted",
        target=invitation,
        **kind.audit_fields(invitation),
        role=role,
    )
    return granted


def invited_account_create(
    *,
    invitation: InvitationRow,
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


@transaction.atomic
def invitation_accept_with_signup(kind: InvitationKind, *, token: str, **account: str) -> User:
    """Create the account of an invited person (their address is the invitation's, confirmed by
    the link; account holds invited_account_create's username, password, display_name and
    preferred_language) and accept the invitation: both or neither.

    Raise kind.unusable_error when the link cannot be used, ValidationError keyed by field when
    an account rule fails (username taken or invalid, password refused by the validators).
    """
    invitation = _usable(kind, token)
    user = invited_account_create(invitation=invitation, **account)
    invitation_accept(kind, token=token, user=user)
    return user


@transaction.atomic
def invitation_revoke(kind: InvitationKind, *, invitation: InvitationRow, actor: User) -> None:
    """Make a pending invitation's link stop working (a used one is left as it is); only
    someone who manages its owner may."""
    if not kind.may_manage(actor, kind.owner(invitation)):
        raise kind.error(kind.manage_refusal())
    now = timezone.now()
    revoked = (
        kind.rows(kind.owner(invitation))
        .filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True)
        .update(revoked_at=now)
    )
    if revoked:
        invitation.revoked_at = now
        audit_record(
            actor=actor,
            action=f"{kind.audit_prefix}.invitation.revoked",
            target=invitation,
            **kind.audit_fields(invitation),
        )


def invitation_pending_list(kind: InvitationKind, *, owner: object) -> list[InvitationRow]:
    """Invitations into owner whose link still works, newest first."""
    return list(
        kind.rows(owner)
        .filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .select_related("invited_by")
    )
