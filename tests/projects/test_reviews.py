"""The quarterly review: the figures of a quarter, computed by the summaries job."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from projects import services, summaries
from projects.models import Choice, Participant, Summary, Workshop
from tests.factories import make_coordination_group, make_user

pytestmark = pytest.mark.django_db


def _choice(participant, user, status, change):
    return services.choice_create(
        participant=participant,
        actor=user,
        category="food",
        title="Lentils",
        description="",
        started_on=datetime.date(2026, 1, 1),
        status=status,
        results="",
        emissions_change_kg=change,
    )


def test_a_quarter_gathers_who_joined_the_choices_what_they_avoid_and_workshops_held(client):
    user = make_user()
    ana = services.participant_join(actor=user, kind="citizen", subtype="individual", name="Ana")
    _choice(ana, user, "kept", -300)
    _choice(ana, user, "planned", -900)
    old = _choice(ana, user, "kept", -50)
    # One choice and one participant from an earlier quarter.
    earlier = datetime.datetime(2025, 2, 10, tzinfo=datetime.UTC)
    Choice.objects.filter(pk=old.pk).update(created_at=earlier)
    other = services.participant_join(
        actor=make_user(), kind="collective", subtype="school", name="School", people=200
    )
    Participant.objects.filter(pk=other.pk).update(created_at=earlier)
    facilitator = make_user()
    make_coordination_group(facilitator=facilitator)
    workshop = services.workshop_create(
        actor=facilitator,
        title="Food",
        starts_at=timezone.now() + datetime.timedelta(days=1),
        time_zone="UTC",
        duration_minutes=60,
        languages=["en"],
        meeting_url="https://meet.example.org/f",
        capacity=10,
    )
    held = timezone.now() - datetime.timedelta(hours=1)
    Workshop.objects.filter(pk=workshop.pk).update(starts_at=held)

    summaries.summaries_recompute(force=True)

    now = summaries.quarter_key(timezone.now())
    this = Summary.objects.get(scope="quarter", scope_id=now).figures
    assert this["participants"] == {"citizen": 1}
    assert this["choices"] == 2
    assert this["avoided_kg"] == 300  # the planned one does not count yet
    workshop_quarter = summaries.quarter_key(held)
    assert [
        w["title"] for w in Summary.objects.get(scope_id=workshop_quarter).figures["workshops"]
    ] == ["Food"]
    before = Summary.objects.get(scope="quarter", scope_id=20251).figures
    assert before["participants"] == {"collective": 1} and before["choices"] == 1

    year, quarter = divmod(now, 10)
    page = client.get(reverse("projects:review", args=[year, quarter])).content.decode()
    assert "about 0.3 t of CO2e a year" in page
    listing = client.get(reverse("projects:reviews")).content.decode()
    assert f"{year}, quarter {quarter}" in listing and "2025, quarter 1" in listing


def test_a_quarter_with_nothing_says_so_and_a_wrong_one_is_not_found(client):
    assert client.get(reverse("projects:review", args=[2024, 2])).status_code == 200
    assert (
        "Nothing happened"
        in client.get(reverse("projects:review", args=[2024, 2])).content.decode()
    )
    assert client.get(reverse("projects:review", args=[2024, 5])).status_code == 404
