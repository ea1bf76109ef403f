"""The events' durable job: the reminders mailed a day before each session.

Beat asks for it every quarter of an hour (territories/events/tasks.py); besides, the jobs
sweep starts it (`orphans`) whenever a reminder is due and no job is on it, so a lost message
or a worker that died delays reminders by a minute, never skips them. One run at a time
(exclusive); each reminder is claimed before it is mailed, so a second run sends nothing twice.
"""

from territories.events import reports
from wikispiral.jobs.models import Job
from wikispiral.jobs.services import JobRun, job_kind


def _reminders_orphans() -> list[dict]:
    return [{"key": reports.REMINDERS_KEY}] if reports.reminders_due() else []


@job_kind(
    reports.REMINDERS_KEY,
    orphans=_reminders_orphans,
    max_attempts=3,
    time_limit=300,
    exclusive=True,
)
def event_reminders_job(job: Job, run: JobRun) -> dict:
    """Mail the reminders due; returns how many were sent."""
    run.checkpoint()
    return {"sent": reports.reminders_send()}
