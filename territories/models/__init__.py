"""Territories' models: the geography, the coordination groups (the tenant) with their members,
homogeneous groups, invitations and applications (core); membership requests and contact
messages, the network letter (network); the network's events (events)."""

from territories.models.core import (
    Application,
    ApplicationComment,
    Continent,
    CoordinationGroup,
    Country,
    HomogeneousGroup,
    Invitation,
    Locality,
    Membership,
    NetworkMember,
    Profile,
    Region,
)
from territories.models.events import Event, EventSession, EventSignup
from territories.models.network import (
    ContactMessage,
    LetterDelivery,
    MembershipRequest,
    MembershipRequestComment,
    NetworkLetter,
)

__all__ = [
    "Application",
    "ApplicationComment",
    "ContactMessage",
    "Continent",
    "CoordinationGroup",
    "Country",
    "Event",
    "EventSession",
    "EventSignup",
    "HomogeneousGroup",
    "Invitation",
    "LetterDelivery",
    "Locality",
    "Membership",
    "MembershipRequest",
    "MembershipRequestComment",
    "NetworkLetter",
    "NetworkMember",
    "Profile",
    "Region",
]
