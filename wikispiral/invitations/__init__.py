"""Emailed invitations, one flow for every kind (a coordination group's roles, a participant's
writers…): kinds.py says how a kind plugs in, services.py creates, accepts and revokes,
views.py is the one acceptance page (templates/invitations/)."""

from wikispiral.invitations.kinds import (
    INVITATION_VALIDITY,
    InvitationKind,
    InvitationRow,
    kind_get,
    register_kind,
)
from wikispiral.invitations.services import (
    invitation_accept,
    invitation_accept_with_signup,
    invitation_by_token,
    invitation_create,
    invitation_pending_list,
    invitation_problem,
    invitation_revoke,
    invited_account_create,
    kind_problem,
    needs_confirmed_address,
    token_hash,
    token_new,
)

__all__ = [
    "INVITATION_VALIDITY",
    "InvitationKind",
    "InvitationRow",
    "invitation_accept",
    "invitation_accept_with_signup",
    "invitation_by_token",
    "invitation_create",
    "invitation_pending_list",
    "invitation_problem",
    "invitation_revoke",
    "invited_account_create",
    "kind_get",
    "kind_problem",
    "needs_confirmed_address",
    "register_kind",
    "token_hash",
    "token_new",
]
