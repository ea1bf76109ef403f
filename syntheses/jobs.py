"""The syntheses' durable jobs: recomputing what is pending, the nightly check of every scope,
drawing PDF reports, and starting the current reports of the network, continents and
countries."""

from django.utils.translation import gettext as _

from syntheses import reports, services
from syntheses.models import Report
from wikispiral.errors import DomainError
from wikispiral.jobs.models import Job
from wikispiral.jobs.services import JobRun, job_kind


def _recompute_reset(job: Job) -> None:
    if job.claimed_at is not None:
        services.syntheses_claims_release(since=job.claimed_at)


def _recompute_orphans() -> list[dict]:
    return [{"key": services.RECOMPUTE_KEY}] if services.syntheses_sweep() else []


@job_kind(
    "syntheses.recompute",
    reset=_recompute_reset,
    orphans=_recompute_orphans,
    max_attempts=5,
    time_limit=300,
    exclusive=True,
)
def syntheses_recompute_job(job: Job, run: JobRun) -> dict:
    """Recompute the pending scopes; scopes marked while it ran get the next job."""
    written = services.syntheses_recompute_pending(checkpoint=run.checkpoint)
    if written and services.syntheses_sweep():
        services.syntheses_recompute_enqueue()
    return {"written": written}


@job_kind("syntheses.recompute_all", max_attempts=3, time_limit=1800, exclusive=True)
def syntheses_recompute_all_job(job: Job, run: JobRun) -> dict:
    """Every scope checked against the criteria; those that differ recomputed."""
    run.checkpoint()
    return {
        "recomputed": services.syntheses_recompute_all(
            force=job.args.get("force", False)
        ).recomputed
    }


def _report_reset(job: Job) -> None:
    reports.report_requeue(report_id=job.args["report_id"])


def _report_failed(job: Job, message: str) -> None:
    reports.report_give_up(report_id=job.args["report_id"])


def _report_revive(job: Job) -> None:
    reports.report_revive(report_id=job.args["report_id"])


def _report_orphans() -> list[dict]:
    return [
        {"key": reports.report_job_key(pk), "args": {"report_id": pk}}
        for pk in reports.reports_in_progress_ids()
    ]


@job_kind(
    "syntheses.report",
    reset=_report_reset,
    failed=_report_failed,
    revive=_report_revive,
    orphans=_report_orphans,
    max_attempts=3,
    time_limit=reports.TIME_LIMIT,
)
def report_render_job(job: Job, run: JobRun) -> dict:
    """Draw one report; a report that failed fails the job with its message."""
    report = reports.report_render(report_id=job.args["report_id"], checkpoint=run.checkpoint)
    if report is not None and report.status == Report.Status.FAILED:
        # Reports store their messages untranslated (gettext_noop): the job's is translated.
        raise DomainError(_(report.message))
    return {"status": report.status if report is not None else "skipped"}


@job_kind(reports.CURRENT_KIND, max_attempts=3, time_limit=60)
def current_report_job(job: Job, run: JobRun) -> dict:
    """Start the current report of a scope whose figures changed (waiting until its time,
    reports.current_reports_schedule); a "syntheses.report" job draws it."""
    report = reports.current_report_start(
        scope=job.args["scope"], scope_id=int(job.args["scope_id"]), reschedule=True
    )
    return {"report_id": report.pk if report is not None else None}
