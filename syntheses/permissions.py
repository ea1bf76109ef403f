"""Who may see a synthesis and act on it: one rule for the synthesis pages, the reports and
their jobs."""

from dataclasses import dataclass

from syntheses.selectors import ScopeRef
from territories.models import Membership
from territories.permissions import group_role, is_network_staff


@dataclass(frozen=True)
class Access:
    """A reader on a scope: whether they belong to the secretariat, and their role in the
    coordination group behind it (None for places, and for people outside the group)."""

    ref: ScopeRef
    staff: bool
    role: str | None

    @property
    def can_view(self) -> bool:
        """Anyone, but for a hidden group: its members and the secretariat only."""
        return not self.ref.is_hidden or self.staff or self.role is not None

    @property
    def can_act(self) -> bool:
        """Ask for a recomputation or a report: the secretariat for every scope; a group's
        facilitators for the group and its homogeneous groups."""
        return self.staff or (
            self.ref.tenant is not None and self.role == Membership.Role.FACILITATOR
        )


def scope_access(user: object, ref: ScopeRef) -> Access:
    staff = is_network_staff(user)
    role = None
    if ref.tenant is not None and not staff:
        role = group_role(user, ref.tenant)
    return Access(ref, staff, role)


def can_view_scope(user: object, ref: ScopeRef) -> bool:
    return scope_access(user, ref).can_view


def can_act_on_scope(user: object, ref: ScopeRef) -> bool:
    return scope_access(user, ref).can_act
