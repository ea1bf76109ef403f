"""The network letter's durable job: mailing one letter to its subscribers
(territories.letters.services.letter_deliver).

Nothing to put back after an interruption: each batch commits its deliveries with its mails,
so the next run starts where the last committed batch ended. A letter left "sending" with no
job (a message lost, a job given up on) gets one from the sweep (orphans), so every letter
whose sending started ends "sent".
"""

from territories.letters import selectors, services
from wikispiral.jobs.models import Job
from wikispiral.jobs.services import JobRun, job_kind


def _orphans() -> list[dict]:
    return [
        {"key": services.letter_job_key(pk), "args": {"letter_id": pk}}
        for pk in services.letters_in_progress()
    ]


@job_kind(services.JOB_KIND, orphans=_orphans, max_attempts=5, time_limit=1800)
def letter_send_job(job: Job, run: JobRun) -> dict:
    """Mail the letter to each subscriber not mailed yet, then mark it sent."""
    total = max(1, selectors.subscribers().count())

    def after_batch(delivered: int) -> None:
        run.progress(min(99, delivered * 100 // total))
        run.checkpoint()

    delivered = services.letter_deliver(
        letter_id=job.args["letter_id"], confirm=run.confirm, after_batch=after_batch
    )
    return {"delivered": delivered}
