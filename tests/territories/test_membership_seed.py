"""The demo's membership: platforms joined through approved requests, one has not asked yet,
and a person's request waits in the secretariat's queue."""

import pytest
from django.core.management import call_command

from territories.models import CoordinationGroup, MembershipRequest, NetworkMember


@pytest.fixture
def seeded(db):
    call_command("import_geography", verbosity=0)
    call_command("seed_demo", "--force", verbosity=0)
    call_command("seed_territories", verbosity=0)


def test_demo_platforms_joined_through_approved_requests_but_one(seeded):
    platforms = CoordinationGroup.objects.exclude(kind=CoordinationGroup.Kind.CITIZENS_GROUP)
    members = {
        member.coordination_group.name: member
        for member in NetworkMember.objects.filter(coordination_group__in=platforms)
    }

    assert sorted(members) == ["Charleroi", "Mulhouse", "Praia"]
    for member in members.values():
        assert member.kind == NetworkMember.Kind.FULL
        assert member.request.status == MembershipRequest.Status.APPROVED
        assert member.request.decided_by.username == "secretariat"
    turin = platforms.get(name="Hospital of Turin")
    assert not MembershipRequest.objects.filter(coordination_group=turin).exists()


def test_demo_has_an_open_associate_request(seeded):
    waiting = MembershipRequest.objects.get(status=MembershipRequest.Status.SUBMITTED)

    assert (waiting.kind, waiting.nature) == ("associate", "person")
    assert waiting.member is None


def test_seeding_again_adds_no_request_or_member(seeded):
    before = (MembershipRequest.objects.count(), NetworkMember.objects.count())

    call_command("seed_territories", verbosity=0)

    assert (MembershipRequest.objects.count(), NetworkMember.objects.count()) == before
