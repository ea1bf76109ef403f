"""Snapshots: what they count (checked against a plain count of the criteria), how changes mark
the scopes above them, and how jobs take, finish and hand back pending scopes."""

import datetime
import time
from collections import Counter

import pytest
from django.utils import timezone

from criteria.demo import demo_generate
from criteria.models import Criterion, GridVersion, Question
from criteria.selectors import component_by_code
from criteria.services import criterion_classify, criterion_create, criterion_delete
from syntheses import services
from syntheses.models import Check, PendingScope, Scope, Snapshot
from territories.models import CoordinationGroup, HomogeneousGroup
from territories.secretariat.services import coordination_group_hide
from tests.factories import (
    make_coordination_group,
    make_criterion,
    make_homogeneous_group,
    make_user,
)
from wikispiral.tenancy import cross_tenant

pytestmark = pytest.mark.django_db


def _counts(snapshot: Snapshot) -> Counter:
    cube = snapshot.cube
    counts: Counter = Counter()
    for component, question, count in zip(
        cube["component"], cube["question"], cube["count"], strict=True
    ):
        counts[(component, question)] += count
    return counts


def _expected(criteria) -> Counter:
    """The independent count: classified criteria per (component, question), by the ORM."""
    return Counter(
        criteria.filter(status=Criterion.Status.CLASSIFIED).values_list(
            "component__code", "question__code"
        )
    )


def _snapshot(scope: str, scope_id: int = 0) -> Snapshot:
    return Snapshot.objects.get(scope=scope, scope_id=scope_id)


def test_recompute_all_matches_a_plain_count_at_every_level():
    demo_generate(criteria=900, seed=5)
    hidden = CoordinationGroup.objects.order_by("pk").first()
    hidden.is_hidden = True
    hidden.save(update_fields=["is_hidden"])

    services.syntheses_recompute_all()

    with cross_tenant():
        everything = Criterion.objects.all()
        visible = everything.filter(tenant__is_hidden=False)
        assert _counts(_snapshot(Scope.NETWORK)) == _expected(visible)
        for group in CoordinationGroup.objects.all():
            # A hidden group's own synthesis is there for its members; places leave it out.
            assert _counts(_snapshot(Scope.COORDINATION_GROUP, group.pk)) == _expected(
                everything.filter(tenant=group)
            )
            country = group.country
            assert _counts(_snapshot(Scope.COUNTRY, country.pk)) == _expected(
                visible.filter(tenant__country=country)
            )
            if group.region_id:
                assert _counts(_snapshot(Scope.REGION, group.region_id)) == _expected(
                    visible.filter(tenant__region_id=group.region_id)
                )
            if group.locality_id:
                assert _counts(_snapshot(Scope.LOCALITY, group.locality_id)) == _expected(
                    visible.filter(tenant__locality_id=group.locality_id)
                )
            assert _counts(_snapshot(Scope.CONTINENT, country.continent_id)) == _expected(
                visible.filter(tenant__country__continent_id=country.continent_id)
            )
        for hg in HomogeneousGroup.objects.all()[:20]:
            assert _counts(_snapshot(Scope.HOMOGENEOUS_GROUP, hg.pk)) == _expected(
                everything.filter(group=hg)
            )
        network = _snapshot(Scope.NETWORK)
        counted_groups = (
            visible.filter(status=Criterion.Status.CLASSIFIED).values("group").distinct().count()
        )
    assert network.groups_count == counted_groups
    assert network.criteria_count == sum(_expected(visible).values())


def test_the_cube_keeps_year_profile_and_language():
    tenant = make_coordination_group()
    with cross_tenant():
        group = make_homogeneous_group(tenant=tenant, participants=11)
    make_criterion(
        tenant=tenant,
        group=group,
        component="A01",
        language="fr",
        session_date=datetime.date(2024, 5, 1),
    )
    make_criterion(
        tenant=tenant,
        group=group,
        component="A01",
        language="fr",
        session_date=datetime.date(2025, 5, 1),
    )
    make_criterion(tenant=tenant, group=group, question="Q2", component="B01")
    make_criterion(tenant=tenant, group=group)  # unclassified: not counted

    services.syntheses_recompute_all()

    snapshot = _snapshot(Scope.COORDINATION_GROUP, tenant.pk)
    rows = sorted(
        zip(
            *(snapshot.cube[c] for c in ("component", "question", "year", "language", "count")),
            strict=True,
        )
    )
    assert rows == [
        ("A01", "Q1", 2024, "fr", 1),
        ("A01", "Q1", 2025, "fr", 1),
        ("B01", "Q2", 2026, "en", 1),
    ]
    assert set(snapshot.cube["profile"]) == {group.profile_id}
    assert (snapshot.criteria_count, snapshot.groups_count, snapshot.participants) == (3, 1, 11)
    assert snapshot.groups["years"] == [[2024, 2025, 2026]]


def test_a_new_criterion_marks_its_group_and_every_level_above(django_capture_on_commit_callbacks):
    tenant = make_coordination_group()
    with cross_tenant():
        group = make_homogeneous_group(tenant=tenant)
    q1 = Question.objects.shared().get(code="Q1")

    with cross_tenant():
        criterion_create(tenant=tenant, group=group, question=q1, text="Bread", actor=None)

    marked = set(PendingScope.objects.values_list("scope", "scope_id"))
    assert marked == {
        (Scope.HOMOGENEOUS_GROUP, group.pk),
        (Scope.COORDINATION_GROUP, tenant.pk),
        (Scope.COUNTRY, tenant.country_id),
        (Scope.CONTINENT, tenant.country.continent_id),
        (Scope.NETWORK, 0),
    } | ({(Scope.REGION, tenant.region_id)} if tenant.region_id else set()) | (
        {(Scope.LOCALITY, tenant.locality_id)} if tenant.locality_id else set()
    )


def test_classifying_then_recomputing_pending_updates_every_affected_snapshot(
    django_capture_on_commit_callbacks,
):
    tenant = make_coordination_group()
    other = make_coordination_group(name="Elsewhere")
    make_criterion(tenant=other, component="D01")
    services.syntheses_recompute_all()
    criterion = make_criterion(tenant=tenant, text="A bus on Sunday")

    with django_capture_on_commit_callbacks(execute=True), cross_tenant():
        criterion_classify(
            tenant=tenant,
            criterion=criterion,
            component=component_by_code(code="A10"),
            actor=make_user(),
        )

    assert not PendingScope.objects.exists()
    assert _counts(_snapshot(Scope.COORDINATION_GROUP, tenant.pk)) == {("A10", "Q1"): 1}
    assert _counts(_snapshot(Scope.NETWORK)) == {("A10", "Q1"): 1, ("D01", "Q1"): 1}
    assert _counts(_snapshot(Scope.COORDINATION_GROUP, other.pk)) == {("D01", "Q1"): 1}

    with django_capture_on_commit_callbacks(execute=True), cross_tenant():
        criterion_delete(tenant=tenant, criterion=criterion, actor=make_user())

    assert _snapshot(Scope.COORDINATION_GROUP, tenant.pk).criteria_count == 0
    assert _counts(_snapshot(Scope.NETWORK)) == {("D01", "Q1"): 1}


def test_hiding_a_group_takes_it_out_of_the_places_above(django_capture_on_commit_callbacks):
    tenant = make_coordination_group()
    make_criterion(tenant=tenant, component="A01")
    services.syntheses_recompute_all()
    assert _snapshot(Scope.NETWORK).criteria_count == 1

    with django_capture_on_commit_callbacks(execute=True):
        coordination_group_hide(group=tenant, actor=make_user(secretariat=True), reason="Spam")

    assert _snapshot(Scope.NETWORK).criteria_count == 0
    assert _snapshot(Scope.COUNTRY, tenant.country_id).criteria_count == 0
    assert _snapshot(Scope.COORDINATION_GROUP, tenant.pk).criteria_count == 1


def test_a_scope_marked_again_during_a_job_stays_pending_for_the_next():
    tenant = make_coordination_group()
    make_criterion(tenant=tenant, component="A01")
    services.scopes_mark([(Scope.COORDINATION_GROUP, tenant.pk)])
    rows, claimed_at = services._pending_claim(100)
    # Someone saves while the job computes: marked_at moves past the claim.
    PendingScope.objects.filter(pk=rows[0].pk).update(
        marked_at=claimed_at + datetime.timedelta(microseconds=1)
    )
    PendingScope.objects.filter(pk=rows[0].pk).update(claimed_at=None)

    services.syntheses_recompute_pending()  # takes it again (unclaimed), computes, done

    assert not PendingScope.objects.exists()


def test_a_job_leaves_a_scope_marked_while_it_ran(monkeypatch):
    tenant = make_coordination_group()
    make_criterion(tenant=tenant, component="A01")
    services.scopes_mark([(Scope.COORDINATION_GROUP, tenant.pk)])
    real_write = services._write

    def write_then_mark(*args, **kwargs):
        real_write(*args, **kwargs)
        PendingScope.objects.update(marked_at=timezone.now() + datetime.timedelta(seconds=5))

    monkeypatch.setattr(services, "_write", write_then_mark)
    services.syntheses_recompute_pending()

    left = PendingScope.objects.get()
    assert left.claimed_at is None  # handed back, for the next job
    assert services.syntheses_sweep()


def test_a_claim_of_a_dead_job_is_taken_again_after_the_timeout():
    tenant = make_coordination_group()
    make_criterion(tenant=tenant, component="A01")
    services.scopes_mark([(Scope.COORDINATION_GROUP, tenant.pk)])
    services._pending_claim(100)  # a job took it, then its worker was killed
    assert not services.syntheses_sweep()
    assert services.syntheses_recompute_pending() == 0  # nothing to take yet

    PendingScope.objects.update(claimed_at=timezone.now() - services.claim_timeout() * 2)

    assert services.syntheses_sweep()
    assert services.syntheses_recompute_pending() > 0
    assert _snapshot(Scope.COORDINATION_GROUP, tenant.pk).criteria_count == 1


def test_every_job_run_twice_gives_the_same_state():
    demo_generate(criteria=300, seed=3)
    services.syntheses_recompute_all()
    first = {
        (s.scope, s.scope_id): (s.cube, s.groups, s.criteria_count) for s in Snapshot.objects.all()
    }
    services.syntheses_recompute_all()
    services.scopes_mark([(Scope.NETWORK, 0)])
    services.syntheses_recompute_pending()
    services.syntheses_recompute_pending()
    second = {
        (s.scope, s.scope_id): (s.cube, s.groups, s.criteria_count) for s in Snapshot.objects.all()
    }
    assert first == second


def test_an_empty_coordination_group_has_an_empty_snapshot():
    tenant = make_coordination_group()

    services.syntheses_recompute_all()

    snapshot = _snapshot(Scope.COORDINATION_GROUP, tenant.pk)
    assert (snapshot.criteria_count, snapshot.groups_count) == (0, 0)
    assert snapshot.cube["count"] == []


# --- A real Celery worker -----------------------------------------------------------------------


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_updates_every_affected_scope(celery_worker_process):
    from tests.factories import reference_data

    reference_data()
    tenant = make_coordination_group()
    with cross_tenant():
        group = make_homogeneous_group(tenant=tenant)
    q2 = Question.objects.shared().get(code="Q2")
    actor = make_user()

    with cross_tenant():
        for number in range(5):
            criterion = criterion_create(
                tenant=tenant, group=group, question=q2, text=f"Noise {number}", actor=actor
            )
            criterion_classify(
                tenant=tenant,
                criterion=criterion,
                component=component_by_code(code="B01"),
                actor=actor,
            )

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if (
            not PendingScope.objects.exists()
            and Snapshot.objects.filter(scope=Scope.NETWORK, criteria_count=5).exists()
        ):
            break
        time.sleep(0.2)
    for scope, scope_id in [
        (Scope.HOMOGENEOUS_GROUP, group.pk),
        (Scope.COORDINATION_GROUP, tenant.pk),
        (Scope.COUNTRY, tenant.country_id),
        (Scope.NETWORK, 0),
    ]:
        snapshot = Snapshot.objects.filter(scope=scope, scope_id=scope_id).first()
        assert snapshot is not None, (scope, celery_worker_process.log())
        assert _counts(snapshot) == {("B01", "Q2"): 5}, (scope, celery_worker_process.log())
    assert not PendingScope.objects.exists()


def _place_snapshots() -> dict[tuple[str, int], tuple[dict, dict, int, int]]:
    return {
        (snapshot.scope, snapshot.scope_id): (
            snapshot.cube,
            snapshot.groups,
            snapshot.criteria_count,
            snapshot.participants,
            snapshot.fingerprint,
        )
        for snapshot in Snapshot.objects.exclude(
            scope__in=[Scope.HOMOGENEOUS_GROUP, Scope.COORDINATION_GROUP]
        )
    }


def test_places_rolled_up_level_by_level_equal_a_full_recomputation(
    django_capture_on_commit_callbacks,
):
    demo_generate(criteria=600, seed=11)
    services.syntheses_recompute_all()
    tenants = list(CoordinationGroup.objects.order_by("pk"))
    # A group with no locality nor region counts in its country straight away.
    bare = make_coordination_group(name="No locality", country=tenants[0].country)
    user = make_user()
    with django_capture_on_commit_callbacks(execute=True), cross_tenant():
        for tenant in (tenants[0], tenants[-1], bare):
            group = make_homogeneous_group(tenant=tenant, participants=7)
            for code in ("A01", "B04", "D01"):
                criterion_create(
                    tenant=tenant,
                    group=group,
                    question=Question.objects.shared().get(code="Q2"),
                    text=f"Something about {code} in {tenant.name}",
                    language="fr",
                    session_date=datetime.date(2026, 3, 1),
                    component=component_by_code(code=code),
                    actor=user,
                )
        coordination_group_hide(group=tenants[1], actor=make_user(secretariat=True), reason="Spam")
    assert not PendingScope.objects.exists()
    rolled_up = _place_snapshots()

    # The roll-ups' fingerprints are those the nightly check computes from the criteria...
    assert services.syntheses_recompute_all().recomputed == 0
    # ...and their figures those of a full recomputation.
    services.syntheses_recompute_all(force=True)
    assert rolled_up == _place_snapshots()
    with cross_tenant():
        published = Criterion.objects.filter(
            status=Criterion.Status.CLASSIFIED, tenant__is_hidden=False
        ).count()
    assert _snapshot(Scope.NETWORK).criteria_count == published


def test_moving_a_group_to_another_locality_updates_both(django_capture_on_commit_callbacks):
    from territories.models import Locality, Region
    from territories.services import coordination_group_update

    tenant = make_coordination_group()
    country = tenant.country
    region = Region.objects.create(country=country, name="Grand Est", slug="grand-est")
    here = Locality.objects.create(region=region, name="Mulhouse", slug="mulhouse")
    there = Locality.objects.create(region=region, name="Colmar", slug="colmar")
    with django_capture_on_commit_callbacks(execute=True):
        coordination_group_update(actor=make_user(), group=tenant, region=region, locality=here)
        make_criterion(tenant=tenant, component="A01")
        services.syntheses_mark_changed(tenant=tenant)
    assert _snapshot(Scope.LOCALITY, here.pk).criteria_count == 1

    with django_capture_on_commit_callbacks(execute=True):
        coordination_group_update(actor=make_user(), group=tenant, region=region, locality=there)

    assert _snapshot(Scope.LOCALITY, here.pk).criteria_count == 0
    assert _snapshot(Scope.LOCALITY, there.pk).criteria_count == 1
    assert _snapshot(Scope.REGION, region.pk).criteria_count == 1


def _rows() -> dict[tuple[str, int], tuple]:
    return {
        (s.scope, s.scope_id): (s.digest, s.fingerprint, s.computed_at, s.criteria_count)
        for s in Snapshot.objects.all()
    }


def test_a_nightly_pass_that_finds_nothing_changed_leaves_every_snapshot_as_it_is():
    demo_generate(criteria=300, seed=3)
    first_check = services.syntheses_recompute_all()
    first = _rows()
    assert first_check.recomputed == len(first) == first_check.checked
    assert all(digest and fingerprint for digest, fingerprint, _at, _n in first.values())

    check = services.syntheses_recompute_all()

    assert _rows() == first
    assert (check.checked, check.recomputed, check.removed) == (len(first), 0, 0)
    assert Check.objects.latest() == check


def _behind_the_back(tenant: CoordinationGroup) -> dict[str, object]:
    """Changes saved without the services, so no scope is marked: only the nightly check can
    find them. Each returns the scopes it must make stale."""
    with cross_tenant():
        group = HomogeneousGroup.objects.filter(tenant=tenant).order_by("pk").first()
        criteria = Criterion.objects.filter(group=group, status=Criterion.Status.CLASSIFIED)
        one = criteria.order_by("pk").first()
    other = component_by_code(code="B04" if one.component.code != "B04" else "A01")
    return {
        "reclassified": lambda: Criterion.objects.filter(pk=one.pk).update(component=other),
        "other question": lambda: Criterion.objects.filter(pk=one.pk).update(
            question=Question.objects.get(
                tenant=None, code="Q3" if one.question.code != "Q3" else "Q1"
            )
        ),
        "other year": lambda: Criterion.objects.filter(pk=one.pk).update(
            session_date=one.session_date.replace(year=one.session_date.year - 3)
        ),
        "other language": lambda: Criterion.objects.filter(pk=one.pk).update(
            language="pt" if one.language != "pt" else "fr"
        ),
        "unclassified": lambda: Criterion.objects.filter(pk=one.pk).update(
            status=Criterion.Status.DISPUTED
        ),
        "deleted": lambda: Criterion.objects.filter(pk=one.pk).delete(),
        "added": lambda: make_criterion(tenant=tenant, group=group, component="D01"),
        "participants": lambda: HomogeneousGroup.objects.filter(pk=group.pk).update(
            participants=(group.participants or 0) + 5
        ),
        "hidden": lambda: CoordinationGroup.objects.filter(pk=tenant.pk).update(is_hidden=True),
    }


@pytest.mark.parametrize(
    "change",
    [
        "reclassified",
        "other question",
        "other year",
        "other language",
        "unclassified",
        "deleted",
        "added",
        "participants",
        "hidden",
    ],
)
def test_the_nightly_check_finds_a_change_nobody_marked_and_recomputes_only_what_it_touches(
    change, monkeypatch
):
    # A small network: one group of a few is more than the share that makes a full pass.
    monkeypatch.setattr(services, "FULL_PASS_SHARE", 1.0)
    demo_generate(criteria=400, seed=7)
    services.syntheses_recompute_all()
    tenant = CoordinationGroup.objects.order_by("pk").first()
    before = _rows()
    with cross_tenant():
        _behind_the_back(tenant)[change]()
    assert not PendingScope.objects.exists()

    check = services.syntheses_recompute_all()

    after = _rows()
    moved = {key for key in after if after[key][1] != before[key][1]}
    assert (Scope.COORDINATION_GROUP, tenant.pk) in moved or change == "hidden"
    assert (Scope.COUNTRY, tenant.country_id) in moved
    assert (Scope.NETWORK, 0) in moved
    assert {scope for scope, _pk in moved} <= {
        Scope.HOMOGENEOUS_GROUP,
        Scope.COORDINATION_GROUP,
        *services.PLACES_UPWARDS,
    }
    # Only the group's own scopes and the places above it moved...
    assert {pk for scope, pk in moved if scope == Scope.COORDINATION_GROUP} <= {tenant.pk}
    assert 0 < check.recomputed < len(before) / 2
    # ...and they hold what a full recomputation gives.
    recomputed = {key: row for key, row in after.items()}
    services.syntheses_recompute_all(force=True)
    full = _rows()
    assert {key: row[:2] + row[3:] for key, row in recomputed.items()} == {
        key: row[:2] + row[3:] for key, row in full.items()
    }
    assert services.syntheses_recompute_all().recomputed == 0


def test_a_forced_pass_recomputes_everything_and_a_new_grid_version_too():
    demo_generate(criteria=200, seed=9)
    services.syntheses_recompute_all()
    total = Snapshot.objects.count()

    assert services.syntheses_recompute_all(force=True).recomputed == total
    Snapshot.objects.update(grid_version=GridVersion.objects.create(number=99))
    assert services.syntheses_recompute_all().recomputed == total


def test_the_nightly_pass_removes_snapshots_of_deleted_groups_and_takes_pending_marks():
    tenant = make_coordination_group()
    group = make_homogeneous_group(tenant=tenant)
    make_criterion(tenant=tenant, group=group, component="A01")
    services.syntheses_recompute_all()
    services.scopes_mark([(Scope.COORDINATION_GROUP, tenant.pk)])
    with cross_tenant():
        HomogeneousGroup.objects.filter(pk=group.pk).delete()

    check = services.syntheses_recompute_all()

    assert check.removed == 1
    assert not Snapshot.objects.filter(scope=Scope.HOMOGENEOUS_GROUP, scope_id=group.pk).exists()
    assert _snapshot(Scope.NETWORK).criteria_count == 0
    assert not PendingScope.objects.exists()


def test_a_recomputation_asked_for_a_place_refreshes_everything_under_it(
    django_capture_on_commit_callbacks,
):
    tenant = make_coordination_group()
    make_criterion(tenant=tenant, component="A01")
    services.syntheses_recompute_all()
    # A criterion saved behind the services' back: no scope knows it changed.
    make_criterion(tenant=tenant, component="B01")
    assert not PendingScope.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        services.scope_mark_with_below(Scope.NETWORK, 0)

    assert _snapshot(Scope.COORDINATION_GROUP, tenant.pk).criteria_count == 2
    assert _snapshot(Scope.CONTINENT, tenant.country.continent_id).criteria_count == 2
    assert _counts(_snapshot(Scope.NETWORK)) == {("A01", "Q1"): 1, ("B01", "Q1"): 1}
    assert not PendingScope.objects.exists()
