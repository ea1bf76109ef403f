"""Who holds which role in a coordination group's space."""

from territories.models import Membership
from wikispiral.accounts.models import User
from wikispiral.wiki.models import Space


def coordination_group_space_roles(user: User, space: Space) -> frozenset[str]:
    """Roles of user in the coordination group that owns space (one query)."""
    roles = Membership.objects.filter(user=user, tenant__space=space).values_list("role", flat=True)
    return frozenset(roles)
