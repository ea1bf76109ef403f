"""Inviting people into a coordination group, by a link sent by email: the group's kind of
invitation (wikispiral.invitations runs the flow) and the checks that belong to groups."""

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from territories.models import (
    CoordinationGroup,
    Invitation,
    Membership,
)
from territories.permissions import can_manage_group
from territories.services._common import TerritoryError
from territories.services.memberships import membership_set
from wikispiral import invitations
from wikispiral.accounts.models import User
from wikispiral.accounts.selectors import email_normalize, user_by_email

ROLE_ORDER: list[str] = [
    Membership.Role.MEMBER,
    Membership.Role.EDITOR,
    Membership.Role.FACILITATOR,
]


class GroupInvitations(invitations.InvitationKind):
    """A role in a coordination group."""

    name = "groups"
    model = Invitation
    owner_field = "tenant"
    url_name = "groups:invitation"
    audit_prefix = "territories"
    error = TerritoryError
    unusable_error = TerritoryError

    def rows(self, owner: CoordinationGroup) -> QuerySet[Invitation]:
        rows: QuerySet[Invitation] = Invitation.objects.with_scope(tenant=owner).filter(
            tenant=owner
        )
        return rows

    def by_token_hash(self, hashed: str) -> Invitation | None:
        from wikispiral.tenancy import cross_tenant

        # Crosses groups on purpose: the token is the only thing the visitor has.
        with cross_tenant():
            return (
                Invitation.objects.select_related("tenant", "tenant__space", "invited_by")
                .filter(token_hash=hashed)
                .first()
            )

    def audit_fields(self, invitation: Invitation) -> dict[str, Any]:
        return {"tenant_id": invitation.tenant_id}

    def problem_texts(self) -> tuple[str, str]:
        return (
            _("This invitation link is not valid. Ask the facilitators for a new one."),
            _("This invitation has expired. Ask the facilitators for a new one."),
        )

    def grant(self, invitation: Invitation, user: User) -> tuple[Membership, str]:
        # An existing higher role is kept (a facilitator stays one).
        group = invitation.tenant
        current = (
            Membership.objects.with_scope(tenant=group).filter(tenant=group, user=user).first()
        )
        role = invitation.role
        if current is not None and ROLE_ORDER.index(current.role) > ROLE_ORDER.index(role):
            role = current.role
        return membership_set(group=group, user=user, role=role), role

    def page_texts(self, invitation: Invitation, viewer: str) -> dict[str, str]:
        name = invitation.tenant.name
        return {
            "title": _("Invitation to join %(name)s") % {"name": name},
            "intro": _(
                "You are invited to join the coordination group %(name)s as %(role)s. This "
                "invitation works once, until %(date)s."
            )
            % {
                "name": name,
                "role": invitation.get_role_display(),
                "date": formats.date_format(timezone.localtime(invitation.expires_at)),
            },
            "other_account": _(
                "This invitation was sent to %(email)s; you are logged in as %(name)s. "
                "Accepting gives the role to this account."
            )
            % {"email": invitation.email, "name": viewer},
            "submit": _("Create my account and join"),
        }

    def mail_texts(self, invitation: Invitation) -> dict[str, str]:
        words = {
            "group": invitation.tenant.name,
            "role": invitation.get_role_display(),
            "inviter": invitation.invited_by.public_name if invitation.invited_by else "",
        }
        if words["inviter"]:
            invites = _(
                "%(inviter)s invites you to join the coordination group %(group)s on "
                "wikispiral, as %(role)s."
            )
        else:
            invites = _(
                "You are invited to join the coordination group %(group)s on wikispiral, as "
                "%(role)s."
            )
        return {
            "subject": _("Invitation to join %(group)s on wikispiral") % words,
            "invites": invites % words,
        }

    def accepted(self, invitation: Invitation) -> tuple[str, str]:
        group = invitation.tenant
        message = _("Welcome to %(group)s: you are now %(role)s of the group.") % {
            "group": group.name,
            "role": invitation.get_role_display().lower(),
        }
        return message, reverse("directory:group", kwargs={"cg": group.slug})

    def may_manage(self, actor: User, owner: CoordinationGroup) -> bool:
        return can_manage_group(actor, owner)

    def manage_refusal(self) -> str:
        return _("Only the secretariat or the group's facilitators may do this.")


GROUP_INVITATIONS = GroupInvitations()


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
    email = email_normalize(email)
    if not email or "@" not in email:
        raise TerritoryError(_("Enter a valid email address."), "email")
    if role not in Membership.Role.values:
        raise TerritoryError(_("Unknown role."), "role")
    existing = user_by_email(email=email)
    if (
        existing is not None
        and Membership.objects.with_scope(tenant=group).filter(tenant=group, user=existing).exists()
    ):
        raise TerritoryError(_("This person is already a member of the group."), "email")
    return invitations.invitation_create(
        GROUP_INVITATIONS,
        owner=group,
        email=email,
        role=role,
        actor=actor,
        language=language,
        send_email=send_email,
    )


def invitation_revoke(*, invitation: Invitation, actor: User) -> None:
    """Make a pending invitation's link stop working."""
    invitations.invitation_revoke(GROUP_INVITATIONS, invitation=invitation, actor=actor)


def invitation_pending_list(*, group: CoordinationGroup) -> list[Invitation]:
    """Invitations of group whose link still works, newest first (a read, kept here beside
    the writes on invitations)."""
    return invitations.invitation_pending_list(GROUP_INVITATIONS, owner=group)
