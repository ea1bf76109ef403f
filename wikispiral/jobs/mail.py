"""Mail that matters (invitations, approvals, account links) as durable jobs: rendered in the
recipient's language when asked, sent by a worker, tried again when the SMTP server is away."""

import smtplib

from django.core.mail import EmailMessage
from django.utils.translation import gettext as _

from wikispiral.errors import DomainError
from wikispiral.jobs.models import Job
from wikispiral.jobs.services import JobRun, job_kind
from wikispiral.mail import MAIL_ERRORS


# The body carries links with their tokens (invitations): forgotten once sent (sensitive).
@job_kind("mail.send", max_attempts=5, time_limit=60, transient=MAIL_ERRORS, sensitive=True)
def mail_send_job(job: Job, run: JobRun) -> dict:
    """Send the message recorded in the job. At least once: a worker killed between the SMTP
    conversation and the job's record sends it again. A server that refuses the message for
    good (5xx, every recipient refused) fails it at once; one that is away is tried again."""
    run.checkpoint()
    message = EmailMessage(
        subject=job.args["subject"],
        body=job.args["body"],
        to=job.args["to"],
        headers=job.args.get("headers") or None,
    )
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as refused:
        raise DomainError(
            _("The mail server refused the address %(address)s.")
            % {"address": ", ".join(refused.recipients)}
        ) from refused
    except smtplib.SMTPResponseException as error:
        if error.smtp_code < 500:
            raise
        raise DomainError(
            _("The mail server refused the message (%(code)s).") % {"code": error.smtp_code}
        ) from error
    return {"to": len(job.args["to"])}
