"""Mail that matters (invitations, approvals, account links) as durable jobs: rendered in the
recipient's language when asked, sent by a worker, tried again when the SMTP server is away."""

from django.core.mail import EmailMessage

from wikispiral.jobs.models import Job
from wikispiral.jobs.services import JobRun, job_kind
from wikispiral.mail import MAIL_ERRORS


@job_kind("mail.send", max_attempts=5, time_limit=60, transient=MAIL_ERRORS)
def mail_send_job(job: Job, run: JobRun) -> dict:
    """Send the message recorded in the job. At least once: a worker killed between the SMTP
    conversation and the job's record sends it again."""
    run.checkpoint()
    message = EmailMessage(subject=job.args["subject"], body=job.args["body"], to=job.args["to"])
    message.send()
    return {"to": len(job.args["to"])}
