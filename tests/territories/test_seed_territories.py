"""The demo network that `make run` loads."""

import pytest
from django.core.management import call_command

from territories.models import Application, CoordinationGroup, HomogeneousGroup, Membership
from wikispiral.tenancy import cross_tenant


@pytest.fixture
def seeded(db):
    call_command("import_geography", verbosity=0)
    call_command("seed_demo", "--force", verbosity=0)
    call_command("seed_territories", verbosity=0)


def test_demo_network_has_groups_homogeneous_groups_and_a_queue(seeded):
    with cross_tenant():
        homogeneous = HomogeneousGroup.objects.count()
    citizens = CoordinationGroup.objects.get(kind=CoordinationGroup.Kind.CITIZENS_GROUP)

    assert CoordinationGroup.objects.count() == 5
    assert homogeneous == 9
    assert citizens.awaiting_validation
    assert Application.objects.filter(status=Application.Status.SUBMITTED).count() == 2
    with cross_tenant():
        assert (
            Membership.objects.filter(user__username="facilitator", role="facilitator").count() == 4
        )


def test_seeding_again_adds_nothing(seeded):
    with cross_tenant():
        before = HomogeneousGroup.objects.count()

    call_command("seed_territories", verbosity=0)

    with cross_tenant():
        assert HomogeneousGroup.objects.count() == before
    assert CoordinationGroup.objects.count() == 5
