"""Who may do what with criteria.

Entering and classifying criteria is the work of a coordination group's facilitators and
editors (and of the network staff); plain members and visitors read the published views. The
views enforce this with `tenant_required(*CRITERIA_ROLES)`: anyone else gets 404.
"""

from territories.models import CoordinationGroup, Membership
from territories.permissions import group_role

CRITERIA_ROLES = (Membership.Role.FACILITATOR, Membership.Role.EDITOR)


def can_enter_criteria(user: object, tenant: CoordinationGroup) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_network_staff:
        return True
    return group_role(user, tenant) in CRITERIA_ROLES


def can_classify(user: object, tenant: CoordinationGroup) -> bool:
    return can_enter_criteria(user, tenant)


def can_see_authors(user: object, tenant: CoordinationGroup) -> bool:
    """Criteria are anonymous: who entered or classified one is for the group's facilitators
    and the secretariat only."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_network_staff:
        return True
    return group_role(user, tenant) == Membership.Role.FACILITATOR
