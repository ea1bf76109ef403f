"""Thin Celery wrappers for what beat sends (primitives only); the summaries themselves are
recomputed by a durable job (projects/jobs.py)."""

from celery import shared_task

from projects import summaries


@shared_task(acks_late=True, time_limit=60)
def summaries_nightly_task() -> None:
    """Nightly, whatever changed: workshops held since count in their quarter's review; and
    the charters whose vote is over are decided (the sweep does it within minutes too)."""
    summaries.summaries_recompute_enqueue(force=True)
    from projects.jobs import charters_close_enqueue

    charters_close_enqueue()


@shared_task(acks_late=True, time_limit=120)
def workshop_reminders_task() -> int:
    """Every quarter of an hour: reminders of the workshops starting within a day."""
    from projects.services import workshop_reminders_send

    return workshop_reminders_send()


@shared_task(acks_late=True, time_limit=60)
def evaluations_nightly_task() -> None:
    """Nightly: a durable job recomputes every evaluation roll-up."""
    from projects.evaluations.jobs import evaluations_recompute_all_enqueue

    evaluations_recompute_all_enqueue()
