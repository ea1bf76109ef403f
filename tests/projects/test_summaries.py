"""Project summaries: checked against a plain count of the rows, published as pages with their
tables, exported, and kept up to date by the job."""

import csv
import datetime
import io
import random
import statistics
from collections import Counter

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from projects import services, summaries
from projects.models import Choice, ChoiceShare, Footprint, Participant, Summary, SummaryState
from tests.factories import make_coordination_group, make_country, make_user

pytestmark = pytest.mark.django_db

CATEGORIES = ["food", "mobility", "housing", "digital"]
STATUSES = ["planned", "started", "kept", "given_up"]


def _network(seed: int = 4):
    """Participants in two countries and three groups (one hidden, with a territory), with
    choices, shares and footprints at random."""
    rng = random.Random(seed)
    france = make_country()
    cabo = make_country(code="CV", name="Cabo Verde", continent="AF")
    groups = [make_coordination_group(country=france), make_coordination_group(country=cabo)]
    facilitator = make_user()
    hidden = make_coordination_group(country=france, facilitator=facilitator)
    services.participant_join(
        actor=facilitator,
        kind="territory",
        subtype="local_platform",
        name="Hidden town",
        people=5000,
        coordination_group=hidden,
    )
    hidden.is_hidden = True
    hidden.save(update_fields=["is_hidden"])
    participants = []
    for number in range(14):
        user = make_user()
        kind, subtype, people = rng.choice(
            [("citizen", "individual", 1), ("citizen", "family", 4), ("collective", "school", 300)]
        )
        participants.append(
            services.participant_join(
                actor=user,
                kind=kind,
                subtype=subtype,
                name=f"Participant {number}",
                people=people,
                country=rng.choice([france, cabo, None]),
                coordination_group=rng.choice([*groups, None]),
            )
        )
    for participant in [*participants, Participant.objects.get(name="Hidden town")]:
        manager = participant.members.first().user
        for _index in range(rng.randint(0, 5)):
            status = rng.choice(STATUSES)
            services.choice_create(
                participant=participant,
                actor=manager,
                category=rng.choice(CATEGORIES),
                title=f"Choice {rng.randint(1, 10**6)}",
                description="",
                started_on=datetime.date(2025, rng.randint(1, 12), 1),
                status=status,
                results="",
                emissions_change_kg=rng.choice([None, -100, -250, 40]),
            )
        for year in rng.sample([2024, 2025, 2026], rng.randint(0, 3)):
            services.footprint_record(
                participant=participant,
                actor=manager,
                measured_on=datetime.date(year, 1, 10),
                total_kg=rng.randint(1000, 14000) * participant.people,
            )
    choices = list(Choice.objects.all())
    for participant in participants:
        for choice in rng.sample(choices, min(3, len(choices))):
            if choice.participant_id != participant.pk:
                services.choice_share(
                    choice=choice, participant=participant, actor=participant.members.first().user
                )
    return france, cabo, groups, hidden


def _expected(participants):
    """The figures of a set of participants, counted plainly."""
    ids = {p.pk for p in participants}
    choices = [c for c in Choice.objects.all() if c.participant_id in ids]
    by_category = Counter((c.category, c.status) for c in choices)
    avoided = -sum(
        c.emissions_change_kg
        for c in choices
        if c.status in ("started", "kept") and (c.emissions_change_kg or 0) < 0
    )
    latest = {}
    for footprint in Footprint.objects.filter(participant_id__in=ids).order_by("measured_on"):
        latest[footprint.participant_id] = footprint.total_kg / footprint.people
    shares = Counter(
        s.choice_id for s in ChoiceShare.objects.all() if s.choice.participant_id in ids
    )
    return {
        "participants": dict(Counter(p.kind for p in participants)),
        "people": sum(p.people for p in participants),
        "choices": len(choices),
        "by_category": by_category,
        "avoided_kg": avoided,
        "with_footprint": len(latest),
        "median_kg": round(statistics.median(latest.values())) if latest else None,
        "below_goal": sum(1 for value in latest.values() if value < 2000),
        "top_shares": sorted(shares.values(), reverse=True)[:10],
    }


def _actual(summary: Summary):
    figures = summary.figures
    return {
        "participants": figures["participants"],
        "people": figures["people"],
        "choices": figures["choices"],
        "by_category": Counter(
            {
                (category, status): count
                for category, statuses in figures["by_category"].items()
                for status, count in statuses.items()
            }
        ),
        "avoided_kg": figures["avoided_kg"],
        "with_footprint": figures["footprints"]["participants"],
        "median_kg": figures["footprints"]["median_kg"],
        "below_goal": figures["footprints"]["below_goal"],
        "top_shares": [item["shares"] for item in figures["shared"]],
    }


def test_summaries_match_a_plain_count_for_the_project_countries_and_groups():
    france, cabo, groups, hidden = _network()

    summaries.summaries_recompute(force=True)

    visible = [p for p in Participant.objects.all() if p.name != "Hidden town"]
    project = Summary.objects.get(scope="project", scope_id=0)
    assert _actual(project) == _expected(visible)
    for country in (france, cabo):
        summary = Summary.objects.get(scope="country", scope_id=country.pk)
        assert _actual(summary) == _expected([p for p in visible if p.country_id == country.pk])
    for group in groups:
        members = [p for p in visible if p.coordination_group_id == group.pk]
        if members:
            summary = Summary.objects.get(scope="cg", scope_id=group.pk)
            assert _actual(summary) == _expected(members)
    # A hidden group has no summary, and its territory counts nowhere.
    assert not Summary.objects.filter(scope="cg", scope_id=hidden.pk).exists()


def test_the_summary_page_shows_the_figures_and_their_tables(client, django_assert_max_num_queries):
    france, _cabo, groups, hidden = _network(seed=8)
    summaries.summaries_recompute(force=True)
    project = Summary.objects.get(scope="project")

    with django_assert_max_num_queries(8):
        response = client.get(reverse("projects:summary_project"))

    page = response.content.decode()
    assert response.status_code == 200
    assert f"{project.figures['choices']} choices recorded" in page
    assert page.count('role="img"') == 2
    country = client.get(reverse("projects:summary", args=[f"country-{france.pk}"]))
    assert country.status_code == 200 and "France" in country.content.decode()
    for key in (f"cg-{hidden.pk}", "cg-999999", "country-x", "planet"):
        assert client.get(reverse("projects:summary", args=[key])).status_code == 404


def test_a_scope_with_nobody_yet_says_so(client):
    group = make_coordination_group()
    response = client.get(reverse("projects:summary", args=[f"cg-{group.pk}"]))
    assert response.status_code == 200
    assert "No participant here yet." in response.content.decode()


def test_the_exports_carry_the_pages_tables(client):
    _network(seed=2)
    summaries.summaries_recompute(force=True)
    figures = Summary.objects.get(scope="project").figures

    csv_response = client.get(reverse("projects:summary_export", args=["project", "csv"]))
    rows = list(csv.reader(io.StringIO(csv_response.content.decode())))
    xlsx_response = client.get(reverse("projects:summary_export", args=["project", "xlsx"]))
    book = load_workbook(io.BytesIO(xlsx_response.content))

    assert csv_response["Content-Type"].startswith("text/csv")
    totals = {row[0]: int(row[1]) for row in rows if len(row) > 2 and row[1].isdigit()}
    food = sum(figures["by_category"].get("food", {}).values())
    assert totals["Food"] == food
    assert book.sheetnames[:3] == ["Participants", "Participants by type", "Choices"]
    by_type = [[cell.value for cell in row] for row in book["Participants by type"].iter_rows()]
    assert by_type[0] == ["Kind", "Type", "Participants"]
    assert sum(row[2] for row in by_type[1:]) == sum(figures["participants"].values())
    assert {tuple(row[:2]) for row in by_type[1:]} <= {
        ("Citizen", "An individual"),
        ("Citizen", "A family"),
        ("Collective actor", "A school"),
        ("Territorial entity", "A local platform"),
    }
    sheet = book["Choices"]
    assert {row[0].value: row[1].value for row in sheet.iter_rows(min_row=2)}["Food"] == food
    assert (
        client.get(reverse("projects:summary_export", args=["project", "pdf"])).status_code == 404
    )


def test_a_write_marks_the_summaries_and_the_job_brings_them_up_to_date(
    django_capture_on_commit_callbacks,
):
    user = make_user()
    with django_capture_on_commit_callbacks(execute=True):
        participant = services.participant_join(
            actor=user, kind="citizen", subtype="individual", name="Zoé"
        )
    # Celery runs inline here: the join's job ran after the commit.
    assert SummaryState.objects.get().dirty_since is None
    assert Summary.objects.get(scope="project").participants == 1

    summaries.summaries_mark()
    assert SummaryState.objects.get().dirty_since is not None
    assert summaries.summaries_recompute() == 2  # the project and this quarter
    assert summaries.summaries_recompute() == 0  # nothing changed: nothing to do
    with django_capture_on_commit_callbacks(execute=True):
        services.choice_create(
            participant=participant,
            actor=user,
            category="food",
            title="Lentils",
            description="",
            started_on=datetime.date(2026, 1, 1),
            status="kept",
            results="",
            emissions_change_kg=-100,
        )
    assert Summary.objects.get(scope="project").figures["avoided_kg"] == 100


def test_a_change_during_a_job_stays_marked_for_the_next(monkeypatch):
    make_user()
    summaries.summaries_mark()
    compute = summaries.summaries_compute

    def compute_while_someone_writes():
        figures = compute()
        # A write commits while the job computes: its mark is later than the job's start.
        SummaryState.objects.filter(pk=1).update(
            dirty_since=timezone.now() + datetime.timedelta(seconds=1)
        )
        return figures

    monkeypatch.setattr(summaries, "summaries_compute", compute_while_someone_writes)
    summaries.summaries_recompute()

    assert SummaryState.objects.get().dirty_since is not None


def test_the_sweep_gives_a_job_to_a_change_left_without_one(
    settings, django_capture_on_commit_callbacks
):
    from wikispiral.jobs.services import jobs_sweep

    summaries.summaries_mark()
    assert jobs_sweep().adopted == []  # just marked: its own job is on the way
    SummaryState.objects.filter(pk=1).update(
        dirty_since=timezone.now() - datetime.timedelta(minutes=5)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert len(jobs_sweep().adopted) == 1
    # Celery runs inline here: the job it enqueued has run.
    assert SummaryState.objects.get().dirty_since is None
