"""Reading jobs: the latest for a key, and how to say its state to a person."""

from django.utils.translation import gettext as _

from wikispiral.jobs.models import Job


def job_latest(*, key: str) -> Job | None:
    """The most recent job for key (waiting or running first), or None."""
    jobs = Job.objects.filter(key=key)
    active = jobs.filter(state__in=[Job.State.WAITING, Job.State.RUNNING]).order_by("-pk").first()
    return active or jobs.order_by("-pk").first()


def job_retry_note(*, key: str) -> str:
    """What a page adds beside its own object's status while its job waits to run again
    ("Interrupted, starting again", "Waiting to try again"); "" otherwise."""
    job = job_latest(key=key)
    if job is None or job.state != Job.State.WAITING or not job.attempts:
        return ""
    return job_state_label(job)


def job_state_label(job: Job) -> str:
    """ "Waiting", "Running", "Interrupted, starting again", "Failed: <reason>", "Done"."""
    if job.state == Job.State.WAITING and job.interruptions:
        return _("Interrupted, starting again")
    if job.state == Job.State.WAITING and job.attempts:
        return _("Waiting to try again")
    if job.state == Job.State.FAILED:
        return _("Failed: %(reason)s") % {"reason": job.message or _("no reason given")}
    return str(Job.State(job.state).label)
