"""A charter's vote ends approved, not approved or undecided (no quorum), by the rule shown on
its page before the vote opens and while it runs: at least five voices and a third of the
participants invited when it opened; approved when at least two thirds of the voices approve
(with or without remarks). The outcome is decided once, by the first read after the vote or by
the job the sweep starts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from projects import jobs, services
from projects.charter_rule import approvals_needed, outcome_for, quorum_for
from projects.models import Charter, CharterVote
from tests.factories import make_coordination_group, make_user
from wikispiral.audit.models import AuditEntry
from wikispiral.jobs.models import Job
from wikispiral.jobs.services import jobs_sweep

pytestmark = pytest.mark.django_db

APPROVED, NOT_APPROVED, NO_QUORUM = (
    Charter.Outcome.APPROVED,
    Charter.Outcome.NOT_APPROVED,
    Charter.Outcome.NO_QUORUM,
)


@pytest.mark.parametrize(
    ("eligible", "quorum"),
    [(0, 5), (1, 5), (15, 5), (16, 6), (18, 6), (19, 7), (300, 100), (301, 101)],
)
def test_the_quorum_is_five_voices_or_a_third_of_those_invited_rounded_up(eligible, quorum):
    assert quorum_for(eligible) == quorum


@pytest.mark.parametrize(
    ("eligible", "votes", "approvals", "outcome"),
    [
        (15, 5, 4, APPROVED),  # exactly at the quorum, more than two thirds
        (15, 4, 4, NO_QUORUM),  # one voice short of the quorum, however unanimous
        (15, 6, 4, APPROVED),  # exactly two thirds
        (15, 6, 3, NOT_APPROVED),  # one approval short of two thirds
        (15, 9, 6, APPROVED),  # exactly two thirds
        (15, 9, 5, NOT_APPROVED),
        (30, 10, 7, APPROVED),  # a third of 30: exactly at the quorum
        (30, 9, 9, NO_QUORUM),
        (16, 6, 4, APPROVED),  # a third of 16 rounded up is 6
        (16, 5, 5, NO_QUORUM),
        (4, 4, 4, NO_QUORUM),  # fewer invited than the five voices needed
    ],
)
def test_the_outcome_at_the_boundaries(eligible, votes, approvals, outcome):
    assert outcome_for(eligible=eligible, votes=votes, approvals=approvals) == outcome


def test_two_thirds_are_counted_in_whole_voices():
    assert [approvals_needed(votes) for votes in (5, 6, 7, 9, 10)] == [4, 4, 5, 6, 7]


def _organiser():
    user = make_user()
    make_coordination_group(facilitator=user)
    return user


def _voters(count: int) -> list:
    voters = []
    for number in range(count):
        user = make_user()
        participant = services.participant_join(
            actor=user, kind="citizen", subtype="individual", name=f"Voter {number}"
        )
        voters.append((participant, user))
    return voters


def _opened(organiser, title: str = "Food charter") -> Charter:
    charter = services.charter_draft(actor=organiser, title=title)
    return services.charter_open(
        charter=charter, actor=organiser, closes_at=timezone.now() + datetime.timedelta(days=7)
    )


def _vote(charter, voters, voices: list[str]) -> None:
    for (participant, user), voice in zip(voters, voices, strict=False):
        services.charter_vote(
            charter=charter,
            participant=participant,
            actor=user,
            voice=voice,
            remarks="Add a word on waste." if voice == "remarks" else "",
        )


def _over(charter) -> None:
    Charter.objects.filter(pk=charter.pk).update(
        closes_at=timezone.now() - datetime.timedelta(minutes=5)
    )


@pytest.mark.parametrize(
    ("voices", "outcome"),
    [
        # Nine participants: the quorum is five voices.
        (["approve", "approve", "remarks", "approve", "disagree", "disagree"], APPROVED),
        (["approve", "approve", "approve", "disagree", "disagree", "disagree"], NOT_APPROVED),
        (["approve", "approve", "approve", "remarks", "disagree"], APPROVED),
        (["approve", "approve", "approve", "approve"], NO_QUORUM),
    ],
)
def test_the_first_read_after_the_vote_decides_and_shows_the_outcome(client, voices, outcome):
    organiser = _organiser()
    voters = _voters(9)
    charter = _opened(organiser)
    assert charter.eligible == 9
    _vote(charter, voters, voices)
    url = reverse("projects:charter", args=[charter.pk])
    assert 'class="outcome' not in client.get(url).content.decode()  # still open: undecided
    _over(charter)

    html = client.get(url).content.decode()

    charter.refresh_from_db()
    assert charter.outcome == outcome
    assert charter.closed_at is not None
    assert f'class="outcome outcome-{outcome}"><strong>{Charter.Outcome(outcome).label}' in html
    entry = AuditEntry.objects.get(action="projects.charter.closed")
    assert (entry.data["votes"], entry.data["eligible"]) == (len(voices), 9)
    # Decided once: a second read changes nothing.
    decided_at = charter.closed_at
    client.get(url)
    charter.refresh_from_db()
    assert charter.closed_at == decided_at
    assert AuditEntry.objects.filter(action="projects.charter.closed").count() == 1


def test_the_quorum_is_drawn_from_the_participants_invited_when_the_vote_opened():
    organiser = _organiser()
    voters = _voters(15)
    charter = _opened(organiser)
    latecomers = _voters(10)  # 25 participants now: a third would be 9 voices
    _vote(charter, voters[:3] + latecomers[:2], ["approve"] * 5)
    _over(charter)

    decided = services.charter_close(charter=charter)

    assert (decided.eligible, decided.outcome) == (15, APPROVED)  # five voices were enough


def test_the_rule_is_shown_before_the_vote_and_while_it_runs_and_the_figures_after(client):
    organiser = _organiser()
    voters = _voters(18)
    charter = services.charter_draft(actor=organiser, title="Mobility charter")
    url = reverse("projects:charter", args=[charter.pk])

    draft = client.get(url).content.decode()
    assert "How the vote decides" in draft
    assert "at least two thirds of the voices approve it" in draft
    assert "18 participants take part today: a vote opened now would need 6 voices" in draft

    services.charter_open(
        charter=charter, actor=organiser, closes_at=timezone.now() + datetime.timedelta(days=3)
    )
    _voters(3)  # joining during the vote does not move the quorum
    running = client.get(url).content.decode()
    assert "18 participants were invited when the vote opened" in running
    assert "at least 6 voices" in running

    _vote(charter, voters, ["approve"] * 4 + ["remarks"] + ["disagree"] * 3)
    _over(charter)
    result = client.get(url).content.decode()
    assert "Not approved" in result
    assert "8 voices given; 18 participants were invited and 6 voices were needed" in result
    assert "5 voices approve the text, with or without remarks; 6 were needed" in result


def test_the_list_of_charters_decides_those_whose_vote_is_over(client):
    organiser = _organiser()
    voters = _voters(5)
    charter = _opened(organiser)
    _vote(charter, voters, ["approve"] * 5)
    _over(charter)

    html = client.get(reverse("projects:charters")).content.decode()

    assert Charter.objects.get(pk=charter.pk).outcome == APPROVED
    assert "Approved" in html


def test_the_sweep_gives_a_job_to_a_vote_over_that_nobody_read_and_the_job_decides(
    django_capture_on_commit_callbacks,
):
    organiser = _organiser()
    voters = _voters(6)
    charter = _opened(organiser)
    _vote(charter, voters, ["approve", "approve", "approve", "approve", "disagree", "disagree"])
    draft = services.charter_draft(actor=organiser, title="Never opened")
    # Just over: the first read may still come; then the sweep sees it.
    Charter.objects.filter(pk=charter.pk).update(closes_at=timezone.now())
    assert jobs._charters_orphans() == []
    _over(charter)
    assert jobs._charters_orphans() == [{"key": jobs.CHARTERS_KEY, "args": {}}]

    with django_capture_on_commit_callbacks(execute=True):
        jobs_sweep()

    assert Job.objects.get(key=jobs.CHARTERS_KEY).state == Job.State.DONE
    assert Charter.objects.get(pk=charter.pk).outcome == APPROVED
    assert Charter.objects.get(pk=draft.pk).outcome == ""
    assert jobs._charters_orphans() == []
    assert services.charters_close_due() == 0  # safe twice


def test_a_voice_after_the_vote_is_refused_with_a_message_and_not_counted(client):
    organiser = _organiser()
    ((participant, user),) = _voters(1)
    charter = _opened(organiser)
    _over(charter)
    client.force_login(user)

    response = client.post(
        reverse("projects:charter_vote", args=[charter.pk]),
        {"participant": participant.pk, "voice": "approve"},
    )

    assert response.status_code == 400
    assert "This charter is not open to the vote." in response.content.decode()
    assert not CharterVote.objects.exists()
    assert Charter.objects.get(pk=charter.pk).outcome == NO_QUORUM


def test_the_nightly_task_starts_the_job_that_decides_the_charters(
    django_capture_on_commit_callbacks,
):
    from projects.tasks import summaries_nightly_task

    organiser = _organiser()
    charter = _opened(organiser)
    _over(charter)

    with django_capture_on_commit_callbacks(execute=True):
        summaries_nightly_task()

    assert Charter.objects.get(pk=charter.pk).outcome == NO_QUORUM
