"""One rule for the number a charter's quorum is drawn from (projects.selectors.
participants_invited_count): every participant that is seen, a territorial entity of a hidden
coordination group left out; the same when the vote opens, when a charter opened before the
number was recorded is decided, and in migration 0011 for the charters already open."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from projects import selectors, services
from projects.models import Charter
from territories.models import CoordinationGroup
from tests.factories import make_coordination_group, make_user

pytestmark = pytest.mark.django_db


def _participants() -> CoordinationGroup:
    """Three citizens and two territorial entities, one of a coordination group now hidden."""
    for number in range(3):
        services.participant_join(
            actor=make_user(), kind="citizen", subtype="individual", name=f"Citizen {number}"
        )
    groups = []
    for name in ("Mulhouse", "Colmar"):
        facilitator = make_user()
        group = make_coordination_group(name=name, facilitator=facilitator)
        services.participant_join(
            actor=facilitator,
            kind="territory",
            subtype="local_platform",
            name=name,
            people=100,
            coordination_group=group,
        )
        groups.append(group)
    CoordinationGroup.objects.filter(pk=groups[1].pk).update(is_hidden=True)
    return groups[1]


def _opened_before_the_rule() -> Charter:
    organiser = make_user(secretariat=True)
    charter = services.charter_draft(actor=organiser, title="Older charter")
    services.charter_open(
        charter=charter, actor=organiser, closes_at=timezone.now() + datetime.timedelta(days=3)
    )
    Charter.objects.filter(pk=charter.pk).update(eligible=None)
    return charter


def test_the_participants_invited_leave_out_a_hidden_groups_territorial_entity():
    _participants()
    assert selectors.participants_invited_count() == 4
    past = timezone.now() - datetime.timedelta(days=1)
    assert selectors.participants_invited_count(joined_by=past) == 0


def test_a_charter_opened_before_the_number_was_recorded_is_decided_by_the_same_rule():
    _participants()
    charter = _opened_before_the_rule()
    Charter.objects.filter(pk=charter.pk).update(
        closes_at=timezone.now() - datetime.timedelta(minutes=5)
    )

    decided = services.charter_close(charter=charter)

    assert decided.eligible == 4
    assert decided.outcome == Charter.Outcome.NO_QUORUM


def test_migration_0011_gives_charters_already_open_the_same_number():
    _participants()
    charter = _opened_before_the_rule()
    pooling = importlib.import_module("projects.migrations.0011_pool_answers_and_subtypes")

    pooling.charters_eligible(apps, None)

    assert Charter.objects.get(pk=charter.pk).eligible == 4
