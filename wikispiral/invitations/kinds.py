"""The kinds of invitation: what each one grants and how it speaks, filled in by the app that
owns its model (territories: a coordination group's roles; projects: a participant's writers).

An app subclasses InvitationKind and registers one instance from its AppConfig.ready(); the
flow (services.py, views.py) never imports the app, so the floors stay one-way.
"""

from datetime import timedelta
from typing import Any

from django.db.models import Model, QuerySet

from wikispiral.accounts.models import User
from wikispiral.errors import DomainError

# A kind's invitation row (territories.Invitation, projects.ParticipantInvitation): it has
# email, role, language, token_hash, invited_by, expires_at, accepted_at/_by, revoked_at and
# get_role_display(), plus the foreign key named by its kind's owner_field.
InvitationRow = Any

INVITATION_VALIDITY = timedelta(days=14)


class InvitationKind:
    """One kind of invitation. Subclasses set the class attributes and implement the methods
    that raise NotImplementedError; the others have defaults that suit a plain model."""

    name: str = ""  # the registry key, passed by the app's URL to the acceptance view
    model: type[Model]
    owner_field: str = ""  # the invitation's foreign key to what it invites into
    url_name: str = ""  # the acceptance page: reverse(url_name, kwargs={"token": ...})
    audit_prefix: str = ""  # "<prefix>.invitation.sent", ".accepted", ".revoked"
    error: type[DomainError] = DomainError  # what a refusal raises
    unusable_error: type[DomainError] = DomainError  # unknown, revoked, used or expired link
    # Whether a logged-in person must have confirmed their address (unless the link went to
    # it) before accepting, and the page that asks them to.
    requires_confirmed_address: bool = False
    confirm_first_template: str = ""
    stylesheet: str = ""  # a static path the acceptance page adds, if any
    validity: timedelta = INVITATION_VALIDITY

    def owner(self, invitation: InvitationRow) -> Any:
        return getattr(invitation, self.owner_field)

    def rows(self, owner: Any) -> QuerySet:
        """The invitations into owner (a kind with a scoped manager enters the scope)."""
        return self.model._default_manager.filter(**{self.owner_field: owner})

    def by_token_hash(self, hashed: str) -> InvitationRow | None:
        """The invitation whose token has this hash, whatever its state and owner."""
        return (
            self.model._default_manager.select_related(self.owner_field, "invited_by")
            .filter(token_hash=hashed)
            .first()
        )

    def audit_fields(self, invitation: InvitationRow) -> dict[str, Any]:
        """What every audit entry about invitation records besides actor and action."""
        raise NotImplementedError

    def problem_texts(self) -> tuple[str, str]:
        """The refusals of a link that is not valid and of one that expired, naming whom to
        ask for a new one."""
        raise NotImplementedError

    def may_manage(self, actor: User, owner: Any) -> bool:
        """Whether actor may make owner's pending invitations stop working."""
        raise NotImplementedError

    def manage_refusal(self) -> str:
        """Why someone who may not manage owner's invitations is refused."""
        raise NotImplementedError

    def before_accept(self, invitation: InvitationRow, user: User) -> None:
        """Raise self.error when user may not accept invitation (checked before the claim)."""

    def grant(self, invitation: InvitationRow, user: User) -> tuple[Any, str]:
        """Give user what invitation offers, inside the acceptance's transaction; return what
        was granted and the role the audit records. Raising undoes the claim."""
        raise NotImplementedError

    def page_texts(self, invitation: InvitationRow, viewer: str) -> dict[str, str]:
        """The acceptance page's words: title, intro, other_account (viewer, the public name
        of the person logged in, has another address), submit (the sign-up button), and
        optionally owner_url and owner_link, confirm_first."""
        raise NotImplementedError

    def mail_texts(self, invitation: InvitationRow) -> dict[str, str]:
        """The email's words, in the active language: subject and invites."""
        raise NotImplementedError

    def accepted(self, invitation: InvitationRow) -> tuple[str, str]:
        """The message shown once accepted, and where the person goes next."""
        raise NotImplementedError


_KINDS: dict[str, InvitationKind] = {}


def register_kind(kind: InvitationKind) -> None:
    """Make kind known to the flow (from the owning app's AppConfig.ready())."""
    _KINDS[kind.name] = kind


def kind_get(name: str) -> InvitationKind:
    return _KINDS[name]
