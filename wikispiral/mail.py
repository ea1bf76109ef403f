"""Templated email in the recipient's language, sent once the current transaction commits.

Sending after commit means a refused or rolled-back change never mails anyone; a failed SMTP
conversation is logged, not raised, because the change it announces is already saved.
"""

import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)

# What a failed SMTP conversation raises; anything else is a bug and should surface.
MAIL_ERRORS = (OSError, smtplib.SMTPException)


def language_or_default(language: str | None) -> str:
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def absolute_url(path: str) -> str:
    """An absolute link for an email, built from SITE_URL, never from the request's Host."""
    return settings.SITE_URL.rstrip("/") + path


def mail_send_on_commit(*, to: str, template: str, context: dict, language: str | None) -> None:
    """Render <template>_subject.txt and <template>.txt in language; send after commit."""
    with translation.override(language_or_default(language)):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}.txt", context)

    def send() -> None:
        try:
            send_mail(subject=subject, message=body, from_email=None, recipient_list=[to])
        except MAIL_ERRORS:
            logger.exception("Could not send %s to %s", template, to)

    transaction.on_commit(send)
