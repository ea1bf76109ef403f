"""The daily digest job killed halfway, in a real Celery worker on PostgreSQL and Redis: the
worker dies with every digest written but not committed; the sweep gives the job to another
worker, which builds and sends each digest once. (Marker celery_worker: skipped, with the
reason, where PostgreSQL or Redis is missing; run under CI=true, never skipped.)"""

import time
from collections.abc import Callable

import pytest
from django.utils import timezone

from tests.factories import make_page, make_user
from tests.notifications.conftest import follow
from wikispiral.jobs.models import Job
from wikispiral.jobs.tasks import jobs_sweep_task
from wikispiral.notifications.jobs import DIGEST_JOB, digests_period_enqueue
from wikispiral.notifications.models import Digest
from wikispiral.notifications.services import change_record

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

LEASE_SECONDS = 2


def _wait_for(condition: Callable[[], bool], seconds: float, what: str, *workers) -> None:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > seconds:
            logs = "\n".join(worker.log()[-4000:] for worker in workers)
            raise AssertionError(f"{what} within {seconds:.0f} s\n{logs}")
        time.sleep(0.1)


def test_a_digest_job_killed_halfway_mails_each_person_once(private_workers, settings):
    page = make_page(title="Wells")
    readers = [make_user(username=f"reader{number}") for number in range(3)]
    for reader in readers:
        follow(reader, "page", page.pk)
    change_record(
        kind="page", key=page.pk, actor=make_user(), title="Wells", url="/w/", verb="edit"
    )
    worker_env = {
        "JOBS_LEASE_SECONDS": str(LEASE_SECONDS),
        "JOBS_REQUEUE_AFTER_SECONDS": "1",
        "NOTIFICATIONS_SETTLE_SECONDS": "0",
        # The console backend writes each mail to the worker's log.
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    }
    settings.CELERY_TASK_DEFAULT_QUEUE = private_workers.queue
    doomed = private_workers(JOBS_TEST_PAUSE_SECONDS="120", **worker_env)

    digests_period_enqueue(period="daily")
    _wait_for(
        lambda: "paused at its checkpoint" in doomed.log(),
        120,
        "the digest job did not reach its checkpoint",
        doomed,
    )
    doomed.process.kill()  # SIGKILL: every digest written, the transaction not committed
    doomed.process.wait(timeout=10)
    assert not Digest.objects.exists()

    rescuer = private_workers(**worker_env)
    _wait_for(
        lambda: (
            not Job.objects.filter(
                kind=DIGEST_JOB, state="running", lease_until__gt=timezone.now()
            ).exists()
        ),
        LEASE_SECONDS + 5,
        "the dead worker's lease did not run out",
    )
    jobs_sweep_task.apply_async(queue=private_workers.queue)  # what beat sends every minute
    _wait_for(
        lambda: Digest.objects.filter(sent_at__isnull=False).count() == len(readers),
        60,
        "the digests were not sent",
        rescuer,
    )

    build = Job.objects.get(kind=DIGEST_JOB)
    assert (build.state, build.attempts, build.interruptions) == ("done", 2, 1)
    assert build.result["digests"] == len(readers)
    for reader in readers:
        assert rescuer.log().count(f"To: {reader.email}") == 1
        assert f"To: {reader.email}" not in doomed.log()
    digests_period_enqueue(period="daily")  # and once more: nothing left to tell
    _wait_for(
        lambda: not Job.objects.filter(kind=DIGEST_JOB).exclude(state="done").exists(),
        30,
        "the second run did not finish",
        rescuer,
    )
    assert Digest.objects.count() == len(readers)
