"""Charters: drafted from a workshop's conclusions as a wiki page, put to the vote with the text
frozen, one voice per participant, results once closed."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from projects import services
from projects.models import Charter, CharterVote, Workshop
from tests.factories import make_coordination_group, make_user
from wikispiral.wiki.services import page_revise

pytestmark = pytest.mark.django_db


def _organiser():
    user = make_user()
    make_coordination_group(facilitator=user)
    return user


def _concluded_workshop(organiser):
    workshop = services.workshop_create(
        actor=organiser,
        title="Food",
        starts_at=timezone.now() + datetime.timedelta(days=1),
        time_zone="Europe/Paris",
        duration_minutes=60,
        languages=["en"],
        meeting_url="https://meet.example.org/food",
        capacity=10,
    )
    Workshop.objects.filter(pk=workshop.pk).update(
        starts_at=timezone.now() - datetime.timedelta(days=1)
    )
    workshop.refresh_from_db()
    services.workshop_conclude(
        workshop=workshop, actor=organiser, body="1. Eat local.\n2. Waste less.", language="en"
    )
    workshop.refresh_from_db()
    return workshop


def _voter(name):
    user = make_user()
    return services.participant_join(
        actor=user, kind="citizen", subtype="individual", name=name
    ), user


def _open(charter, organiser, days=7):
    return services.charter_open(
        charter=charter,
        actor=organiser,
        closes_at=timezone.now() + datetime.timedelta(days=days),
    )


def test_a_charter_is_drafted_from_conclusions_and_the_vote_freezes_its_text(client):
    organiser = _organiser()
    workshop = _concluded_workshop(organiser)
    client.force_login(organiser)

    response = client.post(
        reverse("projects:charter_new"), {"title": "Our food charter", "workshop": workshop.pk}
    )

    charter = Charter.objects.get()
    assert response.status_code == 302
    assert "Eat local" in charter.page.current_revision.body
    opened = client.post(
        reverse("projects:charter_open", args=[charter.pk]),
        {"closes_at": (timezone.now() + datetime.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")},
    )
    assert opened.status_code == 302
    charter.refresh_from_db()
    frozen = charter.revision_id
    page_revise(
        page=charter.page,
        actor=organiser,
        title=charter.page.title,
        body="1. Eat local.\n2. Waste less.\n3. Something added later.",
        base_revision_id=charter.page.current_revision_id,
    )
    page = client.get(reverse("projects:charter", args=[charter.pk])).content.decode()
    assert charter.revision_id == frozen
    assert "Eat local" in page and "Something added later" not in page


def test_one_voice_per_participant_and_results_only_once_closed(client):
    organiser = _organiser()
    charter = services.charter_draft(actor=organiser, title="Mobility charter")
    _open(charter, organiser)
    ana, ana_user = _voter("Ana")
    bea, bea_user = _voter("Bea")
    url = reverse("projects:charter_vote", args=[charter.pk])

    client.force_login(ana_user)
    assert client.post(url, {"participant": ana.pk, "voice": "approve"}).status_code == 302
    second = client.post(url, {"participant": ana.pk, "voice": "disagree"})
    client.force_login(bea_user)
    no_remarks = client.post(url, {"participant": bea.pk, "voice": "remarks"})
    with_remarks = client.post(
        url, {"participant": bea.pk, "voice": "remarks", "remarks": "Add car-sharing."}
    )

    assert second.status_code == 400
    assert no_remarks.status_code == 400 and "Write your remarks." in no_remarks.content.decode()
    assert with_remarks.status_code == 302
    assert CharterVote.objects.filter(charter=charter).count() == 2
    assert CharterVote.objects.get(participant=ana).voice == "approve"
    page = client.get(reverse("projects:charter", args=[charter.pk])).content.decode()
    assert "Add car-sharing." not in page  # still open: no results

    Charter.objects.filter(pk=charter.pk).update(
        closes_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    page = client.get(reverse("projects:charter", args=[charter.pk])).content.decode()
    assert "2 voices" in page and "Add car-sharing." in page
    late, late_user = _voter("Late")
    with pytest.raises(services.ProjectError, match="not open to the vote"):
        services.charter_vote(charter=charter, participant=late, actor=late_user, voice="approve")


def test_a_vote_needs_an_open_charter_and_a_sensible_period():
    organiser = _organiser()
    charter = services.charter_draft(actor=organiser, title="Draft")
    voter, user = _voter("Early")
    with pytest.raises(services.ProjectError, match="not open to the vote"):
        services.charter_vote(charter=charter, participant=voter, actor=user, voice="approve")
    for days, message in ((0, "at least an hour"), (400, "six months at most")):
        with pytest.raises(services.ProjectError, match=message):
            _open(charter, organiser, days=days)
    with pytest.raises(services.ProjectError, match="Only who drafted"):
        _open(charter, make_user())


def test_only_facilitators_and_the_secretariat_draft_charters(client):
    client.force_login(make_user())
    assert client.get(reverse("projects:charter_new")).status_code == 404
    assert not Charter.objects.exists()
