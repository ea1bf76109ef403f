"""The project's durable jobs: recomputing the summaries, deciding the charters whose vote is
over."""

import datetime

from django.conf import settings
from django.utils import timezone

from projects import summaries
from projects.services import charters_close_due, charters_due
from wikispiral.jobs.models import Job
from wikispiral.jobs.services import JobRun, job_enqueue, job_kind


def _summaries_orphans() -> list[dict]:
    # A change older than the delay with no job on it (one that gave up, or from before).
    since = summaries.summaries_stale_since()
    delay = settings.PROJECT_SUMMARIES_DELAY_SECONDS
    if since is not None and (timezone.now() - since).total_seconds() > 2 * delay + 30:
        return [{"key": summaries.SUMMARIES_KEY, "args": {"force": False}}]
    return []


@job_kind(
    "projects.summaries",
    orphans=_summaries_orphans,
    max_attempts=5,
    time_limit=300,
    exclusive=True,
)
def summaries_recompute_job(job: Job, run: JobRun) -> dict:
    """Recompute the summaries if the project changed (every one with force)."""
    run.checkpoint()
    return {"written": summaries.summaries_recompute(force=job.args.get("force", False))}


CHARTERS_KEY = "projects.charters_close"
# A vote just over waits this long for the first read of its page to decide it; then the
# once-a-minute sweep gives it this job.
CHARTERS_GRACE_SECONDS = 60


def _charters_orphans() -> list[dict]:
    grace = timezone.now() - datetime.timedelta(seconds=CHARTERS_GRACE_SECONDS)
    if charters_due(now=grace):
        return [{"key": CHARTERS_KEY, "args": {}}]
    return []


def charters_close_enqueue() -> None:
    """A durable job decides every charter whose vote is over (nightly, besides the sweep)."""
    job_enqueue(kind="projects.charters_close", key=CHARTERS_KEY)


@job_kind(
    "projects.charters_close",
    orphans=_charters_orphans,
    max_attempts=5,
    time_limit=120,
    exclusive=True,
)
def charters_close_job(job: Job, run: JobRun) -> dict:
    """Decide the outcome of every charter whose vote is over (safe twice: one decided is left
    as it is)."""
    run.checkpoint()
    return {"closed": charters_close_due()}
