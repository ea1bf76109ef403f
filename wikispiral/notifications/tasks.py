"""Thin Celery wrapper for what beat sends: the digests themselves are durable jobs
(wikispiral/notifications/jobs.py)."""

from celery import shared_task


@shared_task(acks_late=True, time_limit=60)
def digests_period_task(period: str) -> None:
    """Daily and weekly: a durable job builds the digests of the period for everyone."""
    from wikispiral.notifications.jobs import digests_period_enqueue

    digests_period_enqueue(period=period)
