"""Writes for membership requests: anyone asks to become a member of the network (a platform's
facilitators for their platform, a person or an organisation as an associate member, a public
authority ex officio), the secretariat comments, asks for changes, approves (which makes the
member, once, through the secretariat's member service) or rejects; the applicant edits when
asked, through the link mailed with the request for changes.

One open request per member: a database constraint on member_key holds it even when two
requests race (the loser's IntegrityError becomes the same refusal as the check before it).
Every decision locks the request row first, so a second approval sees the first and makes no
second member and sends no second mail.
"""

import secrets
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from territories.applications.selectors import secretariat_recipients
from territories.models import (
    CoordinationGroup,
    Country,
    MembershipRequest,
    MembershipRequestComment,
    NetworkMember,
)
from territories.models.network import OPEN_STATUSES
from territories.permissions import can_manage_group
from territories.secretariat.services import MemberData, _clean_member, network_member_create
from territories.services import TerritoryError
from wikispiral.accounts.models import User
from wikispiral.audit.services import audit_record
from wikispiral.errors import DomainError
from wikispiral.mail import absolute_url, mail_send_on_commit
from wikispiral.text import line_clean, newlines_normalise

Status = MembershipRequest.Status
Kind = NetworkMember.Kind
Nature = NetworkMember.Nature

ACTION_PREFIX = "territories.membership_request."
MAX_TEXT = 10_000
MAX_MESSAGE = 5_000


class MembershipError(DomainError):
    """Bad input for a membership request (HTTP 400)."""

    status = 400


class MembershipStateError(MembershipError):
    """The request is not in a state that allows this (HTTP 409)."""

    status = 409


@dataclass(frozen=True)
class MembershipDetails:
    """What the applicant writes, checked by the form, re-checked here. For a platform
    (kind full), coordination_group names it and name and country come from it."""

    kind: str
    nature: str
    name: str
    coordination_group: CoordinationGroup | None
    country: Country | None
    website: str
    description: str
    motivation: str
    applicant_name: str
    applicant_email: str
    applicant_language: str
    consent_to_list: bool


# The fields a resubmission may change (the platform of a full request never changes).
DETAIL_FIELDS = (
    "kind",
    "nature",
    "name",
    "country",
    "website",
    "description",
    "motivation",
    "applicant_name",
    "applicant_email",
    "applicant_language",
)


def member_key(*, nature: str, name: str, country: Country | None, group_id: int | None) -> str:
    """Who the member would be, as one open request per member counts it: "cg:<id>" for a
    platform, else the nature, the country and the name casefolded, spaces normalised."""
    if group_id is not None:
        return f"cg:{group_id}"
    folded = " ".join(line_clean(name).casefold().split())
    return f"{nature}:{country.code if country else '-'}:{folded}"[:300]


def _text(value: str, field: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    value = newlines_normalise(value or "").strip()
    if required and not value:
        raise MembershipError(_("This field is required."), field)
    if len(value) > limit:
        raise MembershipError(
            _("This text is too long (at most %(max)d characters).") % {"max": limit}, field
        )
    return value


def _normalised(details: MembershipDetails) -> MembershipDetails:
    """Checked and cleaned details: the pairing of kind and nature, the platform, the name and
    the website as the secretariat's member service checks them; the applicant's fields."""
    group = details.coordination_group
    try:
        member = _clean_member(
            MemberData(
                kind=details.kind,
                nature=details.nature,
                # A platform is named and placed by its coordination group.
                name="" if group is not None else details.name,
                coordination_group=group,
                country=None if group is not None else details.country,
                website=details.website,
                description=details.description,
                joined_on=timezone.localdate(),
                is_listed=True,
            ),
            member=None,
        )
    except TerritoryError as error:
        raise MembershipError(error.message, error.field) from error
    if member["country"] is None:
        raise MembershipError(_("Choose a country."), "country")
    applicant_name = line_clean(details.applicant_name)
    if not applicant_name:
        raise MembershipError(_("This field is required."), "applicant_name")
    email = (details.applicant_email or "").strip()
    try:
        validate_email(email)
    except ValidationError as error:
        raise MembershipError(_("Enter a valid email address."), "applicant_email") from error
    if details.applicant_language not in dict(settings.LANGUAGES):
        raise MembershipError(_("Unknown language."), "applicant_language")
    if not details.consent_to_list:
        raise MembershipError(
            _("The list of members is public: we need your consent."), "consent_to_list"
        )
    texts: dict[str, Any] = {
        "name": member["name"],
        "country": member["country"],
        "website": member["website"],
        "description": _text(details.description, "description"),
        "motivation": _text(details.motivation, "motivation", required=True),
        "applicant_name": applicant_name[:150],
        "applicant_email": email[:254],
    }
    return replace(details, **texts)


def _already_member(details: MembershipDetails) -> None:
    """Refuse a member the network already has (a platform is checked by _clean_member)."""
    if details.coordination_group is not None:
        return
    key = member_key(
        nature=details.nature, name=details.name, country=details.country, group_id=None
    )
    same = NetworkMember.objects.filter(nature=details.nature, country=details.country)
    names = same.values_list("name", flat=True)
    if any(
        member_key(nature=details.nature, name=name, country=details.country, group_id=None) == key
        for name in names
    ):
        raise MembershipError(
            _("%(name)s is already a member of the network.") % {"name": details.name}, "name"
        )


def _duplicate_error() -> MembershipError:
    return MembershipError(
        _(
            "A request for this member is already being reviewed by the secretariat: it will "
            "answer by email."
        ),
        "name",
    )


def _open_elsewhere(key: str, *, exclude: int | None = None) -> bool:
    requests = MembershipRequest.objects.filter(member_key=key, status__in=OPEN_STATUSES)
    if exclude is not None:
        requests = requests.exclude(pk=exclude)
    return requests.exists()


def _mail_applicant(request: MembershipRequest, template: str, **context: object) -> None:
    mail_send_on_commit(
        to=request.applicant_email,
        template=f"membership/email/{template}",
        context={"request": request, **context},
        language=request.applicant_language,
    )


def _notify_secretariat(request: MembershipRequest, *, resubmitted: bool) -> None:
    detail_url = absolute_url(reverse("membership:detail", kwargs={"pk": request.pk}))
    for person in secretariat_recipients():
        mail_send_on_commit(
            to=person.email,
            template="membership/email/secretariat_notice",
            context={
                "request": request,
                "resubmitted": resubmitted,
                "detail_url": detail_url,
                "recipient": person,
            },
            language=person.preferred_language,
        )


def _signed_in(actor: User | None) -> User | None:
    return actor if actor is not None and actor.is_authenticated else None


@transaction.atomic
def membership_request_submit(*, actor: User | None, data: MembershipDetails) -> MembershipRequest:
    """Record a new request to become a member; acknowledge it to the applicant and tell the
    secretariat (mailed after commit). A platform's request comes from its facilitators."""
    group = data.coordination_group
    if group is not None and not can_manage_group(actor, group):
        raise MembershipError(
            _("Only the facilitators of a platform may ask for its membership."),
            "coordination_group",
        )
    data = _normalised(data)
    _already_member(data)
    key = member_key(
        nature=data.nature,
        name=data.name,
        country=data.country,
        group_id=group.pk if group is not None else None,
    )
    if _open_elsewhere(key):
        raise _duplicate_error()
    try:
        # A savepoint: a request that raced this one past the check above loses here.
        with transaction.atomic():
            request = MembershipRequest.objects.create(
                **{name: getattr(data, name) for name in DETAIL_FIELDS},
                coordination_group=group,
                applicant=_signed_in(actor),
                member_key=key,
                edit_key=secrets.token_urlsafe(32),
            )
    except IntegrityError as error:
        raise _duplicate_error() from error
    audit_record(
        actor=_signed_in(actor),
        action=ACTION_PREFIX + "submitted",
        target=request,
        tenant_id=request.coordination_group_id,
        kind=request.kind,
        nature=request.nature,
    )
    _mail_applicant(request, "acknowledgement", resubmitted=False)
    _notify_secretariat(request, resubmitted=False)
    return request


def _lock(request: MembershipRequest) -> MembershipRequest:
    # No select_related: PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
    return MembershipRequest.objects.select_for_update().get(pk=request.pk)


@transaction.atomic
def membership_request_resubmit(
    *, request: MembershipRequest, actor: User | None, data: MembershipDetails
) -> MembershipRequest:
    """Save the applicant's changes and put the request back in the queue; the edit link they
    used stops working. A platform's request stays the platform's."""
    locked = _lock(request)
    if locked.status != Status.CHANGES_REQUESTED:
        raise MembershipStateError(_("This request cannot be edited any more."))
    if locked.coordination_group_id is not None:
        group = CoordinationGroup.objects.get(pk=locked.coordination_group_id)
        data = replace(
            data,
            kind=Kind.FULL,
            nature=Nature.COORDINATION_GROUP,
            coordination_group=group,
        )
    elif data.coordination_group is not None:
        raise MembershipError(_("This request is not a platform's."), "coordination_group")
    data = _normalised(data)
    _already_member(data)
    key = member_key(
        nature=data.nature,
        name=data.name,
        country=data.country,
        group_id=locked.coordination_group_id,
    )
    if _open_elsewhere(key, exclude=locked.pk):
        raise _duplicate_error()
    changed = [name for name in DETAIL_FIELDS if getattr(locked, name) != getattr(data, name)]
    for name in DETAIL_FIELDS:
        setattr(locked, name, getattr(data, name))
    locked.member_key = key
    locked.status = Status.SUBMITTED
    locked.edit_key = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            locked.save(
                update_fields=[*DETAIL_FIELDS, "member_key", "status", "edit_key", "modified_at"]
            )
    except IntegrityError as error:
        raise _duplicate_error() from error
    audit_record(
        actor=_signed_in(actor),
        action=ACTION_PREFIX + "resubmitted",
        target=locked,
        tenant_id=locked.coordination_group_id,
        changed=changed,
    )
    _mail_applicant(locked, "acknowledgement", resubmitted=True)
    _notify_secretariat(locked, resubmitted=True)
    return locked


@transaction.atomic
def membership_request_comment_add(
    *, request: MembershipRequest, actor: User, body: str
) -> MembershipRequestComment:
    """Add an internal note of the secretariat (never mailed, never shown to the applicant)."""
    body = _text(body, "body", limit=MAX_MESSAGE)
    if not body:
        raise MembershipError(_("Write a comment."), "body")
    comment = MembershipRequestComment.objects.create(request=request, author=actor, body=body)
    audit_record(
        actor=actor,
        action=ACTION_PREFIX + "commented",
        target=request,
        tenant_id=request.coordination_group_id,
        comment_id=comment.pk,
    )
    return comment


def _decide(locked: MembershipRequest, *, actor: User, status: str, message: str) -> None:
    locked.status = status
    locked.decision_message = message
    locked.decided_by = actor
    locked.decided_at = timezone.now()


_DECISION_FIELDS = ["status", "decision_message", "decided_by", "decided_at", "modified_at"]


@transaction.atomic
def membership_request_request_changes(
    *, request: MembershipRequest, actor: User, message: str
) -> MembershipRequest:
    """Send a submitted request back to the applicant with a message and a fresh edit link (any
    earlier link stops working); refused while she has it (status "changes")."""
    message = _text(message, "message", limit=MAX_MESSAGE)
    if not message:
        raise MembershipError(_("Tell the applicant what to change."), "message")
    locked = _lock(request)
    if locked.status == Status.CHANGES_REQUESTED:
        # A second click, or two secretaries at once: one mail, and the link it carries works.
        raise MembershipStateError(
            _("Changes were already asked of the applicant: wait until the request is sent again.")
        )
    if locked.status != Status.SUBMITTED:
        raise MembershipStateError(
            _("This request is already %(status)s: changes can no longer be requested.")
            % {"status": locked.get_status_display().lower()}
        )
    _decide(locked, actor=actor, status=Status.CHANGES_REQUESTED, message=message)
    locked.edit_key = secrets.token_urlsafe(32)
    locked.save(update_fields=[*_DECISION_FIELDS, "edit_key"])
    audit_record(
        actor=actor,
        action=ACTION_PREFIX + "changes_requested",
        target=locked,
        tenant_id=locked.coordination_group_id,
        message=message,
    )
    edit_url = absolute_url(reverse("membership:edit", kwargs={"key": locked.edit_key}))
    _mail_applicant(locked, "changes_requested", message=message, edit_url=edit_url)
    return locked


@transaction.atomic
def membership_request_reject(
    *, request: MembershipRequest, actor: User, message: str
) -> MembershipRequest:
    """Refuse the request, with a reason mailed to the applicant."""
    message = _text(message, "message", limit=MAX_MESSAGE)
    if not message:
        raise MembershipError(_("Give the reason for the rejection."), "message")
    locked = _lock(request)
    if locked.status == Status.APPROVED:
        raise MembershipStateError(
            _("This request was approved and the member is in the network: it cannot be rejected.")
        )
    if locked.status not in OPEN_STATUSES:
        raise MembershipStateError(
            _("This request is already %(status)s.")
            % {"status": locked.get_status_display().lower()}
        )
    _decide(locked, actor=actor, status=Status.REJECTED, message=message)
    locked.save(update_fields=_DECISION_FIELDS)
    audit_record(
        actor=actor,
        action=ACTION_PREFIX + "rejected",
        target=locked,
        tenant_id=locked.coordination_group_id,
        message=message,
    )
    _mail_applicant(locked, "rejected", reason=message)
    return locked


@dataclass(frozen=True)
class Approval:
    request: MembershipRequest
    member: NetworkMember
    created: bool  # False: it was approved before, nothing was done this time


@transaction.atomic
def membership_request_approve(
    *, request: MembershipRequest, actor: User, message: str = ""
) -> Approval:
    """Make the member the request asks for, once, through the secretariat's member service,
    and mail the applicant (with message, when given). Approving an approved request changes
    nothing and mails nobody."""
    message = _text(message, "message", limit=MAX_MESSAGE)
    locked = _lock(request)
    if locked.status == Status.APPROVED and locked.member_id is not None:
        member = NetworkMember.objects.get(pk=locked.member_id)
        return Approval(request=locked, member=member, created=False)
    if locked.status not in OPEN_STATUSES:
        raise MembershipStateError(
            _("This request is already %(status)s: it cannot be approved.")
            % {"status": locked.get_status_display().lower()}
        )
    group = None
    if locked.coordination_group_id is not None:
        group = CoordinationGroup.objects.get(pk=locked.coordination_group_id)
    country = Country.objects.get(pk=locked.country_id) if locked.country_id else None
    details = MembershipDetails(
        kind=locked.kind,
        nature=locked.nature,
        name=locked.name,
        coordination_group=group,
        country=country,
        website=locked.website,
        description=locked.description,
        motivation=locked.motivation,
        applicant_name=locked.applicant_name,
        applicant_email=locked.applicant_email,
        applicant_language=locked.applicant_language,
        consent_to_list=True,
    )
    # Someone may have made it a member by hand since the request was sent.
    _already_member(details)
    try:
        member = network_member_create(
            actor=actor,
            data=MemberData(
                kind=locked.kind,
                nature=locked.nature,
                name=locked.name,
                coordination_group=group,
                country=country,
                website=locked.website,
                description=locked.description,
                joined_on=timezone.localdate(),
                is_listed=True,
            ),
        )
    except TerritoryError as error:
        raise MembershipError(error.message, error.field) from error
    _decide(locked, actor=actor, status=Status.APPROVED, message=message)
    locked.member = member
    locked.save(update_fields=[*_DECISION_FIELDS, "member"])
    audit_record(
        actor=actor,
        action=ACTION_PREFIX + "approved",
        target=locked,
        tenant_id=locked.coordination_group_id,
        member_id=member.pk,
        kind=member.kind,
    )
    group_url = ""
    if group is not None:
        group_url = absolute_url(reverse("directory:group", kwargs={"cg": group.slug}))
    _mail_applicant(
        locked,
        "approved",
        member=member,
        message=message,
        group_url=group_url,
        membership_url=absolute_url(reverse("membership:page")),
    )
    return Approval(request=locked, member=member, created=True)
