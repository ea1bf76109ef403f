"""Writes of the network secretariat: moderation of groups, geography, profiles, members.

Every write is atomic and records its audit entry in the same transaction; emails leave only
once it commits (wikispiral.mail.mail_send_on_commit).
"""

import csv
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from territories import hooks
from territories.models import CoordinationGroup, Country, Membership, NetworkMember, Profile
from territories.services import (
    GeographyImport,
    RowError,
    TerritoryError,
    coordination_group_lock,
    geography_import,
)
from wikispiral.accounts.models import User
from wikispiral.audit.services import audit_record
from wikispiral.mail import absolute_url, mail_send_on_commit
from wikispiral.text import line_clean
from wikispiral.wiki.spaces import space_visibility_set

PROFILE_LANGUAGES = ("fr", "pt")
_MAX_REASON = 2000


# --- Moderation of coordination groups ---------------------------------------------------------


def _mail_facilitators(*, group: CoordinationGroup, template: str, reason: str = "") -> None:
    facilitators = User.objects.filter(
        memberships__tenant=group,
        memberships__role=Membership.Role.FACILITATOR,
        is_active=True,
    ).exclude(email="")
    space_url = absolute_url(reverse("wiki:space_home", kwargs={"space": group.space.slug}))
    for facilitator in facilitators:
        mail_send_on_commit(
            to=facilitator.email,
            template=f"secretariat/email/{template}",
            context={
                "group": group,
                "reason": reason,
                "space_url": space_url,
                "name": facilitator.public_name,
            },
            language=facilitator.preferred_language,
        )


def _clean_reason(reason: str | None, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise TerritoryError(_("Give the reason: the facilitators will read it."), "reason")
    if len(reason) > _MAX_REASON:
        raise TerritoryError(
            _("Keep the reason under %(count)d characters.") % {"count": _MAX_REASON}, "reason"
        )
    return reason


def _moderation_done(*, group: CoordinationGroup, actor: User, event: str, reason: str) -> None:
    """Log a moderation step and tell the group's facilitators (event: validated, hidden,
    unhidden; it names both the audit action and the email template)."""
    audit_record(
        actor=actor,
        action=f"territories.coordination_group.{event}",
        target=group,
        tenant_id=group.pk,
        reason=reason,
    )
    _mail_facilitators(group=group, template=f"group_{event}", reason=reason)


@transaction.atomic
def coordination_group_validate(
    *, group: CoordinationGroup, actor: User, reason: str = ""
) -> CoordinationGroup:
    """Mark the group validated by the secretariat; validating a validated group does nothing.
    An archived group cannot be validated."""
    reason = _clean_reason(reason, required=False)
    group = coordination_group_lock(group)
    if group.status == CoordinationGroup.Status.VALIDATED:
        return group
    if group.status == CoordinationGroup.Status.ARCHIVED:
        raise TerritoryError(_("This group is archived: it cannot be validated."))
    group.status = CoordinationGroup.Status.VALIDATED
    group.save(update_fields=["status", "modified_at"])
    _moderation_done(group=group, actor=actor, event="validated", reason=reason)
    return group


def _visibility_set(
    *, group: CoordinationGroup, actor: User, reason: str, hidden: bool
) -> CoordinationGroup:
    group = coordination_group_lock(group)
    if group.is_hidden == hidden:
        return group
    group.is_hidden = hidden
    group.hidden_reason = reason if hidden else ""
    group.save(update_fields=["is_hidden", "hidden_reason", "modified_at"])
    # A group's space is public exactly when the group is visible (coordination_group_create).
    space_visibility_set(space=group.space, hidden=hidden)
    _moderation_done(
        group=group, actor=actor, event="hidden" if hidden else "unhidden", reason=reason
    )
    # Syntheses and projects follow (the places above count a group's criteria only while it is
    # visible; its territorial entity in the right-choices project is seen exactly when it is).
    hooks.group_visibility_changed(group=group)
    return group


@transaction.atomic
def coordination_group_hide(
    *, group: CoordinationGroup, actor: User, reason: str
) -> CoordinationGroup:
    """Take the group out of public view (directory, feeds, its wiki space) for a stated
    reason; hiding a hidden group changes nothing."""
    reason = _clean_reason(reason, required=True)
    return _visibility_set(group=group, actor=actor, reason=reason, hidden=True)


@transaction.atomic
def coordination_group_unhide(
    *, group: CoordinationGroup, actor: User, reason: str = ""
) -> CoordinationGroup:
    """Show a hidden group again and make its space public; a visible group is left as is."""
    reason = _clean_reason(reason, required=False)
    return _visibility_set(group=group, actor=actor, reason=reason, hidden=False)


# --- Geography ----------------------------------------------------------------------------------


def _checked_import(*, data: str, commit: bool) -> GeographyImport:
    try:
        return geography_import(data=data, commit=commit)
    except csv.Error as exc:
        # A malformed CSV (a field over the csv module's size limit…) is bad input, not a bug.
        report = GeographyImport()
        report.errors.append(
            RowError(0, _("The file is not a readable CSV: %(error)s") % {"error": exc})
        )
        return report


def geography_preview(*, data: str) -> GeographyImport:
    """What importing data would do: its errors, and what it would create (committed False).

    The import runs for real inside a savepoint that is always rolled back, so the counts come
    from the very code that will commit them.
    """
    with transaction.atomic():
        report = _checked_import(data=data, commit=True)
        transaction.set_rollback(True)
    report.committed = False
    return report


@transaction.atomic
def geography_commit(*, data: str, actor: User) -> GeographyImport:
    """Import data all or nothing (see territories.services.geography_import) and log it."""
    report = _checked_import(data=data, commit=True)
    if report.committed:
        audit_record(
            actor=actor,
            action="territories.geography.imported",
            target_type="territories.geography",
            target_label=_("Geography"),
            rows=report.rows,
            countries=report.created["countries"],
            regions=report.created["regions"],
            localities=report.created["localities"],
        )
    return report


# --- Group profiles -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileData:
    name: str
    names: dict[str, str]
    order: int
    is_active: bool


def _clean_profile(data: ProfileData) -> ProfileData:
    name = line_clean(data.name)
    if not name:
        raise TerritoryError(_("A profile needs a name."), "name")
    cleaned = {lang: line_clean(data.names.get(lang)) for lang in PROFILE_LANGUAGES}
    names = {lang: text for lang, text in cleaned.items() if text}
    return ProfileData(name=name, names=names, order=data.order, is_active=data.is_active)


@transaction.atomic
def profile_create(*, actor: User, data: ProfileData) -> Profile:
    """Add a group profile; its slug comes from the English name and must be free."""
    data = _clean_profile(data)
    slug = slugify(data.name)[:60].strip("-")
    if not slug:
        raise TerritoryError(_("Choose an English name with letters or digits."), "name")
    if Profile.objects.filter(slug=slug).exists():
        raise TerritoryError(
            _("A profile with this name already exists (address “%(slug)s”).") % {"slug": slug},
            "name",
        )
    try:
        with transaction.atomic():
            profile = Profile.objects.create(
                slug=slug,
                name=data.name,
                names=data.names,
                order=data.order,
                is_active=data.is_active,
            )
    except IntegrityError as exc:
        raise TerritoryError(_("A profile with this name already exists."), "name") from exc
    audit_record(
        actor=actor,
        action="territories.profile.created",
        target=profile,
        slug=slug,
        name=profile.name,
    )
    return profile


@transaction.atomic
def profile_update(*, profile: Profile, actor: User, data: ProfileData) -> Profile:
    """Change a profile's names, order or offer (its slug never changes: links rely on it)."""
    data = _clean_profile(data)
    profile = Profile.objects.select_for_update().get(pk=profile.pk)
    changes = {}
    for field in ("name", "names", "order", "is_active"):
        if getattr(profile, field) != getattr(data, field):
            changes[field] = getattr(data, field)
            setattr(profile, field, getattr(data, field))
    if not changes:
        return profile
    profile.save(update_fields=list(changes))
    audit_record(actor=actor, action="territories.profile.updated", target=profile, changes=changes)
    return profile


# --- Network members ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberData:
    kind: str
    nature: str
    name: str
    coordination_group: CoordinationGroup | None
    country: Country | None
    website: str
    description: str
    joined_on: date
    is_listed: bool


_NATURES_OF_KIND: dict[str, set[str]] = {
    NetworkMember.Kind.FULL: {NetworkMember.Nature.COORDINATION_GROUP},
    NetworkMember.Kind.EX_OFFICIO: {NetworkMember.Nature.PUBLIC_AUTHORITY},
    NetworkMember.Kind.ASSOCIATE: {
        NetworkMember.Nature.ORGANISATION,
        NetworkMember.Nature.PERSON,
    },
}


def _clean_member(data: MemberData, *, member: NetworkMember | None) -> dict[str, object]:
    if data.kind not in NetworkMember.Kind.values:
        raise TerritoryError(_("Unknown kind of membership."), "kind")
    if data.nature not in NetworkMember.Nature.values:
        raise TerritoryError(_("Unknown nature."), "nature")
    if data.nature not in _NATURES_OF_KIND[data.kind]:
        raise TerritoryError(
            _(
                "Full members are coordination groups, ex officio members public authorities, "
                "associate members organisations or persons."
            ),
            "nature",
        )
    group = data.coordination_group
    if data.nature == NetworkMember.Nature.COORDINATION_GROUP and group is None:
        raise TerritoryError(_("Choose the coordination group."), "coordination_group")
    if data.nature != NetworkMember.Nature.COORDINATION_GROUP and group is not None:
        raise TerritoryError(
            _("Only a member of nature “coordination group” stands for a coordination group."),
            "coordination_group",
        )
    if group is not None:
        taken = NetworkMember.objects.filter(coordination_group=group)
        if member is not None:
            taken = taken.exclude(pk=member.pk)
        if taken.exists():
            raise TerritoryError(
                _("%(group)s is already a member of the network.") % {"group": group.name},
                "coordination_group",
            )
    name = line_clean(data.name) or (group.name if group else "")
    if not name:
        raise TerritoryError(_("A member needs a name."), "name")
    website = (data.website or "").strip()
    if website:
        try:
            URLValidator(schemes=["http", "https"])(website)
        except ValidationError as exc:
            message = _("Enter a web address starting with https://.")
            raise TerritoryError(message, "website") from exc
    return {
        "kind": data.kind,
        "nature": data.nature,
        "name": name[:200],
        "coordination_group": group,
        "country": data.country or (group.country if group else None),
        "website": website,
        "description": (data.description or "").strip(),
        "joined_on": data.joined_on,
        "is_listed": data.is_listed,
    }


@transaction.atomic
def network_member_create(*, actor: User, data: MemberData) -> NetworkMember:
    """Add a member of the network (a coordination group stands at most once)."""
    fields = _clean_member(data, member=None)
    try:
        with transaction.atomic():
            member = NetworkMember.objects.create(**fields)
    except IntegrityError as exc:
        raise TerritoryError(
            _("This coordination group is already a member of the network."), "coordination_group"
        ) from exc
    audit_record(
        actor=actor,
        action="territories.network_member.created",
        target=member,
        tenant_id=member.coordination_group_id,
        kind=member.kind,
        nature=member.nature,
    )
    return member


@transaction.atomic
def network_member_update(*, member: NetworkMember, actor: User, data: MemberData) -> NetworkMember:
    """Change a member's details; the audit entry lists what changed."""
    member = NetworkMember.objects.select_for_update().get(pk=member.pk)
    fields = _clean_member(data, member=member)
    changes: dict[str, object] = {}
    for field, value in fields.items():
        if getattr(member, field) != value:
            setattr(member, field, value)
            changes[field] = str(value) if value is not None else None
    if not changes:
        return member
    try:
        with transaction.atomic():
            member.save(update_fields=list(changes))
    except IntegrityError as exc:
        raise TerritoryError(
            _("This coordination group is already a member of the network."), "coordination_group"
        ) from exc
    audit_record(
        actor=actor,
        action="territories.network_member.updated",
        target=member,
        tenant_id=member.coordination_group_id,
        changes=changes,
    )
    return member
