"""One rule for who sees a synthesis and who may ask for a recomputation or a report."""

import pytest
from django.contrib.auth.models import AnonymousUser

from syntheses.permissions import scope_access
from syntheses.selectors import scope_get
from territories.models import Membership
from territories.services import membership_set
from tests.factories import make_coordination_group, make_homogeneous_group, make_user

pytestmark = pytest.mark.django_db

READERS = ["anonymous", "outsider", "member", "editor", "facilitator", "secretariat"]
# (can view a hidden group's scopes, can act on the group's scopes, can act on a place)
EXPECTED = {
    "anonymous": (False, False, False),
    "outsider": (False, False, False),
    "member": (True, False, False),
    "editor": (True, False, False),
    "facilitator": (True, True, False),
    "secretariat": (True, True, True),
}


def _reader(kind: str, tenant) -> object:
    if kind == "anonymous":
        return AnonymousUser()
    user = make_user(secretariat=kind == "secretariat")
    roles = {
        "member": Membership.Role.MEMBER,
        "editor": Membership.Role.EDITOR,
        "facilitator": Membership.Role.FACILITATOR,
    }
    if kind in roles:
        membership_set(group=tenant, user=user, role=roles[kind])
    return user


@pytest.mark.parametrize("kind", READERS)
def test_who_sees_and_acts_on_a_synthesis(kind):
    tenant = make_coordination_group()
    group = make_homogeneous_group(tenant=tenant)
    reader = _reader(kind, tenant)
    sees_hidden, acts_on_group, acts_on_place = EXPECTED[kind]

    for key in (f"cg-{tenant.pk}", f"hg-{group.pk}"):
        access = scope_access(reader, scope_get(key))
        assert access.can_view
        assert access.can_act == acts_on_group
    country = scope_access(reader, scope_get(f"country-{tenant.country_id}"))
    assert country.can_view and country.can_act == acts_on_place
    assert scope_access(reader, scope_get("network")).can_act == acts_on_place

    tenant.is_hidden = True
    tenant.save(update_fields=["is_hidden"])
    for key in (f"cg-{tenant.pk}", f"hg-{group.pk}"):
        assert scope_access(reader, scope_get(key)).can_view == sees_hidden
