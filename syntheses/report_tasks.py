"""Celery wrappers around syntheses.reports (ids only): drawing a report, and the sweep that
gives a job to reports whose message or worker was lost (the database, not the broker, records
what is waiting)."""

import logging

from celery import shared_task
from django.db import OperationalError

from syntheses import reports

logger = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    soft_time_limit=reports.SOFT_TIME_LIMIT,
    time_limit=reports.TIME_LIMIT,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def report_render_task(report_id: int) -> str:
    """Draw one report. Safe twice: the second run finds it claimed or done and does nothing.
    Only a transient database error is retried; any other failure marks the report failed."""
    report = reports.report_render(report_id=report_id)
    return report.status if report is not None else "skipped"


@shared_task(acks_late=True, time_limit=60)
def reports_sweep_task() -> int:
    """Every minute: enqueue again the reports nobody is drawing."""
    stale = reports.reports_sweep()
    for report_id in stale:
        report_render_task.delay(report_id)
    if stale:
        logger.info("Reports enqueued again: %s", stale)
    return len(stale)
