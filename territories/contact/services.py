"""Writes for the contact forms: a message to the secretariat or to a platform's facilitators,
stored, then mailed to each recipient in her language; and its status in the inbox.

The recipients' addresses never reach the sender, and the sender is never mailed: a form that
mails an address anyone types would make the site a relay for spam. Each recipient's mail
carries the sender's address as Reply-To, so answering is replying.
"""

import re
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from territories.applications.selectors import secretariat_recipients
from territories.contact.selectors import facilitator_recipients
from territories.models import ContactMessage, CoordinationGroup
from wikispiral.accounts.models import User
from wikispiral.audit.services import audit_record
from wikispiral.errors import DomainError
from wikispiral.mail import absolute_url, language_or_default, mail_send_on_commit
from wikispiral.text import invisibles_strip, line_clean, newlines_normalise

NAME_MAX_LENGTH = 150
EMAIL_MAX_LENGTH = 254
SUBJECT_MAX_LENGTH = 200
BODY_MAX_LENGTH = 5_000
# Spam is mostly links: more than this many in the subject and the message together is refused.
LINKS_MAX = 3
# A message whose text, links taken out, holds fewer letters and digits than this says nothing
# but its links.
WORDS_BESIDE_LINKS_MIN = 15

# What readers (and mail programs) turn into a link: a scheme, "www.", or the BBCode and HTML
# forms of one (whose address holds a scheme anyway).
_LINK = re.compile(r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.)\S+", re.IGNORECASE)
_WORD_CHARACTER = re.compile(r"[^\W_]")

TEMPLATE = "contact/email/message"


class ContactError(DomainError):
    """A message the form must refuse (HTTP 400); nothing was saved or mailed."""

    status = 400


@dataclass(frozen=True)
class ContactDetails:
    """What the sender writes, checked by the form, re-checked here."""

    name: str
    email: str
    subject: str
    body: str
    language: str


def _normalised(details: ContactDetails) -> ContactDetails:
    """Texts as stored. Name and subject are one line without invisible characters: they go
    into a mail's subject and the inbox, where a line end would start a new header line and a
    bidi override makes a name pose as another."""
    return replace(
        details,
        name=line_clean(details.name),
        email=details.email.strip(),
        subject=line_clean(details.subject),
        body=invisibles_strip(newlines_normalise(details.body)).strip(),
        language=language_or_default(details.language),
    )


def links_problem(*, subject: str, body: str) -> tuple[str, str] | None:
    """Why a message is refused for its links, with the field to show it on, or None: more
    than LINKS_MAX links, or a message that is links and next to nothing else."""
    in_subject = len(_LINK.findall(subject))
    if in_subject + len(_LINK.findall(body)) > LINKS_MAX:
        problem = _("Your message holds too many links: %(limit)d at most, please.") % {
            "limit": LINKS_MAX
        }
        return ("subject" if in_subject > LINKS_MAX else "body"), problem
    beside_links = _WORD_CHARACTER.findall(_LINK.sub(" ", body))
    if _LINK.search(body) and len(beside_links) < WORDS_BESIDE_LINKS_MIN:
        return "body", _("Please write your message in words, not only as links.")
    return None


def _check(details: ContactDetails) -> None:
    required = (
        ("name", _("Please give your name.")),
        ("email", _("Please give your email address: the answer goes there.")),
        ("subject", _("Please give your message a subject.")),
        ("body", _("Please write your message.")),
    )
    for field, message in required:
        if not getattr(details, field):
            raise ContactError(message, field)
    limits = (
        ("name", NAME_MAX_LENGTH),
        ("email", EMAIL_MAX_LENGTH),
        ("subject", SUBJECT_MAX_LENGTH),
        ("body", BODY_MAX_LENGTH),
    )
    for field, limit in limits:
        if len(getattr(details, field)) > limit:
            raise ContactError(
                _("At most %(limit)s characters, please.")
                % {"limit": formats.number_format(limit, force_grouping=True)},
                field,
            )
    try:
        validate_email(details.email)
    except ValidationError as error:
        raise ContactError(_("Enter a valid email address."), "email") from error
    problem = links_problem(subject=details.subject, body=details.body)
    if problem:
        field, message = problem
        raise ContactError(message, field)


def _message_url(message: ContactMessage, tenant: CoordinationGroup | None) -> str:
    if tenant is None:
        return absolute_url(reverse("contact:message", kwargs={"pk": message.pk}))
    return absolute_url(
        reverse("contact:group_message", kwargs={"cg": tenant.slug, "message": message.pk})
    )


def _mail_recipients(message: ContactMessage, tenant: CoordinationGroup | None) -> int:
    """Queue one mail per recipient, in her language; return how many were queued.

    A platform with no facilitator to mail (none yet, or none with an address) has its
    messages sent to the secretariat instead, so that nobody writes into a void."""
    recipients = list(
        secretariat_recipients() if tenant is None else facilitator_recipients(tenant=tenant)
    )
    no_facilitator = tenant is not None and not recipients
    if no_facilitator:
        recipients = list(secretariat_recipients())
    url = _message_url(message, tenant)
    for recipient in recipients:
        mail_send_on_commit(
            to=recipient.email,
            template=TEMPLATE,
            context={
                "message": message,
                "group": tenant,
                "recipient": recipient,
                "message_url": url,
                "no_facilitator": no_facilitator,
            },
            language=recipient.preferred_language,
            headers={"Reply-To": message.sender_email},
            key=f"contact:{message.pk}:{recipient.pk}",
        )
    return len(recipients)


@transaction.atomic
def contact_message_send(
    *, tenant: CoordinationGroup | None, details: ContactDetails, sender: User | None
) -> ContactMessage:
    """Store a message to tenant's facilitators (None: to the secretariat) and queue its mails
    (sent after commit); mailed_at is set when at least one was queued. Raise ContactError,
    having saved and mailed nothing, when the message is refused."""
    details = _normalised(details)
    _check(details)
    if tenant is not None and tenant.is_hidden:
        raise ContactError(_("This platform cannot be written to."))
    message = ContactMessage(
        tenant=tenant,
        sender_name=details.name,
        sender_email=details.email,
        sender_language=details.language,
        sender=sender if sender is not None and sender.is_authenticated else None,
        subject=details.subject,
        body=details.body,
    )
    message.save()
    if _mail_recipients(message, tenant):
        message.mailed_at = timezone.now()
        message.save(update_fields=["mailed_at"])
    return message


@transaction.atomic
def contact_message_status_set(
    *, tenant: CoordinationGroup | None, message: ContactMessage, actor: User, status: str
) -> bool:
    """Mark message new, answered or closed in tenant's inbox (None: the secretariat's);
    return whether it changed. Audited."""
    if status not in ContactMessage.Status.values:
        raise ContactError(_("Unknown status."), "status")
    if message.tenant_id != (tenant.pk if tenant is not None else None):
        raise ContactError(_("Not found."))
    if message.status == status:
        return False
    previous = message.status
    message.status = status
    message.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="territories.contact.status_changed",
        target=message,
        tenant_id=tenant.pk if tenant is not None else None,
        previous=previous,
        status=status,
    )
    return True
