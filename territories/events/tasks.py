"""The thin Celery task beat sends for the events (primitives only): the reminders themselves
are sent by a durable job (territories/events/jobs.py). Imported from TerritoriesConfig.ready(),
since Celery's autodiscovery looks at territories/tasks.py only."""

from celery import shared_task

from territories.events import reports


@shared_task(acks_late=True, time_limit=60)
def event_reminders_task() -> None:
    """Every quarter of an hour: a job mails the reminders of sessions starting within a day."""
    reports.reminders_enqueue()
