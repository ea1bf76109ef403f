"""The evaluations' durable jobs: rolling up what is pending, and the nightly recomputation of
every scope (beat's evaluations_nightly_task; also the evaluations_recompute command)."""

from projects.evaluations import rollup
from wikispiral.jobs.models import Job
from wikispiral.jobs.services import JobRun, job_enqueue, job_kind


def _recompute_reset(job: Job) -> None:
    if job.claimed_at is not None:
        rollup.evaluations_claims_release(since=job.claimed_at)


def _recompute_orphans() -> list[dict]:
    return [{"key": rollup.RECOMPUTE_KEY}] if rollup.evaluations_sweep() else []


@job_kind(
    rollup.RECOMPUTE_KIND,
    reset=_recompute_reset,
    orphans=_recompute_orphans,
    max_attempts=5,
    time_limit=300,
    exclusive=True,
)
def evaluations_recompute_job(job: Job, run: JobRun) -> dict:
    """Recompute the pending scopes; scopes marked while it ran get the next job."""
    written = rollup.evaluations_recompute_pending(checkpoint=run.checkpoint, confirm=run.confirm)
    if written and rollup.evaluations_sweep():
        rollup.evaluations_recompute_enqueue()
    return {"written": written}


RECOMPUTE_ALL_KIND = "evaluations.recompute_all"


def evaluations_recompute_all_enqueue() -> None:
    """A durable job recomputes every scope (nightly: a lost mark is put right by morning)."""
    job_enqueue(kind=RECOMPUTE_ALL_KIND, key=RECOMPUTE_ALL_KIND)


@job_kind(RECOMPUTE_ALL_KIND, max_attempts=3, time_limit=1800, exclusive=True)
def evaluations_recompute_all_job(job: Job, run: JobRun) -> dict:
    """Every scope recomputed from the placements; snapshots whose figures are the same stay."""
    run.checkpoint()
    return {"written": rollup.evaluations_recompute_all()}
