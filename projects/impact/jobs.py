"""The impact reports' durable job: drawing one report (projects.impact.services). Its
callbacks let a killed worker, a job given up on or a lost message lose nothing: reset puts a
report whose run died back to waiting, failed marks it failed, revive queues a failed one again
when an operator retries its job, and orphans gives a job to any report waiting without one."""

from django.utils.translation import gettext as _

from projects.impact import services
from projects.models import ImpactReport
from wikispiral.errors import DomainError
from wikispiral.jobs.models import Job
from wikispiral.jobs.services import JobRun, job_kind


def _reset(job: Job) -> None:
    services.impact_report_requeue(report_id=job.args["report_id"])


def _failed(job: Job, message: str) -> None:
    services.impact_report_give_up(report_id=job.args["report_id"])


def _revive(job: Job) -> None:
    services.impact_report_revive(report_id=job.args["report_id"])


def _orphans() -> list[dict]:
    return [
        {
            "key": services.impact_report_job_key(pk),
            "args": {"report_id": pk, "tenant_id": tenant_id},
            "tenant_id": tenant_id,
        }
        for pk, tenant_id in services.impact_reports_in_progress()
    ]


@job_kind(
    services.JOB_KIND,
    reset=_reset,
    failed=_failed,
    revive=_revive,
    orphans=_orphans,
    max_attempts=3,
    time_limit=services.TIME_LIMIT,
)
def impact_report_job(job: Job, run: JobRun) -> dict:
    """Draw one impact report; a report that failed fails the job with its message."""
    report = services.impact_report_render(
        report_id=job.args["report_id"], checkpoint=run.checkpoint
    )
    if report is not None and report.status == ImpactReport.Status.FAILED:
        # Reports store their messages untranslated (gettext_noop): the job's is translated.
        raise DomainError(_(report.message))
    return {"status": report.status if report is not None else "skipped"}
