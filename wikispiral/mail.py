"""Templated email in the recipient's language, sent by a durable job once the current
transaction commits.

Sending after commit means a refused or rolled-back change never mails anyone; a failed SMTP
conversation is tried again by the job (wikispiral.jobs.mail), never raised into the request,
because the change it announces is already saved.
"""

import smtplib
import uuid

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

# What a failed SMTP conversation raises; anything else is a bug and should surface.
MAIL_ERRORS = (OSError, smtplib.SMTPException)


def language_or_default(language: str | None) -> str:
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def absolute_url(path: str) -> str:
    """An absolute link for an email, built from SITE_URL, never from the request's Host."""
    return settings.SITE_URL.rstrip("/") + path


def mail_send_on_commit(
    *,
    to: str,
    template: str,
    context: dict,
    language: str | None,
    headers: dict[str, str] | None = None,
    key: str | None = None,
) -> None:
    """Render <template>_subject.txt and <template>.txt in language now, and record a durable
    job that sends it once the current transaction commits (a rolled-back change mails nobody;
    an SMTP server that is away is tried again by the job, not lost). headers are added to
    the message ("Reply-To", "List-Unsubscribe"...); key, when given, names the job so the
    same mail asked for twice is recorded once."""
    from wikispiral.jobs.services import job_enqueue

    language = language_or_default(language)
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}.txt", context)
    job_enqueue(
        kind="mail.send",
        key=key or f"mail:{uuid.uuid4().hex}",
        args={
            "to": [to],
            "subject": subject,
            "body": body,
            "template": template,
            "headers": dict(headers or {}),
        },
        language=language,
    )
