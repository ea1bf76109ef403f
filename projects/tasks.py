"""Thin Celery wrappers around projects.summaries (primitives only)."""

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from projects import summaries

_TRANSIENT = {"autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 5}


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300, **_TRANSIENT)
def summaries_recompute_task(force: bool = False) -> int:
    """Recompute the summaries if the project changed. Safe twice: the second finds nothing."""
    return summaries.summaries_recompute(force=force)


@shared_task(acks_late=True, time_limit=60)
def summaries_sweep_task() -> bool:
    """Every minute: a change older than the delay with no job on it (lost with the broker, or
    its worker died) gets one."""
    since = summaries.summaries_stale_since()
    delay = settings.PROJECT_SUMMARIES_DELAY_SECONDS
    if since is not None and (timezone.now() - since).total_seconds() > 2 * delay + 30:
        summaries_recompute_task.delay()
        return True
    return False


@shared_task(acks_late=True, time_limit=120)
def workshop_reminders_task() -> int:
    """Every quarter of an hour: reminders of the workshops starting within a day."""
    from projects.services import workshop_reminders_send

    return workshop_reminders_send()
