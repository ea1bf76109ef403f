"""The project's durable jobs: recomputing the summaries."""

from django.conf import settings
from django.utils import timezone

from projects import summaries
from wikispiral.jobs.models import Job
from wikispiral.jobs.services import JobRun, job_kind


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
