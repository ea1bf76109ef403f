"""A worker killed with SIGKILL in the middle of a syntheses job, and Redis flushed: pages keep
the previous snapshot, and the sweep (what beat runs every minute) has another worker finish the
job, because the database, not the broker, records what is pending."""

import time

import pytest
import redis
from django.utils import timezone

from syntheses.models import PendingScope, Scope, Snapshot
from syntheses.services import places_of, syntheses_recompute_all
from syntheses.tasks import syntheses_recompute_pending_task, syntheses_sweep_task
from tests.factories import make_coordination_group, make_criterion, reference_data

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

CLAIM_TIMEOUT_SECONDS = 3


def _wait_for(condition, seconds: float, what: str, worker=None) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {seconds:.0f} s\n{worker.log() if worker else ''}")
        time.sleep(0.1)


def test_a_killed_job_leaves_the_previous_snapshot_and_is_finished_after_a_redis_flush(
    private_workers, settings
):
    reference_data()
    settings.SYNTHESES_CLAIM_TIMEOUT_SECONDS = CLAIM_TIMEOUT_SECONDS
    tenant = make_coordination_group()
    make_criterion(tenant=tenant, component="A01")
    syntheses_recompute_all()
    network = Snapshot.objects.get(scope=Scope.NETWORK)
    assert network.criteria_count == 1
    # Two more criteria, and the scopes they touch recorded as pending (as the services do).
    make_criterion(tenant=tenant, component="A01")
    make_criterion(tenant=tenant, component="B01")
    now = timezone.now()
    scopes = places_of(tenant)  # the group and every place above it, up to the network
    PendingScope.objects.bulk_create(
        [PendingScope(scope=scope, scope_id=pk, marked_at=now) for scope, pk in scopes]
    )

    doomed = private_workers(
        SYNTHESES_TEST_PAUSE_SECONDS="30",
        SYNTHESES_CLAIM_TIMEOUT_SECONDS=str(CLAIM_TIMEOUT_SECONDS),
    )
    syntheses_recompute_pending_task.apply_async(queue=private_workers.queue)
    _wait_for(
        lambda: not PendingScope.objects.filter(claimed_at__isnull=True).exists(),
        30,
        "the first worker did not take the job",
        doomed,
    )
    time.sleep(0.5)  # computing, inside its transaction
    doomed.process.kill()
    doomed.process.wait(timeout=10)
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()

    # Killed mid-job: pages still read the previous snapshot, and nothing is lost.
    network.refresh_from_db()
    assert network.criteria_count == 1
    assert PendingScope.objects.count() == len(scopes)

    rescuer = private_workers(SYNTHESES_CLAIM_TIMEOUT_SECONDS=str(CLAIM_TIMEOUT_SECONDS))
    time.sleep(CLAIM_TIMEOUT_SECONDS + 0.5)  # the dead job's claim goes stale
    syntheses_sweep_task.apply_async(queue=private_workers.queue)  # what beat sends every minute
    _wait_for(
        lambda: not PendingScope.objects.exists(),
        30,
        "the sweep did not finish the pending scopes",
        rescuer,
    )
    network.refresh_from_db()
    assert network.criteria_count == 3
    cg = Snapshot.objects.get(scope=Scope.COORDINATION_GROUP, scope_id=tenant.pk)
    assert cg.criteria_count == 3
    assert Snapshot.objects.get(scope=Scope.COUNTRY, scope_id=tenant.country_id).criteria_count == 3
