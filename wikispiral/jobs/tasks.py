"""The two Celery tasks of the job engine: run one job, and the sweep beat sends every minute."""

from celery import Task, shared_task

from wikispiral.jobs import services


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def jobs_run_task(self: Task[[int], str], job_id: int) -> str:
    """Run one recorded job (time limits come with each message, from the job's kind). Safe
    twice: a job already claimed or finished is skipped."""
    return services.job_run(
        job_id=job_id, worker=self.request.hostname or "", heartbeat=not self.request.is_eager
    )


@shared_task(acks_late=True, time_limit=60)
def jobs_sweep_task() -> dict:
    """Every minute: take back what dead workers left, send again what nobody claimed."""
    swept = services.jobs_sweep()
    return {
        "sent_again": len(swept.sent_again),
        "taken_back": len(swept.taken_back),
        "given_up": len(swept.given_up),
        "adopted": len(swept.adopted),
    }
