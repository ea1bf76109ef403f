"""The move-in's durable job: one per run, started again after a dying worker (every step of
the run is idempotent, so a second start finishes what the first began)."""

from django.db.models import QuerySet

from wikispiral.jobs.models import Job
from wikispiral.jobs.services import JobRun, job_kind
from wikispiral.movein.models import MoveIn
from wikispiral.movein.run import movein_run
from wikispiral.movein.services import JOB_KIND, movein_revive

Status = MoveIn.Status


def _runs(job: Job) -> QuerySet[MoveIn]:
    return MoveIn.objects.filter(pk=job.args["move_in"])


def _reset(job: Job) -> None:
    _runs(job).filter(status=Status.RUNNING).update(status=Status.QUEUED)


def _failed(job: Job, message: str) -> None:
    _runs(job).filter(status__in=[Status.QUEUED, Status.RUNNING]).update(
        status=Status.FAILED, message=message
    )


def _revive(job: Job) -> None:
    movein_revive(move=_runs(job).get())


def _orphans() -> list[dict]:
    waiting = MoveIn.objects.filter(
        status__in=[Status.QUEUED, Status.RUNNING], origin=MoveIn.Origin.PAGE
    )
    return [
        {"key": f"{JOB_KIND}:{pk}", "args": {"move_in": pk}}
        for pk in waiting.values_list("pk", flat=True)[:100]
    ]


@job_kind(
    JOB_KIND,
    reset=_reset,
    failed=_failed,
    revive=_revive,
    orphans=_orphans,
    max_attempts=3,
    time_limit=4 * 3600,
)
def movein_job(job: Job, run: JobRun) -> dict:
    """Run one waiting move-in; a run already done (a second message) does nothing."""
    move = _runs(job).select_related("created_by").first()
    if move is None:
        return {}
    report = movein_run(move=move, run=run)
    if report is None:
        return {}
    return {"errors": report.errors, "warnings": report.warnings}
