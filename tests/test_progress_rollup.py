"""Evaluations rolled up over the syntheses' scopes: every scope's counts and medians checked
against an independent computation (pandas over an export of the placements, sessions,
indicators and groups) on generated data; the incremental jobs against the full recomputation;
publishing and unpublishing, hiding and moving groups; a killed worker; and the scope page's
access rule."""

import datetime
import random

import pandas as pd
import pytest
from django.core.management import call_command
from django.utils import timezone

from criteria.models import Component
from projects.evaluations import rollup
from projects.evaluations.figures import distribution
from projects.evaluations.scopes.selectors import (
    evaluation_snapshot_get,
    scope_results,
    snapshot_figures,
)
from projects.models import (
    EvaluationPending,
    EvaluationSession,
    EvaluationSnapshot,
    Indicator,
    IndicatorLevel,
    Placement,
)
from projects.tasks import evaluations_nightly_task
from syntheses.models import Scope
from territories.models import CoordinationGroup, HomogeneousGroup, Locality, Region
from territories.secretariat.services import coordination_group_hide
from territories.services.groups import coordination_group_update
from tests.factories import (
    make_coordination_group,
    make_country,
    make_homogeneous_group,
    make_user,
)
from wikispiral.jobs.models import Job
from wikispiral.jobs.services import KINDS
from wikispiral.tenancy import cross_tenant

pytestmark = pytest.mark.django_db

PUBLISHED = EvaluationSession.Status.PUBLISHED
DRAFT = EvaluationSession.Status.DRAFT
LEVEL_NAMES = ["Very bad", "Bad", "Average", "Good", "Ideal"]


# --- Generated data -----------------------------------------------------------------------------


def _indicator(tenant, title, *, shared=False, status="published", origin=None, levels=5):
    component = Component.objects.filter(version__is_current=True).order_by("pk").first()
    with cross_tenant():
        indicator = Indicator.objects.create(
            tenant=tenant,
            component=component,
            language="en",
            texts={"en": {"title": title}, "fr": {"title": f"{title} (fr)"}},
            status=status,
            shared=shared,
            origin=origin,
        )
        indicator.lineage = origin.lineage if origin is not None else indicator.pk
        indicator.save(update_fields=["lineage"])
        IndicatorLevel.objects.bulk_create(
            IndicatorLevel(
                tenant=tenant,
                indicator=indicator,
                position=position,
                texts={"en": {"name": name}},
            )
            for position, name in enumerate(LEVEL_NAMES[:levels], start=1)
        )
    return indicator


def _session(tenant, indicators, *, rng, group=None, year=2025, people=None, status=PUBLISHED):
    people = people or rng.randint(3, 12)
    with cross_tenant():
        session = EvaluationSession.objects.create(
            tenant=tenant,
            title=f"Session {rng.randint(1, 10**6)}",
            held_on=datetime.date(year, rng.randint(1, 12), rng.randint(1, 28)),
            group=group,
            participants=people,
            status=status,
        )
        session.indicators.set(indicators)
        Placement.objects.bulk_create(
            Placement(
                tenant=tenant,
                session=session,
                indicator=indicator,
                level=rng.randint(1, indicator.levels.count()),
                participant=participant,
                placed_on=session.held_on,
            )
            for indicator in indicators
            for participant in range(1, people + 1)
            # Not everyone places the territory on every indicator.
            if rng.random() < 0.9
        )
    return session


@pytest.fixture
def network():
    """Two countries, their regions and localities, seven platforms (one hidden, one a
    project's), homogeneous groups, shared, unshared and draft indicators with adoptions, and
    published and draft sessions over three years."""
    rng = random.Random(7)
    france = make_country()
    brazil = make_country(code="BR", name="Brazil", continent="SA")
    alsace = Region.objects.create(country=france, name="Alsace", slug="alsace")
    brittany = Region.objects.create(country=france, name="Brittany", slug="brittany")
    bahia = Region.objects.create(country=brazil, name="Bahia", slug="bahia")
    mulhouse = Locality.objects.create(region=alsace, name="Mulhouse", slug="mulhouse")
    colmar = Locality.objects.create(region=alsace, name="Colmar", slug="colmar")
    salvador = Locality.objects.create(region=bahia, name="Salvador", slug="salvador")
    member = make_user()
    groups = {
        "mulhouse": make_coordination_group(
            name="Mulhouse", country=france, region=alsace, locality=mulhouse
        ),
        "mulhouse2": make_coordination_group(
            name="Mulhouse school", country=france, region=alsace, locality=mulhouse, project=1
        ),
        "colmar": make_coordination_group(
            name="Colmar", country=france, region=alsace, locality=colmar
        ),
        "rennes": make_coordination_group(name="Rennes", country=france, region=brittany),
        "paris": make_coordination_group(name="Paris", country=france),
        "salvador": make_coordination_group(
            name="Salvador", country=brazil, region=bahia, locality=salvador
        ),
        "hidden": make_coordination_group(
            name="Hidden", country=brazil, region=bahia, locality=salvador, facilitator=member
        ),
    }
    CoordinationGroup.objects.filter(pk=groups["hidden"].pk).update(is_hidden=True)
    groups["hidden"].refresh_from_db()
    with cross_tenant():
        hgs = {
            name: [make_homogeneous_group(tenant=group) for _n in range(2)]
            for name, group in groups.items()
        }
    food = _indicator(groups["mulhouse"], "Food", shared=True)
    housing = _indicator(groups["salvador"], "Housing", shared=True)
    noise = _indicator(groups["colmar"], "Noise")  # not shared: stays in its group
    draft = _indicator(groups["rennes"], "Draft", shared=True, status="draft")
    adoptions = {
        name: [
            _indicator(group, "Food", origin=food),
            _indicator(group, "Housing", origin=housing, levels=4),
        ]
        for name, group in groups.items()
        if name not in ("mulhouse",)
    }
    own = {
        "mulhouse": [food],
        "colmar": [noise],
        "rennes": [draft],
        "salvador": [housing],
    }
    sessions = []
    for name, group in groups.items():
        indicators = adoptions.get(name, []) + own.get(name, [])
        for year in (2024, 2025, 2026):
            for hg in [*hgs[name], None]:
                if rng.random() < 0.7:
                    sessions.append(_session(group, indicators, rng=rng, group=hg, year=year))
        # A session still being entered counts nowhere.
        _session(group, indicators, rng=rng, group=hgs[name][0], status=DRAFT)
    return {
        "groups": groups,
        "hgs": hgs,
        "sessions": sessions,
        "member": member,
        "indicators": {"food": food, "housing": housing, "noise": noise, "draft": draft},
        "places": {"france": france, "brazil": brazil, "alsace": alsace, "mulhouse": mulhouse},
    }


def _mark_everything(django_capture_on_commit_callbacks) -> None:
    """Every platform's and homogeneous group's evaluations changed: the job runs inline."""
    with django_capture_on_commit_callbacks(execute=True), cross_tenant():
        for group in CoordinationGroup.objects.select_related("country"):
            hgs = list(HomogeneousGroup.objects.filter(tenant=group).values_list("pk", flat=True))
            rollup.evaluations_mark(tenant=group, group_ids=[*hgs, None])


# --- The independent computation ----------------------------------------------------------------


def _export() -> pd.DataFrame:
    """Every placement with its session, indicator, root indicator and group's places, joined
    in pandas from plain exports."""
    with cross_tenant():
        placements = pd.DataFrame(
            Placement.objects.values("session_id", "indicator_id", "level", "tenant_id")
        )
        sessions = pd.DataFrame(
            EvaluationSession.objects.values("id", "group_id", "held_on", "participants", "status")
        ).rename(columns={"id": "session_id"})
        indicators = pd.DataFrame(
            Indicator.objects.values("id", "lineage", "shared", "status")
        ).rename(columns={"id": "indicator_id"})
    groups = pd.DataFrame(
        CoordinationGroup.objects.values(
            "id",
            "is_hidden",
            "locality_id",
            "region_id",
            "country_id",
            "country__continent_id",
            "project",
        )
    ).rename(columns={"id": "tenant_id", "country__continent_id": "continent_id"})
    roots = indicators[["indicator_id", "shared", "status"]].rename(
        columns={"indicator_id": "lineage", "shared": "root_shared", "status": "root_status"}
    )
    frame = (
        placements.merge(sessions, on="session_id")
        .merge(indicators[["indicator_id", "lineage"]], on="indicator_id")
        .merge(roots, on="lineage", how="left")
        .merge(groups, on="tenant_id")
    )
    frame = frame[frame["status"] == PUBLISHED].copy()
    frame["year"] = frame["held_on"].map(lambda day: day.year)
    frame["in_places"] = (
        ~frame["is_hidden"]
        & frame["root_shared"].fillna(False).astype(bool)
        & (frame["root_status"] == "published")
    )
    return frame


def _expected(frame: pd.DataFrame) -> dict:
    """{(lineage, year): (counts per level, sessions, participants, median)}."""
    result = {}
    for (lineage, year), rows in frame.groupby(["lineage", "year"]):
        behind = rows.drop_duplicates("session_id")
        result[(int(lineage), int(year))] = (
            {int(level): int(n) for level, n in rows["level"].value_counts().items()},
            len(behind),
            int(behind["participants"].sum()),
            float(rows["level"].median()),
        )
    return result


def _scope_frames(frame: pd.DataFrame) -> dict[tuple[str, int], pd.DataFrame]:
    """Each scope's placements, as the issue defines it."""
    scopes: dict[tuple[str, int], pd.DataFrame] = {}
    for pk in HomogeneousGroup.objects.values_list("pk", flat=True).order_by():
        scopes[(Scope.HOMOGENEOUS_GROUP, pk)] = frame[frame["group_id"] == pk]
    for pk in CoordinationGroup.objects.values_list("pk", flat=True):
        scopes[(Scope.COORDINATION_GROUP, pk)] = frame[frame["tenant_id"] == pk]
    places = frame[frame["in_places"]]
    for scope, column in (
        (Scope.LOCALITY, "locality_id"),
        (Scope.REGION, "region_id"),
        (Scope.COUNTRY, "country_id"),
        (Scope.CONTINENT, "continent_id"),
        (Scope.PROJECT, "project"),
    ):
        for pk in set(frame[column].dropna().astype(int)) - {0}:
            scopes[(scope, pk)] = places[places[column] == pk]
    scopes[(Scope.NETWORK, 0)] = places
    return scopes


def _stored(scope: str, scope_id: int) -> dict:
    """The same figures read back from the scope's snapshot, the median as pages compute it."""
    found = snapshot_figures(evaluation_snapshot_get(scope=scope, scope_id=scope_id))
    return {
        key: (
            figures.counts,
            figures.sessions,
            figures.participants,
            distribution(figures.counts, max(figures.counts)).median,
        )
        for key, figures in found.items()
    }


def _check_every_scope() -> int:
    """Every scope's snapshot against the independent computation; returns how many scopes
    have placements."""
    with cross_tenant():
        scopes = _scope_frames(_export())
    non_empty = 0
    for (scope, pk), rows in scopes.items():
        expected = _expected(rows)
        with cross_tenant():
            assert _stored(scope, pk) == expected, (scope, pk)
        non_empty += bool(expected)
    stored = set(
        EvaluationSnapshot.objects.filter(placements_count__gt=0).values_list("scope", "scope_id")
    )
    assert stored <= set(scopes)
    return non_empty


def _state() -> dict:
    return {
        (row.scope, row.scope_id): (row.cube, row.sessions, row.digest)
        for row in EvaluationSnapshot.objects.filter(placements_count__gt=0)
    }


# --- Figures --------------------------------------------------------------------------------------


def test_every_scope_matches_an_independent_computation(
    network, django_capture_on_commit_callbacks
):
    _mark_everything(django_capture_on_commit_callbacks)

    assert not EvaluationPending.objects.exists()
    assert _check_every_scope() > 20
    # Hand-picked: the unshared and the draft indicators stay in their groups, the hidden
    # group's evaluations stay in its own scopes, adoptions add up under their root.
    food, noise, draft = (network["indicators"][name] for name in ("food", "noise", "draft"))
    groups = network["groups"]
    lineages = set(evaluation_snapshot_get(scope=Scope.NETWORK, scope_id=0).cube["lineage"])
    assert lineages == {food.pk, network["indicators"]["housing"].pk}
    colmar = evaluation_snapshot_get(scope=Scope.COORDINATION_GROUP, scope_id=groups["colmar"].pk)
    assert noise.lineage in colmar.cube["lineage"]
    rennes = evaluation_snapshot_get(scope=Scope.COORDINATION_GROUP, scope_id=groups["rennes"].pk)
    assert draft.lineage in rennes.cube["lineage"]
    hidden = evaluation_snapshot_get(scope=Scope.COORDINATION_GROUP, scope_id=groups["hidden"].pk)
    salvador = evaluation_snapshot_get(scope=Scope.LOCALITY, scope_id=groups["hidden"].locality_id)
    own = evaluation_snapshot_get(scope=Scope.COORDINATION_GROUP, scope_id=groups["salvador"].pk)
    assert hidden.placements_count > 0
    assert salvador.placements_count == own.placements_count  # the hidden group left out


def test_incremental_jobs_and_the_full_recomputation_agree(
    network, django_capture_on_commit_callbacks
):
    _mark_everything(django_capture_on_commit_callbacks)
    incremental = _state()
    computed_at = EvaluationSnapshot.objects.get(scope=Scope.NETWORK).computed_at

    call_command("evaluations_recompute", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert _state() == incremental
    # Same figures, same rows: only computed_at moved.
    assert EvaluationSnapshot.objects.get(scope=Scope.NETWORK).computed_at > computed_at
    _check_every_scope()


def test_the_full_recomputation_alone_matches_the_independent_computation(network):
    assert rollup.evaluations_recompute_all() > 20
    _check_every_scope()
    # Run twice, the same state.
    first = _state()
    rollup.evaluations_recompute_all()
    assert _state() == first


def test_the_nightly_task_recomputes_every_scope_through_a_durable_job(
    network, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        evaluations_nightly_task()

    job = Job.objects.get(kind="evaluations.recompute_all")
    assert job.state == Job.State.DONE
    assert _check_every_scope() > 20


def test_a_session_published_then_unpublished_leaves_the_sums(
    network, django_capture_on_commit_callbacks
):
    _mark_everything(django_capture_on_commit_callbacks)
    group, hg = network["groups"]["mulhouse"], network["hgs"]["mulhouse"][1]
    food = network["indicators"]["food"]
    rng = random.Random(3)
    before = EvaluationSnapshot.objects.get(scope=Scope.NETWORK).placements_count

    with django_capture_on_commit_callbacks(execute=True):
        session = _session(group, [food], rng=rng, group=hg, year=2026, people=9)
        rollup.evaluations_mark(tenant=group, group_ids=[hg.pk])
    with cross_tenant():
        added = Placement.objects.filter(session=session).count()
    assert EvaluationSnapshot.objects.get(scope=Scope.NETWORK).placements_count == before + added
    _check_every_scope()

    with django_capture_on_commit_callbacks(execute=True), cross_tenant():
        EvaluationSession.objects.filter(pk=session.pk).update(status=DRAFT)
        rollup.evaluations_mark(tenant=group, group_ids=[hg.pk])

    assert EvaluationSnapshot.objects.get(scope=Scope.NETWORK).placements_count == before
    _check_every_scope()


def test_hiding_and_moving_a_group_follow_the_places(network, django_capture_on_commit_callbacks):
    _mark_everything(django_capture_on_commit_callbacks)
    groups = network["groups"]
    colmar = groups["colmar"]
    network_count = EvaluationSnapshot.objects.get(scope=Scope.NETWORK).placements_count
    in_colmar = evaluation_snapshot_get(scope=Scope.LOCALITY, scope_id=colmar.locality_id)
    assert in_colmar.placements_count > 0

    # Colmar moves to Mulhouse: its placements leave one locality and join the other.
    with django_capture_on_commit_callbacks(execute=True):
        coordination_group_update(
            actor=make_user(secretariat=True),
            group=colmar,
            locality=network["places"]["mulhouse"],
        )
    assert evaluation_snapshot_get(scope=Scope.LOCALITY, scope_id=in_colmar.scope_id).cube == (
        rollup.empty_cube()
    )
    _check_every_scope()

    with django_capture_on_commit_callbacks(execute=True):
        coordination_group_hide(
            group=groups["salvador"], actor=make_user(secretariat=True), reason="Spam"
        )
    assert EvaluationSnapshot.objects.get(scope=Scope.NETWORK).placements_count < network_count
    _check_every_scope()


def test_a_claim_of_a_killed_worker_is_taken_again_after_the_timeout(network):
    group = network["groups"]["paris"]
    rollup.evaluations_mark(tenant=group, group_ids=[None])  # not committed: no job ran
    spec = KINDS[rollup.RECOMPUTE_KIND]
    assert spec.orphans() == [{"key": rollup.RECOMPUTE_KEY}]
    rollup._pending_claim(100)  # a job took them, then its worker was killed
    assert not rollup.evaluations_sweep()
    assert spec.orphans() == []
    assert rollup.evaluations_recompute_pending() == 0  # nothing to take yet

    EvaluationPending.objects.update(claimed_at=timezone.now() - rollup.claim_timeout() * 2)

    assert rollup.evaluations_sweep()
    assert spec.orphans() == [{"key": rollup.RECOMPUTE_KEY}]
    assert rollup.evaluations_recompute_pending() > 0
    assert not EvaluationPending.objects.exists()
    snapshot = evaluation_snapshot_get(scope=Scope.COORDINATION_GROUP, scope_id=group.pk)
    assert snapshot.placements_count > 0


def test_a_scope_marked_again_while_a_job_ran_stays_for_the_next(network):
    group = network["groups"]["paris"]
    rollup.evaluations_mark(tenant=group, group_ids=[None])

    def mark_again() -> None:
        EvaluationPending.objects.filter(scope=Scope.NETWORK).update(
            marked_at=timezone.now() + datetime.timedelta(seconds=5)
        )

    rollup.evaluations_recompute_pending(checkpoint=mark_again)

    left = EvaluationPending.objects.get()
    assert (left.scope, left.claimed_at) == (Scope.NETWORK, None)
    assert rollup.evaluations_sweep()


# --- The scope page ---------------------------------------------------------------------------


def _url(key: str) -> str:
    return f"/progress/{key}/"


def test_a_place_page_shows_each_shared_indicator_of_the_latest_year(
    network, client, django_assert_max_num_queries
):
    rollup.evaluations_recompute_all()
    country = network["places"]["france"]
    snapshot = evaluation_snapshot_get(scope=Scope.COUNTRY, scope_id=country.pk)
    results = scope_results(snapshot)
    assert results.year == 2026
    assert [result.title for result in results.lineages] == ["Food", "Housing"]

    with django_assert_max_num_queries(12):
        response = client.get(_url(f"country-{country.pk}"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Food" in page and "Housing" in page and "Noise" not in page
    assert "<caption" in page and 'role="img"' in page
    food = results.lineages[0]
    assert food.median_text in page
    assert 'href="/progress/region-' in page  # its regions, to browse down

    response = client.get(_url(f"country-{country.pk}"), {"year": "2024"})
    assert response.status_code == 200
    assert "Evaluations of 2024" in response.content.decode()
    assert client.get(_url(f"country-{country.pk}"), {"year": "1999"}).status_code == 400
    assert client.get(_url(f"country-{country.pk}"), {"year": "x"}).status_code == 400


def test_a_group_page_shows_its_own_indicators_in_the_readers_language(network, client):
    rollup.evaluations_recompute_all()
    colmar = network["groups"]["colmar"]

    response = client.get(_url(f"cg-{colmar.pk}"), HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Noise" in page  # its own, unshared indicator
    assert "Very bad" in page


def test_a_hidden_groups_scopes_answer_404_to_outsiders(network, client):
    rollup.evaluations_recompute_all()
    hidden = network["groups"]["hidden"]
    hg = network["hgs"]["hidden"][0]
    for key in (f"cg-{hidden.pk}", f"hg-{hg.pk}"):
        assert client.get(_url(key)).status_code == 404
        client.force_login(make_user())
        assert client.get(_url(key)).status_code == 404
        client.force_login(network["member"])
        assert client.get(_url(key)).status_code == 200
        client.force_login(make_user(secretariat=True))
        assert client.get(_url(key)).status_code == 200
        client.logout()
    # Nor does it appear under its locality.
    page = client.get(_url(f"locality-{hidden.locality_id}")).content.decode()
    assert "Hidden" not in page


def test_unknown_scopes_answer_404(client):
    for key in ("nowhere", "cg-0", "cg-99999", "country-99999999999", "hg-abc"):
        assert client.get(_url(key)).status_code == 404


def test_a_scope_never_computed_says_so(client):
    group = make_coordination_group()

    response = client.get(_url(f"cg-{group.pk}"))

    assert response.status_code == 200
    assert "No evaluation yet" in response.content.decode()
