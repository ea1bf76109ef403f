"""Inviting people into a coordination group, by a link sent by email."""

from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from territories.models import (
    CoordinationGroup,
    Invitation,
    Membership,
)
from territories.services._common import TerritoryError
from territories.services.memberships import membership_set
from wikispiral import invitations
from wikispiral.accounts.models import User
from wikispiral.audit.services import audit_record
from wikispiral.mail import absolute_url, mail_send_on_commit

INVITATION_VALIDITY = timedelta(days=14)


@transaction.atomic
def invitation_create(
    *,
    group: CoordinationGroup,
    email: str,
    role: str,
    actor: User | None,
    language: str = "en",
    send_email: bool = True,
) -> tuple[Invitation, str]:
    """Invite email to hold role in group; mail the link after commit (unless send_email is
    False: the caller mails it, e.g. inside an approval). Returns the invitation and its token
    (only its hash is stored). A pending invitation of the same address to the same group is
    revoked: the newest link is the one that works."""
    email = User.objects.normalize_email((email or "").strip())
    if not email or "@" not in email:
        raise TerritoryError(_("Enter a valid email address."), "email")
    if role not in Membership.Role.values:
        raise TerritoryError(_("Unknown role."), "role")
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None and Membership.objects.filter(tenant=group, user=existing).exists():
        raise TerritoryError(_("This person is already a member of the group."), "email")
    now = timezone.now()
    Invitation.objects.with_scope(tenant=group).filter(
        tenant=group, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    token, hashed = invitations.token_new()
    invitation = Invitation.objects.create(
        tenant=group,
        email=email,
        role=role,
        language=language,
        token_hash=hashed,
        invited_by=actor,
        expires_at=now + INVITATION_VALIDITY,
    )
    audit_record(
        actor=actor,
        action="territories.invitation.sent",
        target=invitation,
        tenant_id=group.pk,
        email=email,
        role=role,
    )
    if not send_email:
        return invitation, token
    mail_send_on_commit(
        to=email,
        template="territories/email/invitation",
        context={
            "group": group,
            "role": invitation.get_role_display,
            "inviter": actor.public_name if actor else "",
            "accept_url": absolute_url(reverse("groups:invitation", kwargs={"token": token})),
            "expires_at": invitation.expires_at,
        },
        language=language,
    )
    return invitation, token


def invitation_get(*, token: str) -> Invitation | None:
    """The invitation a link's token designates, whatever its state (None if unknown).

    Crosses groups on purpose: the token is the only thing the visitor has.
    """
    from wikispiral.tenancy import cross_tenant

    with cross_tenant():
        return (
            Invitation.objects.select_related("tenant", "tenant__space")
            .filter(token_hash=invitations.token_hash(token))
            .first()
        )


def invitation_problem(invitation: Invitation | None) -> str | None:
    """Why this invitation cannot be accepted, in words for the person; None if it can."""
    return invitations.invitation_problem(
        invitation,
        not_valid=_("This invitation link is not valid. Ask the facilitators for a new one."),
        expired=_("This invitation has expired. Ask the facilitators for a new one."),
    )


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    """Give user the invitation's role, once: the first acceptance wins, any later use of the
    same link is refused. An existing higher role is kept (a facilitator stays one)."""
    invitation = invitation_get(token=token)
    problem = invitation_problem(invitation)
    if problem:
        raise TerritoryError(problem)
    now = timezone.now()
    # The conditional UPDATE is the claim: two concurrent acceptances cannot both succeed.
    claimed = (
        Invitation.objects.with_scope(tenant=invitation.tenant)
        .filter(
            pk=invitation.pk,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now,
        )
        .update(accepted_at=now, accepted_by=user)
    )
    if claimed != 1:
        raise TerritoryError(_("This invitation has already been used."))
    group = invitation.tenant
    current = Membership.objects.filter(tenant=group, user=user).first()
    order = [Membership.Role.MEMBER, Membership.Role.EDITOR, Membership.Role.FACILITATOR]
    role = invitation.role
    if current is not None and order.index(current.role) > order.index(role):
        role = current.role
    membership = membership_set(group=group, user=user, role=role)
    if user.email_confirmed_at is None and user.email.lower() == invitation.email.lower():
        # The link reached this mailbox: that confirms the address.
        user.email_confirmed_at = now
        user.save(update_fields=["email_confirmed_at"])
    audit_record(
        actor=user,
        action="territories.invitation.accepted",
        target=invitation,
        tenant_id=group.pk,
        role=role,
    )
    return membership


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> None:
    """Make a pending invitation's link stop working."""
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="territories.invitation.revoked",
            target=invitation,
            tenant_id=invitation.tenant_id,
        )


def invitation_pending_list(*, group: CoordinationGroup) -> list[Invitation]:
    """Invitations of group whose link still works, newest first (a read, kept here beside
    the writes on invitations)."""
    from wikispiral.tenancy import tenant_scope

    with tenant_scope(group):
        return list(
            Invitation.objects.filter(
                tenant=group,
                accepted_at__isnull=True,
                revoked_at__isnull=True,
                expires_at__gt=timezone.now(),
            ).select_related("invited_by")
        )


@transaction.atomic
def invitation_accept_with_signup(
    *,
    token: str,
    username: str,
    password: str,
    display_name: str = "",
    preferred_language: str = "",
) -> User:
    """Create the account of an invited person (their address is the invitation's, confirmed by
    the link) and accept the invitation: both or neither.

    Raise TerritoryError when the link cannot be used, ValidationError keyed by field when an
    account rule fails (username taken or invalid, password refused by the validators).
    """
    invitation = invitation_get(token=token)
    problem = invitation_problem(invitation)
    if problem:
        raise TerritoryError(problem)
    user = invitations.invited_account_create(
        invitation=invitation,
        username=username,
        password=password,
        display_name=display_name,
        preferred_language=preferred_language,
    )
    invitation_accept(token=token, user=user)
    return user
