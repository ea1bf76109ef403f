"""Writes for applications: a territory applies, the secretariat comments, asks for changes,
approves (which opens the coordination group) or rejects; the applicant edits when asked.

Every decision locks the application row first, so two secretariat members acting at once are
served one after the other and the second sees the first one's outcome: approving twice opens
one group, and an approved application cannot be rejected afterwards.
"""

import secrets
from dataclasses import dataclass, fields, replace
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from territories.applications.selectors import secretariat_recipients
from territories.models import (
    Application,
    ApplicationComment,
    CoordinationGroup,
    Country,
    Locality,
    Membership,
    Region,
)
from territories.services import (
    TerritoryError,
    coordination_group_create,
    invitation_create,
    network_id_next,
    places_check,
)
from wikispiral.accounts.models import User
from wikispiral.audit.services import audit_record
from wikispiral.errors import DomainError
from wikispiral.mail import absolute_url, language_or_default, mail_send_on_commit
from wikispiral.text import line_clean

OPEN_STATUSES = (Application.Status.SUBMITTED, Application.Status.CHANGES_REQUESTED)


class ApplicationError(DomainError):
    """Bad input for an application (HTTP 400)."""

    status = 400


class ApplicationStateError(ApplicationError):
    """The application is not in a state that allows this (HTTP 409)."""

    status = 409


@dataclass(frozen=True)
class ApplicationDetails:
    """What the applicant writes, checked by the form, re-checked here."""

    name: str
    kind: str
    actor_type: str
    country: Country
    region: Region | None
    locality: Locality | None
    place: str
    applicant_name: str
    applicant_role: str
    applicant_email: str
    applicant_language: str
    description: str
    stakeholders: str
    motivation: str
    languages: list[str]
    consent_to_publish: bool


DETAIL_FIELDS = tuple(f.name for f in fields(ApplicationDetails))
_LINE_FIELDS = ("name", "actor_type", "place", "applicant_name", "applicant_role")
_REQUIRED = (
    "name",
    "applicant_name",
    "applicant_role",
    "applicant_email",
    "description",
    "motivation",
)


def _normalised(details: ApplicationDetails) -> ApplicationDetails:
    """Texts as stored: browsers send CRLF line ends, lists are "one per line" with LF; names
    are one line without invisible characters (a bidi override makes a name pose as another)."""
    # Names chosen at run time: to replace(), they are fields of any type.
    texts: dict[str, Any] = {
        name: line_clean(value) if name in _LINE_FIELDS else value.replace("\r\n", "\n").strip()
        for name in DETAIL_FIELDS
        if isinstance(value := getattr(details, name), str)
    }
    return replace(details, **texts)


def _check(details: ApplicationDetails) -> None:
    for name in _REQUIRED:
        if not str(getattr(details, name)).strip():
            raise ApplicationError(_("This field is required."), name)
    if details.kind not in CoordinationGroup.Kind.values:
        raise ApplicationError(_("Unknown type."), "kind")
    if details.applicant_language not in dict(settings.LANGUAGES):
        raise ApplicationError(_("Unknown language."), "applicant_language")
    if not details.languages:
        raise ApplicationError(_("Choose at least one language."), "languages")
    if not details.consent_to_publish:
        raise ApplicationError(
            _("The platform's pages are public: we need your consent."), "consent_to_publish"
        )
    try:
        places_check(country=details.country, region=details.region, locality=details.locality)
    except TerritoryError as error:
        raise ApplicationError(error.message, error.field) from error


def _lock(application: Application) -> Application:
    # No select_related: PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
    return Application.objects.select_for_update().get(pk=application.pk)


def _mail_applicant(application: Application, template: str, **context: object) -> None:
    mail_send_on_commit(
        to=application.applicant_email,
        template=f"applications/email/{template}",
        context={"application": application, **context},
        language=application.applicant_language,
    )


def _notify_secretariat(application: Application, *, resubmitted: bool) -> None:
    detail_url = absolute_url(reverse("applications:detail", kwargs={"pk": application.pk}))
    for person in secretariat_recipients():
        mail_send_on_commit(
            to=person.email,
            template="applications/email/secretariat_notice",
            context={
                "application": application,
                "resubmitted": resubmitted,
                "detail_url": detail_url,
                "recipient": person,
            },
            language=person.preferred_language,
        )


@transaction.atomic
def application_submit(*, details: ApplicationDetails, actor: User | None) -> Application:
    """Record a new application; acknowledge it to the applicant and tell the secretariat
    (both mailed after commit)."""
    details = _normalised(details)
    _check(details)
    applicant = actor if actor is not None and actor.is_authenticated else None
    application = Application.objects.create(
        **{name: getattr(details, name) for name in DETAIL_FIELDS},
        applicant=applicant,
        edit_key=secrets.token_urlsafe(32),
    )
    audit_record(
        actor=applicant,
        action="territories.application.submitted",
        target=application,
        country=details.country.code,
        kind=details.kind,
    )
    _mail_applicant(application, "acknowledgement", resubmitted=False)
    _notify_secretariat(application, resubmitted=False)
    return application


@transaction.atomic
def application_resubmit(
    *, application: Application, details: ApplicationDetails, actor: User | None
) -> Application:
    """Save the applicant's changes and put the application back in the queue; the edit link
    they used stops working."""
    details = _normalised(details)
    _check(details)
    locked = _lock(application)
    if locked.status != Application.Status.CHANGES_REQUESTED:
        raise ApplicationStateError(_("This application cannot be edited any more."))
    changed = [name for name in DETAIL_FIELDS if getattr(locked, name) != getattr(details, name)]
    for name in DETAIL_FIELDS:
        setattr(locked, name, getattr(details, name))
    locked.status = Application.Status.SUBMITTED
    locked.edit_key = secrets.token_urlsafe(32)
    locked.save(update_fields=[*DETAIL_FIELDS, "status", "edit_key", "modified_at"])
    audit_record(
        actor=actor,
        action="territories.application.resubmitted",
        target=locked,
        changed=changed,
    )
    _mail_applicant(locked, "acknowledgement", resubmitted=True)
    _notify_secretariat(locked, resubmitted=True)
    return locked


@transaction.atomic
def application_comment_add(
    *, application: Application, actor: User, body: str
) -> ApplicationComment:
    """Add an internal note of the secretariat (never mailed, never shown to the applicant)."""
    body = (body or "").strip()
    if not body:
        raise ApplicationError(_("Write a comment."), "body")
    comment = ApplicationComment.objects.create(application=application, author=actor, body=body)
    audit_record(
        actor=actor,
        action="territories.application.commented",
        target=application,
        comment_id=comment.pk,
    )
    return comment


def _decide(locked: Application, *, actor: User, status: str, message: str) -> None:
    locked.status = status
    locked.decision_message = message
    locked.decided_by = actor
    locked.decided_at = timezone.now()


@transaction.atomic
def application_request_changes(
    *, application: Application, actor: User, message: str
) -> Application:
    """Send the application back to the applicant with a message and a fresh edit link (any
    earlier link stops working)."""
    message = (message or "").strip()
    if not message:
        raise ApplicationError(_("Tell the applicant what to change."), "message")
    locked = _lock(application)
    if locked.status not in OPEN_STATUSES:
        raise ApplicationStateError(
            _("This application is already %(status)s: changes can no longer be requested.")
            % {"status": locked.get_status_display().lower()}
        )
    _decide(locked, actor=actor, status=Application.Status.CHANGES_REQUESTED, message=message)
    locked.edit_key = secrets.token_urlsafe(32)
    locked.save(
        update_fields=[
            "status",
            "decision_message",
            "decided_by",
            "decided_at",
            "edit_key",
            "modified_at",
        ]
    )
    audit_record(
        actor=actor,
        action="territories.application.changes_requested",
        target=locked,
        message=message,
    )
    edit_url = absolute_url(reverse("applications:edit", kwargs={"key": locked.edit_key}))
    _mail_applicant(locked, "changes_requested", message=message, edit_url=edit_url)
    return locked


@transaction.atomic
def application_reject(*, application: Application, actor: User, reason: str) -> Application:
    """Refuse the application, with a reason mailed to the applicant."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Give the reason for the rejection."), "reason")
    locked = _lock(application)
    if locked.status == Application.Status.APPROVED:
        raise ApplicationStateError(
            _("This application was approved and its platform is open: it cannot be rejected.")
        )
    if locked.status == Application.Status.REJECTED:
        raise ApplicationStateError(_("This application was already rejected."))
    _decide(locked, actor=actor, status=Application.Status.REJECTED, message=reason)
    locked.save(
        update_fields=["status", "decision_message", "decided_by", "decided_at", "modified_at"]
    )
    audit_record(
        actor=actor,
        action="territories.application.rejected",
        target=locked,
        message=reason,
    )
    _mail_applicant(locked, "rejected", reason=reason)
    return locked


@dataclass(frozen=True)
class Approval:
    application: Application
    group: CoordinationGroup
    created: bool  # False: it was approved before, nothing was done this time


def _facilitator_account(email: str) -> User | None:
    # Only a confirmed address: anyone can sign up with someone else's unconfirmed address, and
    # must not receive the platform that way. Others get an invitation mailed to the address.
    return (
        User.objects.filter(is_active=True, email__iexact=email, email_confirmed_at__isnull=False)
        .order_by("pk")
        .first()
    )


def _level(application: Application) -> str:
    if application.locality_id:
        return CoordinationGroup.Level.LOCALITY
    if application.region_id:
        return CoordinationGroup.Level.REGION
    return CoordinationGroup.Level.COUNTRY


@transaction.atomic
def application_approve(*, application: Application, actor: User, slug: str = "") -> Approval:
    """Open the coordination group the application asks for, once: its space and home page, its
    facilitator (the applicant's account, or an invitation mailed with the approval). It does
    not make the platform a member of the network: joining is a request of its own
    (territories.membership). Approving an approved application changes nothing."""
    locked = _lock(application)
    if locked.status == Application.Status.APPROVED and locked.coordination_group:
        return Approval(application=locked, group=locked.coordination_group, created=False)
    if locked.status not in OPEN_STATUSES:
        raise ApplicationStateError(
            _("This application is already %(status)s: it cannot be approved.")
            % {"status": locked.get_status_display().lower()}
        )
    language = language_or_default(locked.applicant_language)
    facilitator = _facilitator_account(locked.applicant_email)
    try:
        # The home page is written in the group's language, not in the secretariat's.
        with translation.override(language):
            group = coordination_group_create(
                actor=actor,
                name=locked.name,
                network_id=network_id_next(),
                country=locked.country,
                slug=slug or None,
                region=locked.region,
                locality=locked.locality,
                facilitator=facilitator,
                language=language,
                languages=locked.languages,
                kind=locked.kind,
                actor_type=locked.actor_type,
                platform_description=locked.description,
                stakeholders=locked.stakeholders,
                level=_level(locked),
                status=CoordinationGroup.Status.VALIDATED,
            )
        invitation = token = None
        if facilitator is None:
            invitation, token = invitation_create(
                group=group,
                email=locked.applicant_email,
                role=Membership.Role.FACILITATOR,
                actor=actor,
                language=language,
                send_email=False,
            )
    except TerritoryError as exc:
        raise ApplicationError(exc.message, exc.field) from exc
    # coordination_group_create records only the main language; keep all the applicant named.
    languages = list(dict.fromkeys([language, *locked.languages]))
    if languages != group.languages:
        group.languages = languages
        group.save(update_fields=["languages", "modified_at"])
    _decide(locked, actor=actor, status=Application.Status.APPROVED, message="")
    locked.coordination_group = group
    locked.save(
        update_fields=[
            "status",
            "decision_message",
            "decided_by",
            "decided_at",
            "coordination_group",
            "modified_at",
        ]
    )
    audit_record(
        actor=actor,
        action="territories.application.approved",
        target=locked,
        tenant_id=group.pk,
        group_id=group.pk,
        network_id=group.network_id,
        slug=group.slug,
        facilitator="invited" if invitation is not None else "member",
    )
    _mail_applicant(
        locked,
        "approved",
        group=group,
        group_url=absolute_url(reverse("directory:group", kwargs={"cg": group.slug})),
        invitation_url=(
            absolute_url(reverse("groups:invitation", kwargs={"token": token})) if token else ""
        ),
        invitation_expires_at=invitation.expires_at if invitation is not None else None,
    )
    return Approval(application=locked, group=group, created=True)
