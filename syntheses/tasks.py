"""Thin Celery wrappers around syntheses.services (ids and primitives only)."""

import logging

from celery import shared_task
from django.db import OperationalError

from syntheses import services

logger = logging.getLogger(__name__)

_TRANSIENT = {"autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 5}


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300, **_TRANSIENT)
def syntheses_recompute_pending_task() -> int:
    """Recompute what is pending. Safe twice: a second job finds the scopes claimed or done."""
    written = services.syntheses_recompute_pending()
    if written and services.syntheses_sweep():
        # Marked again while this job ran: one more job, after this one.
        syntheses_recompute_pending_task.apply_async(countdown=1)
    return written


@shared_task(acks_late=True, soft_time_limit=1500, time_limit=1800, **_TRANSIENT)
def syntheses_recompute_all_task(force: bool = False) -> int:
    """Nightly: every scope checked against the criteria, those that differ (all with force)
    recomputed, in one transaction. Returns how many were recomputed."""
    return services.syntheses_recompute_all(force=force).recomputed


@shared_task(acks_late=True, time_limit=60)
def syntheses_sweep_task() -> bool:
    """Every minute: enqueue a job for scopes nobody is computing (the database, not the broker,
    holds what is pending, so a lost task or a flushed Redis loses nothing)."""
    if services.syntheses_sweep():
        syntheses_recompute_pending_task.delay()
        return True
    return False


# The worker imports each app's `tasks` module only: the report tasks register with it here.
from syntheses.report_tasks import report_render_task, reports_sweep_task  # noqa: E402, F401
