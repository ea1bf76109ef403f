"""Thin Celery wrappers around syntheses.services: what beat sends at night. The work itself
runs as durable jobs (syntheses/jobs.py)."""

from celery import shared_task

from syntheses import services


@shared_task(acks_late=True, time_limit=60)
def syntheses_nightly_task(force: bool = False) -> None:
    """Nightly: a job checks every scope against the criteria and recomputes what differs."""
    services.syntheses_recompute_all_enqueue(force=force)
