"""The notifications' durable jobs: building the digests of a period, the immediate digests a
little after a change, and sending the digests built."""

import datetime

from django.conf import settings
from django.utils import timezone

from wikispiral.jobs.models import Job
from wikispiral.jobs.services import JobRun, job_enqueue, job_kind, jobs_inline
from wikispiral.mail import MAIL_ERRORS
from wikispiral.notifications import digests
from wikispiral.notifications.services import IMMEDIATE_JOB

DIGEST_JOB = "notifications.digest"


def digest_job_key(period: str, now: datetime.datetime | None = None) -> str:
    """One job per period and day (daily) or week (weekly): beat asking twice while it waits
    starts one."""
    moment = now or timezone.now()
    stamp = moment.strftime("%G-W%V") if period == "weekly" else moment.strftime("%Y-%m-%d")
    return f"{DIGEST_JOB}:{period}:{stamp}"


def digests_period_enqueue(*, period: str) -> None:
    """Start the digests of a period (beat, through notifications.tasks)."""
    if period not in ("daily", "weekly"):
        raise ValueError(period)
    job_enqueue(kind=DIGEST_JOB, key=digest_job_key(period), args={"period": period})


# Exclusive: two builds never run side by side (each would see the other's people as waiting
# until it commits); its writes are one transaction that checks the claim last.
@job_kind(DIGEST_JOB, max_attempts=3, time_limit=1800, exclusive=True)
def digests_build_job(job: Job, run: JobRun) -> dict:
    """Build the digests of one period (args period) for everyone, then forget old rows."""

    def before_commit() -> None:
        # Tests kill the worker here: every digest written, nothing committed yet.
        run.checkpoint()
        run.confirm()

    built = digests.digests_build(period=job.args["period"], before_commit=before_commit)
    forgotten = digests.notifications_forget()
    return {"readers": built.readers, "digests": built.digests, "forgotten": list(forgotten)}


def _immediate_orphans() -> list[dict]:
    return [{"key": IMMEDIATE_JOB}] if digests.immediate_waiting() else []


@job_kind(IMMEDIATE_JOB, max_attempts=3, time_limit=600, exclusive=True, orphans=_immediate_orphans)
def digests_immediate_job(job: Job, run: JobRun) -> dict:
    """The immediate digests: everything waiting for the people who want them at once. What
    arrived after its cut-off gets another job a little later."""
    built = digests.digests_build(period="immediate", before_commit=run.confirm)
    # Inline (no broker) the next job would run at once and find the same unsettled changes:
    # the sweep's orphans callback picks them up instead.
    if not jobs_inline() and digests.immediate_waiting(cutoff=timezone.now()):
        job_enqueue(
            kind=IMMEDIATE_JOB,
            key=IMMEDIATE_JOB,
            delay=settings.NOTIFICATIONS_IMMEDIATE_DELAY_SECONDS,
        )
    return {"readers": built.readers, "digests": built.digests}


def _send_orphans() -> list[dict]:
    return [{"key": digests.SEND_JOB}] if digests.digests_waiting() else []


# The bodies hold unsubscribe links but no secret beyond them, and they stay in their Digest
# rows: the job's own arguments are empty.
@job_kind(
    digests.SEND_JOB,
    max_attempts=5,
    time_limit=1800,
    exclusive=True,
    transient=MAIL_ERRORS,
    orphans=_send_orphans,
)
def digests_send_job(job: Job, run: JobRun) -> dict:
    """Send the digests waiting (at least once each)."""
    return {"sent": digests.digests_send(checkpoint=run.checkpoint, progress=run.progress)}
