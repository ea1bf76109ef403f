"""Writes to the territories app."""

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from territories import hooks
from territories.models import (
    Continent,
    CoordinationGroup,
    Country,
    HomogeneousGroup,
    Invitation,
    Locality,
    Membership,
    Profile,
    Region,
)
from wikispiral import invitations
from wikispiral.accounts.models import User
from wikispiral.audit.services import audit_record
from wikispiral.errors import DomainError
from wikispiral.mail import absolute_url, mail_send_on_commit
from wikispiral.text import line_clean
from wikispiral.uploads import Limits, UploadProblem, csv_sheet, csv_text, image_check
from wikispiral.wiki import caching
from wikispiral.wiki.models import Page, Space
from wikispiral.wiki.selectors import page_find, space_slug_taken
from wikispiral.wiki.services import PageExists, page_create
from wikispiral.wiki.spaces import space_create, space_rename

GEOGRAPHY_COLUMNS = ("continent", "country_code", "country", "region", "locality")
# The secretariat's upload and the import_geography command read through the same bounds.
GEOGRAPHY_LIMITS = Limits(max_bytes=1024 * 1024)
_COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
_MAX_NAME = 150


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass
class GeographyImport:
    """What an import found (and, when committed, created)."""

    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    created: dict[str, int] = field(
        default_factory=lambda: {"countries": 0, "regions": 0, "localities": 0}
    )
    committed: bool = False


def _check_row(line: int, row: dict[str, str], continents: dict[str, Continent]) -> list[RowError]:
    errors = []
    if row["continent"] not in continents:
        errors.append(
            RowError(line, _("Unknown continent code “%(code)s”.") % {"code": row["continent"]})
        )
    if not _COUNTRY_CODE.match(row["country_code"]):
        errors.append(
            RowError(
                line,
                _("“%(code)s” is not an ISO 3166 country code (two capital letters).")
                % {"code": row["country_code"]},
            )
        )
    if not row["country"]:
        errors.append(RowError(line, _("The country name is missing.")))
    if row["locality"] and not row["region"]:
        errors.append(RowError(line, _("A locality needs its region.")))
    for column in ("country", "country_fr", "country_pt", "region", "locality"):
        if len(row.get(column, "")) > _MAX_NAME:
            errors.append(RowError(line, _("“%(column)s” is too long.") % {"column": column}))
    for column in ("region", "locality"):
        if row[column] and not slugify(row[column], allow_unicode=True):
            errors.append(
                RowError(line, _("“%(column)s” has no usable letters.") % {"column": column})
            )
    return errors


@transaction.atomic
def geography_import(*, data: bytes | str, commit: bool) -> GeographyImport:
    """Check a geography CSV and, if commit and no row has an error, add what is missing.

    Columns: continent (code), country_code (ISO 3166), country (English name), optional
    country_fr / country_pt, region, locality. All or nothing: any error saves nothing.
    Existing places are kept as they are, so importing the same file twice adds nothing.
    """
    report = GeographyImport()
    try:
        text = data if isinstance(data, str) else csv_text(data, limits=GEOGRAPHY_LIMITS)
        sheet = csv_sheet(text, limits=GEOGRAPHY_LIMITS)
    except UploadProblem as problem:
        report.errors.append(RowError(0, problem.message))
        return report
    header = [name.strip().lower() for name in sheet.header]
    missing = [c for c in GEOGRAPHY_COLUMNS if c not in header]
    if missing:
        report.errors.append(
            RowError(1, _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
        )
        return report
    continents = {c.code: c for c in Continent.objects.all()}
    rows = []
    for line, cells in sheet.rows:
        row = {name: "" for name in header if name}
        cells_named = zip(header, cells, strict=False)
        row.update((name, value.strip()) for name, value in cells_named if name)
        report.errors.extend(_check_row(line, row, continents))
        rows.append((line, row))
    report.rows = len(rows)
    countries = {c.code: c for c in Country.objects.all()}
    for line, row in rows:
        known = countries.get(row["country_code"])
        if (
            known is not None
            and known.continent.code != row["continent"]
            and row["continent"] in continents
        ):
            report.errors.append(
                RowError(
                    line,
                    _("%(country)s is already recorded in another continent.")
                    % {"country": known.name},
                )
            )
    if report.errors or not commit:
        return report
    for _line, row in rows:
        names = {
            lang: row[f"country_{lang}"] for lang in ("fr", "pt") if row.get(f"country_{lang}")
        }
        country, created = Country.objects.get_or_create(
            code=row["country_code"],
            defaults={
                "name": row["country"],
                "names": names,
                "continent": continents[row["continent"]],
            },
        )
        report.created["countries"] += created
        if not row["region"]:
            continue
        region, created = Region.objects.get_or_create(
            country=country,
            slug=slugify(row["region"], allow_unicode=True)[:150],
            defaults={"name": row["region"]},
        )
        report.created["regions"] += created
        if row["locality"]:
            _locality, created = Locality.objects.get_or_create(
                region=region,
                slug=slugify(row["locality"], allow_unicode=True)[:150],
                defaults={"name": row["locality"]},
            )
            report.created["localities"] += created
    report.committed = True
    return report


class TerritoryError(DomainError):
    pass


RESERVED_SLUGS = frozenset({"network", "new", "admin", "accounts", "search", "recent", "feeds"})
INVITATION_VALIDITY = timedelta(days=14)
_NETWORK_ID = re.compile(r"^GC(\d{4,10})$")


def network_id_next() -> str:
    """The next free network id (GC + six digits or more), one above the highest in use."""
    numbers = [
        int(match.group(1))
        for value in CoordinationGroup.objects.values_list("network_id", flat=True)
        if (match := _NETWORK_ID.match(value))
    ]
    return f"GC{max(numbers, default=100000) + 1:06d}"


def coordination_group_lock(group: CoordinationGroup) -> CoordinationGroup:
    """The group's row, fresh and locked until the transaction ends (with its space).

    Every change that checks the group's state first takes this lock: two facilitators
    demoting each other cannot both pass the "last facilitator" check, and two secretaries
    hiding the group at once see each other's result.
    """
    return CoordinationGroup.objects.select_for_update().select_related("space").get(pk=group.pk)


def _home_page_text(group: CoordinationGroup) -> str:
    return _(
        "## About the platform\n\n%(platform)s\n\n## The territory\n\n%(territory)s\n\n"
        "## Our SPIRAL process\n\n%(process)s\n"
    ) % {
        "platform": group.platform_description or _("To be written by the facilitators."),
        "territory": group.territory_description or _("To be written by the facilitators."),
        "process": group.process_summary or _("To be written by the facilitators."),
    }


@transaction.atomic
def coordination_group_create(
    *,
    actor: User | None,
    name: str,
    network_id: str,
    country: Country,
    slug: str | None = None,
    region: Region | None = None,
    locality: Locality | None = None,
    facilitator: User | None = None,
    language: str = "en",
    **details: object,
) -> CoordinationGroup:
    """Open a coordination group: the group, its wiki space, its home page, its facilitator."""
    name = line_clean(name)
    if not name:
        raise TerritoryError(_("A coordination group needs a name."), "name")
    slug = slugify(slug or name)[:80].strip("-")
    if not slug or slug in RESERVED_SLUGS:
        raise TerritoryError(_("Choose a name that gives a usable address."), "slug")
    places_check(country=country, region=region, locality=locality)
    if CoordinationGroup.objects.filter(network_id=network_id).exists():
        raise TerritoryError(_("This network id is already used."), "network_id")
    if space_slug_taken(slug=slug):
        raise TerritoryError(_("This address is already used by another space."), "slug")
    space = space_create(
        slug=slug,
        name=name,
        kind=Space.Kind.COORDINATION_GROUP,
        is_public=not details.get("is_hidden", False),
    )
    group = CoordinationGroup(
        name=name,
        slug=slug,
        network_id=network_id,
        country=country,
        region=region,
        locality=locality,
        space=space,
        languages=[language],
        created_by=actor,
        **details,
    )
    try:
        group.full_clean(exclude=["space"])
        group.save()
    except ValidationError as exc:
        raise TerritoryError("; ".join(exc.messages)) from exc
    except IntegrityError as exc:
        raise TerritoryError(_("This network id or address is already used.")) from exc
    page_create(
        space=space,
        language=language,
        title=name,
        slug="home",
        body=_home_page_text(group),
        actor=actor,
        comment=_("Platform opened"),
    )
    if facilitator is not None:
        membership_set(group=group, user=facilitator, role=Membership.Role.FACILITATOR)
    audit_record(
        actor=actor,
        action="territories.coordination_group.created",
        target=group,
        tenant_id=group.pk,
        network_id=group.network_id,
    )
    return group


def membership_set(*, group: CoordinationGroup, user: User, role: str) -> Membership:
    """Give user this role in group (or change it)."""
    if role not in Membership.Role.values:
        raise TerritoryError(_("Unknown role."), "role")
    membership, _created = Membership.objects.update_or_create(
        tenant=group, user=user, defaults={"role": role}
    )
    _roles_changed(group)
    return membership


def membership_remove(*, group: CoordinationGroup, user: User) -> None:
    Membership.objects.filter(tenant=group, user=user).delete()
    _roles_changed(group)


def _roles_changed(group: CoordinationGroup) -> None:
    # Cached page copies of logged-in readers assume the roles they were built with.
    caching.invalidate(space_slug=group.space.slug)


@transaction.atomic
def invitation_create(
    *,
    group: CoordinationGroup,
    email: str,
    role: str,
    actor: User | None,
    language: str = "en",
    send_email: bool = True,
) -> tuple[Invitation, str]:
    """Invite email to hold role in group; mail the link after commit (unless send_email is
    False: the caller mails it, e.g. inside an approval). Returns the invitation and its token
    (only its hash is stored). A pending invitation of the same address to the same group is
    revoked: the newest link is the one that works."""
    email = User.objects.normalize_email((email or "").strip())
    if not email or "@" not in email:
        raise TerritoryError(_("Enter a valid email address."), "email")
    if role not in Membership.Role.values:
        raise TerritoryError(_("Unknown role."), "role")
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None and Membership.objects.filter(tenant=group, user=existing).exists():
        raise TerritoryError(_("This person is already a member of the group."), "email")
    now = timezone.now()
    Invitation.objects.with_scope(tenant=group).filter(
        tenant=group, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    token, hashed = invitations.token_new()
    invitation = Invitation.objects.create(
        tenant=group,
        email=email,
        role=role,
        language=language,
        token_hash=hashed,
        invited_by=actor,
        expires_at=now + INVITATION_VALIDITY,
    )
    audit_record(
        actor=actor,
        action="territories.invitation.sent",
        target=invitation,
        tenant_id=group.pk,
        email=email,
        role=role,
    )
    if not send_email:
        return invitation, token
    mail_send_on_commit(
        to=email,
        template="territories/email/invitation",
        context={
            "group": group,
            "role": invitation.get_role_display,
            "inviter": actor.public_name if actor else "",
            "accept_url": absolute_url(reverse("groups:invitation", kwargs={"token": token})),
            "expires_at": invitation.expires_at,
        },
        language=language,
    )
    return invitation, token


def invitation_get(*, token: str) -> Invitation | None:
    """The invitation a link's token designates, whatever its state (None if unknown).

    Crosses groups on purpose: the token is the only thing the visitor has.
    """
    from wikispiral.tenancy import cross_tenant

    with cross_tenant():
        return (
            Invitation.objects.select_related("tenant", "tenant__space")
            .filter(token_hash=invitations.token_hash(token))
            .first()
        )


def invitation_problem(invitation: Invitation | None) -> str | None:
    """Why this invitation cannot be accepted, in words for the person; None if it can."""
    return invitations.invitation_problem(
        invitation,
        not_valid=_("This invitation link is not valid. Ask the facilitators for a new one."),
        expired=_("This invitation has expired. Ask the facilitators for a new one."),
    )


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    """Give user the invitation's role, once: the first acceptance wins, any later use of the
    same link is refused. An existing higher role is kept (a facilitator stays one)."""
    invitation = invitation_get(token=token)
    problem = invitation_problem(invitation)
    if problem:
        raise TerritoryError(problem)
    now = timezone.now()
    # The conditional UPDATE is the claim: two concurrent acceptances cannot both succeed.
    claimed = (
        Invitation.objects.with_scope(tenant=invitation.tenant)
        .filter(
            pk=invitation.pk,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now,
        )
        .update(accepted_at=now, accepted_by=user)
    )
    if claimed != 1:
        raise TerritoryError(_("This invitation has already been used."))
    group = invitation.tenant
    current = Membership.objects.filter(tenant=group, user=user).first()
    order = [Membership.Role.MEMBER, Membership.Role.EDITOR, Membership.Role.FACILITATOR]
    role = invitation.role
    if current is not None and order.index(current.role) > order.index(role):
        role = current.role
    membership = membership_set(group=group, user=user, role=role)
    if user.email_confirmed_at is None and user.email.lower() == invitation.email.lower():
        # The link reached this mailbox: that confirms the address.
        user.email_confirmed_at = now
        user.save(update_fields=["email_confirmed_at"])
    audit_record(
        actor=user,
        action="territories.invitation.accepted",
        target=invitation,
        tenant_id=group.pk,
        role=role,
    )
    return membership


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> None:
    """Make a pending invitation's link stop working."""
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="territories.invitation.revoked",
            target=invitation,
            tenant_id=invitation.tenant_id,
        )


# --- Managing a coordination group from the inside -----------------------------------------------

PICTURE_MAX_BYTES = 5 * 1024 * 1024
PICTURE_MAX_PIXELS = 40_000_000
# Pillow's name of the format, read from the file's content → the extension we store it under.
# SVG is left out on purpose (it can carry script), and so is everything Pillow reads but
# browsers do not show everywhere (TIFF, BMP…).
PICTURE_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}
MAX_TEXT_LENGTH = 20_000
MAX_LANGUAGES = 20
MAX_MEETING_DATES = 50
MAX_PARTICIPANTS = 100_000
PARTICIPANTS_AT_LEAST_ONE = gettext_lazy(
    "A group has at least one participant: leave the number empty if it is not known."
)
HG_RESERVED_SLUGS = frozenset({"new", "edit"})
CITIZENS_GROUPS_PER_DAY = 3
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# What facilitators may change; status, kind, network id, slug and moderation stay with the
# secretariat.
COORDINATION_GROUP_EDITABLE = frozenset(
    {
        "name",
        "actor_type",
        "level",
        "referent",
        "region",
        "locality",
        "latitude",
        "longitude",
        "platform_description",
        "territory_description",
        "process_summary",
        "stakeholders",
        "contacts",
        "support_needs",
        "languages",
    }
)
_TEXT_FIELDS = (
    "actor_type",
    "platform_description",
    "territory_description",
    "process_summary",
    "stakeholders",
    "contacts",
    "support_needs",
)


def picture_check(upload: UploadedFile) -> str:
    """The extension to store an uploaded picture under; raise TerritoryError (field "picture")
    unless it is a JPEG, PNG, WebP or GIF image of at most 5 MB and 40 megapixels.

    The format is read from the content by Pillow, never taken from the name or the browser.
    """
    try:
        image_format = image_check(
            upload,
            size=upload.size,
            max_bytes=PICTURE_MAX_BYTES,
            max_pixels=PICTURE_MAX_PIXELS,
            field="picture",
        )
    except UploadProblem as problem:
        raise TerritoryError(problem.message, "picture") from problem
    return PICTURE_FORMATS[image_format]


def _clean_name(name: str, *, max_length: int = 200) -> str:
    name = line_clean(name)
    if not name:
        raise TerritoryError(_("Enter a name."), "name")
    if len(name) > max_length:
        raise TerritoryError(
            _("The name is too long (at most %(max)d characters).") % {"max": max_length}, "name"
        )
    return name


def _clean_text(value: str | None, field_name: str, *, max_length: int = MAX_TEXT_LENGTH) -> str:
    value = (value or "").replace("\r\n", "\n").strip()
    if len(value) > max_length:
        raise TerritoryError(
            _("This text is too long (at most %(max)d characters).") % {"max": max_length},
            field_name,
        )
    return value


def languages_clean(codes: Iterable[str]) -> list[str]:
    """Language codes (en, fr, pt-BR…), without duplicates, in the order given."""
    cleaned: list[str] = []
    for raw in codes:
        code = (raw or "").strip()
        if not code:
            continue
        if not _LANGUAGE_CODE.match(code):
            raise TerritoryError(
                _("“%(code)s” is not a language code (two or three small letters, e.g. ar).")
                % {"code": code[:20]},
                "languages",
            )
        if code not in cleaned:
            cleaned.append(code)
    if len(cleaned) > MAX_LANGUAGES:
        raise TerritoryError(
            _("Give at most %(max)d languages.") % {"max": MAX_LANGUAGES}, "languages"
        )
    return cleaned


def places_check(*, country: Country, region: Region | None, locality: Locality | None) -> None:
    """Raise TerritoryError (naming the field) unless the region is in the country and the
    locality in the region."""
    if region is not None and region.country_id != country.pk:
        raise TerritoryError(
            _("The region %(region)s is not in %(country)s.")
            % {"region": region.label(), "country": country.label()},
            "region",
        )
    if locality is not None:
        if region is None:
            raise TerritoryError(_("Choose the region of this locality as well."), "region")
        if locality.region_id != region.pk:
            raise TerritoryError(
                _("The locality %(locality)s is not in the region %(region)s.")
                % {"locality": locality.label(), "region": region.label()},
                "locality",
            )


def _check_referent(group: CoordinationGroup, referent: CoordinationGroup | None) -> None:
    seen = {group.pk}
    current_id = referent.pk if referent is not None else None
    # Walk up the chain as saved (the objects in hand may be stale): platforms refer to a
    # regional or national one, a few levels at most.
    for _step in range(50):
        if current_id is None:
            return
        if current_id in seen:
            raise TerritoryError(
                _("This platform already follows yours: choose another referent."), "referent"
            )
        seen.add(current_id)
        current_id = (
            CoordinationGroup.objects.filter(pk=current_id)
            .values_list("referent_id", flat=True)
            .first()
        )
    raise TerritoryError(_("The chain of referent platforms is too long."), "referent")


def _check_coordinates(latitude: object, longitude: object) -> None:
    if (latitude is None) != (longitude is None):
        raise TerritoryError(_("Give both latitude and longitude, or neither."), "longitude")
    if latitude is not None and not -90 <= latitude <= 90:
        raise TerritoryError(_("The latitude must be between -90 and 90."), "latitude")
    if longitude is not None and not -180 <= longitude <= 180:
        raise TerritoryError(_("The longitude must be between -180 and 180."), "longitude")


@transaction.atomic
def coordination_group_update(
    *,
    actor: User,
    group: CoordinationGroup,
    picture: UploadedFile | None = None,
    picture_remove: bool = False,
    **fields: object,
) -> CoordinationGroup:
    """Save the descriptive fields facilitators edit (COORDINATION_GROUP_EDITABLE) and the
    picture; raise TerritoryError naming the field when a value is refused, saving nothing.

    Renaming the group renames its wiki space too; its address (slug) never changes, so links
    keep working.
    """
    unexpected = set(fields) - COORDINATION_GROUP_EDITABLE
    if unexpected:
        raise TypeError(f"not editable here: {', '.join(sorted(unexpected))}")
    group = coordination_group_lock(group)
    values = {name: getattr(group, name) for name in COORDINATION_GROUP_EDITABLE}
    values.update(fields)
    values["name"] = _clean_name(values["name"])
    for name in _TEXT_FIELDS:
        values[name] = _clean_text(values[name], name)
    values["actor_type"] = line_clean(values["actor_type"])
    if len(values["actor_type"]) > 100:
        raise TerritoryError(
            _("The actor type is too long (at most 100 characters)."), "actor_type"
        )
    if values["level"] not in CoordinationGroup.Level.values:
        raise TerritoryError(_("Unknown level."), "level")
    places_check(country=group.country, region=values["region"], locality=values["locality"])
    _check_referent(group, values["referent"])
    _check_coordinates(values["latitude"], values["longitude"])
    values["languages"] = languages_clean(values["languages"])

    changed = [name for name, value in values.items() if getattr(group, name) != value]
    region_id_before, locality_id_before = group.region_id, group.locality_id
    for name in changed:
        setattr(group, name, values[name])
    if {"locality", "region"} & set(changed):
        hooks.group_places_changed(
            group=group, region_id_before=region_id_before, locality_id_before=locality_id_before
        )
    old_picture = group.picture.name if group.picture else ""
    if picture is not None:
        extension = picture_check(picture)
        # Our own file name: the uploaded one may be long, odd or say more than it should.
        group.picture.save(f"{group.slug}-{secrets.token_hex(4)}{extension}", picture, save=False)
        changed.append("picture")
    elif picture_remove and old_picture:
        group.picture = ""
        changed.append("picture")
    if not changed:
        return group
    group.save(update_fields=[*changed, "modified_at"])
    if "name" in changed:
        space_rename(space=group.space, name=group.name)
    if "picture" in changed and old_picture:
        storage = group.picture.storage
        transaction.on_commit(lambda: storage.delete(old_picture))
    audit_record(
        actor=actor,
        action="territories.coordination_group.updated",
        target=group,
        tenant_id=group.pk,
        fields=sorted(changed),
    )
    caching.invalidate(space_slug=group.space.slug)
    return group


def _is_last_facilitator(group: CoordinationGroup, membership: Membership) -> bool:
    return (
        membership.role == Membership.Role.FACILITATOR
        and not Membership.objects.filter(tenant=group, role=Membership.Role.FACILITATOR)
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def membership_role_change(
    *, actor: User, group: CoordinationGroup, user: User, role: str
) -> Membership:
    """Give a member of group another role; the last facilitator cannot be demoted."""
    group = coordination_group_lock(group)
    membership = Membership.objects.filter(tenant=group, user=user).first()
    if membership is None:
        raise TerritoryError(_("This person is not a member of the group."))
    if role not in Membership.Role.values:
        raise TerritoryError(_("Unknown role."), "role")
    if membership.role == role:
        return membership
    if role != Membership.Role.FACILITATOR and _is_last_facilitator(group, membership):
        raise TerritoryError(
            _(
                "%(name)s is the group's only facilitator. Make someone else facilitator "
                "first: a group always needs one."
            )
            % {"name": user.public_name},
            "role",
        )
    old_role = membership.role
    membership = membership_set(group=group, user=user, role=role)
    audit_record(
        actor=actor,
        action="territories.membership.changed",
        target=membership,
        tenant_id=group.pk,
        user_id=user.pk,
        old_role=old_role,
        role=role,
    )
    return membership


@transaction.atomic
def membership_end(*, actor: User, group: CoordinationGroup, user: User) -> None:
    """Remove user from group; the last facilitator cannot be removed."""
    group = coordination_group_lock(group)
    membership = Membership.objects.filter(tenant=group, user=user).first()
    if membership is None:
        raise TerritoryError(_("This person is not a member of the group."))
    if _is_last_facilitator(group, membership):
        raise TerritoryError(
            _(
                "%(name)s is the group's only facilitator and cannot be removed. Make someone "
                "else facilitator first."
            )
            % {"name": user.public_name}
        )
    audit_record(
        actor=actor,
        action="territories.membership.removed",
        target=membership,
        tenant_id=group.pk,
        user_id=user.pk,
        role=membership.role,
    )
    membership_remove(group=group, user=user)


def invitation_pending_list(*, group: CoordinationGroup) -> list[Invitation]:
    """Invitations of group whose link still works, newest first (a read, kept here beside
    the writes on invitations)."""
    from wikispiral.tenancy import tenant_scope

    with tenant_scope(group):
        return list(
            Invitation.objects.filter(
                tenant=group,
                accepted_at__isnull=True,
                revoked_at__isnull=True,
                expires_at__gt=timezone.now(),
            ).select_related("invited_by")
        )


@transaction.atomic
def invitation_accept_with_signup(
    *,
    token: str,
    username: str,
    password: str,
    display_name: str = "",
    preferred_language: str = "",
) -> User:
    """Create the account of an invited person (their address is the invitation's, confirmed by
    the link) and accept the invitation: both or neither.

    Raise TerritoryError when the link cannot be used, ValidationError keyed by field when an
    account rule fails (username taken or invalid, password refused by the validators).
    """
    invitation = invitation_get(token=token)
    problem = invitation_problem(invitation)
    if problem:
        raise TerritoryError(problem)
    user = invitations.invited_account_create(
        invitation=invitation,
        username=username,
        password=password,
        display_name=display_name,
        preferred_language=preferred_language,
    )
    invitation_accept(token=token, user=user)
    return user


def meeting_dates_clean(values: Iterable[str | date]) -> list[str]:
    """Meeting dates as sorted, distinct ISO strings (YYYY-MM-DD); raise TerritoryError on a
    value that is not a real date, or one before 1990 or more than five years ahead."""
    latest = timezone.localdate() + timedelta(days=5 * 366)
    days: set[str] = set()
    for raw in values:
        text = raw.isoformat() if isinstance(raw, date) else (raw or "").strip()
        if not text:
            continue
        try:
            if not _ISO_DATE.match(text):
                raise ValueError(text)
            day = date.fromisoformat(text)
        except ValueError as exc:
            raise TerritoryError(
                _("“%(value)s” is not a date written like 2025-03-14.") % {"value": text[:30]},
                "meeting_dates",
            ) from exc
        if day.year < 1990 or day > latest:
            raise TerritoryError(
                _("%(value)s is not a plausible meeting date.") % {"value": text},
                "meeting_dates",
            )
        days.add(day.isoformat())
    if len(days) > MAX_MEETING_DATES:
        raise TerritoryError(
            _("Give at most %(max)d meeting dates.") % {"max": MAX_MEETING_DATES},
            "meeting_dates",
        )
    return sorted(days)


def participants_check(
    *, total: int | None, women: int | None, men: int | None, other: int | None
) -> None:
    """Counts are whole numbers from 0 to 100,000, the total at least 1 (unknown is None,
    never 0); the parts add up to no more than total."""
    counts = {
        "participants": total,
        "participants_women": women,
        "participants_men": men,
        "participants_other": other,
    }
    for name, value in counts.items():
        if value is None:
            continue
        if name == "participants" and value < 1:
            raise TerritoryError(str(PARTICIPANTS_AT_LEAST_ONE), name)
        if value < 0:
            raise TerritoryError(_("A number of people cannot be negative."), name)
        if value > MAX_PARTICIPANTS:
            raise TerritoryError(
                _("At most %(max)s people: check the number.") % {"max": f"{MAX_PARTICIPANTS:,}"},
                name,
            )
    parts = sum(value for value in (women, men, other) if value is not None)
    if total is not None and parts > total:
        raise TerritoryError(
            _(
                "Women, men and others add up to %(parts)d, more than the %(total)d "
                "participants. Correct the total or the parts."
            )
            % {"parts": parts, "total": total},
            "participants",
        )


def _hg_values(
    *,
    current_profile_id: int | None,
    name: str,
    profile: Profile | None,
    profile_other: str,
    meeting_dates: Iterable[str | date],
    participants: int | None,
    participants_women: int | None,
    participants_men: int | None,
    participants_other: int | None,
    language: str,
    notes: str,
) -> dict[str, object]:
    name = _clean_name(name)
    profile_other = line_clean(profile_other)
    if len(profile_other) > 150:
        raise TerritoryError(
            _("The profile is too long (at most 150 characters)."), "profile_other"
        )
    # A profile the secretariat stopped offering stays valid on the groups that already use it.
    if profile is not None and not profile.is_active and profile.pk != current_profile_id:
        raise TerritoryError(_("This profile is no longer offered."), "profile")
    if profile is None and not profile_other:
        raise TerritoryError(_("Choose a profile, or describe it in your own words."), "profile")
    participants_check(
        total=participants, women=participants_women, men=participants_men, other=participants_other
    )
    language = (language or "").strip()
    if not _LANGUAGE_CODE.match(language):
        raise TerritoryError(_("Choose the language the group spoke."), "language")
    return {
        "name": name,
        "profile": profile,
        "profile_other": profile_other,
        "meeting_dates": meeting_dates_clean(meeting_dates),
        "participants": participants,
        "participants_women": participants_women,
        "participants_men": participants_men,
        "participants_other": participants_other,
        "language": language,
        "notes": _clean_text(notes, "notes"),
    }


def _hg_name_taken(group: CoordinationGroup, name: str, exclude_pk: int | None = None) -> None:
    taken = HomogeneousGroup.objects.with_scope(tenant=group).filter(
        tenant=group, name__iexact=name
    )
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise TerritoryError(
            _("This coordination group already has a homogeneous group called “%(name)s”.")
            % {"name": name},
            "name",
        )


def _hg_slug(group: CoordinationGroup, name: str) -> str:
    base = slugify(name)[:70].strip("-")
    if not base:
        raise TerritoryError(_("Choose a name that gives a usable address."), "name")
    # Addresses never change after creation, so a renamed group may hold the slug a new name
    # would take: such a newcomer gets a numbered address instead of an error.
    taken = (
        set(
            HomogeneousGroup.objects.with_scope(tenant=group)
            .filter(tenant=group, slug__startswith=base)
            .values_list("slug", flat=True)
        )
        | HG_RESERVED_SLUGS
    )
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def _facilitators_check(group: CoordinationGroup, facilitators: Iterable[User]) -> list[User]:
    facilitators = list(facilitators)
    members = set(
        Membership.objects.filter(
            tenant=group, user__in=[user.pk for user in facilitators]
        ).values_list("user_id", flat=True)
    )
    if any(user.pk not in members for user in facilitators):
        raise TerritoryError(
            _("The facilitators must be members of the coordination group."), "facilitators"
        )
    return facilitators


def _page_language(group: CoordinationGroup, language: str) -> str:
    offered = dict(settings.LANGUAGES)
    for candidate in (language, *group.languages):
        if candidate in offered:
            return candidate
    return settings.LANGUAGE_CODE


def _hg_page_body(hg: HomogeneousGroup) -> str:
    return _(
        "## Who we are\n\n%(profile)s\n\n## Our meeting\n\n"
        "To be written by the facilitators: where and when the group met, how it went.\n\n"
        "## Our criteria of well-being\n\n"
        "To be written by the facilitators.\n"
    ) % {"profile": hg.profile_label or _("To be written by the facilitators.")}


def _hg_page_create(*, hg: HomogeneousGroup, actor: User | None) -> Page:
    group = hg.tenant
    language = _page_language(group, hg.language)
    home = page_find(space=group.space, language=language, slug="home")
    with translation.override(language):
        body = _hg_page_body(hg)
        comment = _("Homogeneous group created")
    base = f"group-{hg.slug}"
    # A page someone already wrote at that address is left alone: take the next free one.
    for attempt in range(1, 20):
        try:
            return page_create(
                space=group.space,
                language=language,
                title=hg.name,
                slug=base if attempt == 1 else f"{base}-{attempt}",
                body=body,
                actor=actor,
                parent=home,
                comment=comment,
            )
        except PageExists:
            continue
    raise TerritoryError(_("Could not find a free address for the group's page."), "name")


@transaction.atomic
def homogeneous_group_create(
    *,
    actor: User | None,
    group: CoordinationGroup,
    name: str,
    profile: Profile | None = None,
    profile_other: str = "",
    meeting_dates: Iterable[str | date] = (),
    participants: int | None = None,
    participants_women: int | None = None,
    participants_men: int | None = None,
    participants_other: int | None = None,
    facilitators: Iterable[User] = (),
    language: str = "en",
    notes: str = "",
) -> HomogeneousGroup:
    """Form a homogeneous group in group, with its own page in the group's space; raise
    TerritoryError naming the field when a value is refused, saving nothing."""
    values = _hg_values(
        current_profile_id=None,
        name=name,
        profile=profile,
        profile_other=profile_other,
        meeting_dates=meeting_dates,
        participants=participants,
        participants_women=participants_women,
        participants_men=participants_men,
        participants_other=participants_other,
        language=language,
        notes=notes,
    )
    facilitators = _facilitators_check(group, facilitators)
    _hg_name_taken(group, values["name"])
    hg = HomogeneousGroup(tenant=group, slug=_hg_slug(group, values["name"]), created_by=actor)
    for field_name, value in values.items():
        setattr(hg, field_name, value)
    try:
        with transaction.atomic():
            hg.save()
    except IntegrityError as exc:
        # Another facilitator created a group with the same address a moment ago.
        raise TerritoryError(
            _("A homogeneous group with this name was just created. Choose another name."),
            "name",
        ) from exc
    hg.facilitators.set(facilitators)
    hg.page = _hg_page_create(hg=hg, actor=actor)
    hg.save(update_fields=["page"])
    audit_record(
        actor=actor,
        action="territories.homogeneous_group.created",
        target=hg,
        tenant_id=group.pk,
        slug=hg.slug,
    )
    return hg


HOMOGENEOUS_GROUP_EDITABLE = frozenset(
    {
        "name",
        "profile",
        "profile_other",
        "meeting_dates",
        "participants",
        "participants_women",
        "participants_men",
        "participants_other",
        "facilitators",
        "language",
        "notes",
    }
)


@transaction.atomic
def homogeneous_group_update(
    *, actor: User, hg: HomogeneousGroup, **changes: object
) -> HomogeneousGroup:
    """Change some details of a homogeneous group (HOMOGENEOUS_GROUP_EDITABLE; what is not
    given stays). Its address and its wiki page stay as they are: the page is wiki content,
    renamed (if wanted) by moving it in the wiki, and links to the group keep working."""
    unexpected = set(changes) - HOMOGENEOUS_GROUP_EDITABLE
    if unexpected:
        raise TypeError(f"not editable here: {', '.join(sorted(unexpected))}")
    group = hg.tenant
    current = {name: getattr(hg, name) for name in HOMOGENEOUS_GROUP_EDITABLE - {"facilitators"}}
    facilitators = changes.pop("facilitators", None)
    values = _hg_values(current_profile_id=hg.profile_id, **{**current, **changes})
    _hg_name_taken(group, values["name"], exclude_pk=hg.pk)
    changed = [name for name, value in values.items() if getattr(hg, name) != value]
    for field_name in changed:
        setattr(hg, field_name, values[field_name])
    if facilitators is not None:
        facilitators = _facilitators_check(group, facilitators)
        old_facilitators = set(hg.facilitators.values_list("pk", flat=True))
        if old_facilitators != {user.pk for user in facilitators}:
            hg.facilitators.set(facilitators)
            changed.append("facilitators")
    if not changed:
        return hg
    hg.save(update_fields=[name for name in changed if name != "facilitators"] + ["modified_at"])
    audit_record(
        actor=actor,
        action="territories.homogeneous_group.updated",
        target=hg,
        tenant_id=group.pk,
        fields=sorted(changed),
    )
    hooks.homogeneous_group_changed(tenant=group, homogeneous_group=hg, fields=frozenset(changed))
    return hg


def _place_level(region: Region | None, locality: Locality | None) -> str:
    if locality is not None:
        return CoordinationGroup.Level.LOCALITY
    if region is not None:
        return CoordinationGroup.Level.REGION
    return CoordinationGroup.Level.COUNTRY


@transaction.atomic
def citizens_group_create(
    *,
    actor: User,
    name: str,
    country: Country,
    region: Region | None = None,
    locality: Locality | None = None,
    profile: Profile | None = None,
    profile_other: str = "",
    language: str = "en",
    description: str = "",
) -> CoordinationGroup:
    """Register a citizens' group ("cycle 0"): a light coordination group of kind
    citizens_group, public at once but awaiting the secretariat's validation, with actor as its
    facilitator and one homogeneous group of the same name with its page. All or nothing."""
    name = _clean_name(name)
    description = _clean_text(description, "description", max_length=5000)
    places_check(country=country, region=region, locality=locality)
    if language not in dict(settings.LANGUAGES):
        raise TerritoryError(_("This language is not available."), "language")
    slug = slugify(name)[:80].strip("-")
    if slug and (
        CoordinationGroup.objects.filter(slug=slug).exists() or space_slug_taken(slug=slug)
    ):
        raise TerritoryError(
            _(
                "A group called “%(name)s” already exists. Add the name of your town or "
                "neighbourhood to tell yours apart."
            )
            % {"name": name},
            "name",
        )
    # Fail on the group's own details before opening anything.
    _hg_values(
        current_profile_id=None,
        name=name,
        profile=profile,
        profile_other=profile_other,
        meeting_dates=(),
        participants=None,
        participants_women=None,
        participants_men=None,
        participants_other=None,
        language=language,
        notes="",
    )
    details = {
        "kind": CoordinationGroup.Kind.CITIZENS_GROUP,
        "status": CoordinationGroup.Status.ACTIVE,
        "level": _place_level(region, locality),
        "platform_description": description,
    }
    group = None
    # network_id_next() reads the highest id in use: two people registering at the same moment
    # can draw the same one, and the unique index refuses the second. Draw again, once.
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                group = coordination_group_create(
                    actor=actor,
                    name=name,
                    network_id=network_id_next(),
                    country=country,
                    region=region,
                    locality=locality,
                    facilitator=actor,
                    language=language,
                    **details,
                )
            break
        except TerritoryError as error:
            if attempt == 2 or error.field not in (None, "network_id"):
                raise
    hg = homogeneous_group_create(
        actor=actor,
        group=group,
        name=name,
        profile=profile,
        profile_other=profile_other,
        facilitators=[actor],
        language=language,
    )
    audit_record(
        actor=actor,
        action="territories.citizens_group.created",
        target=group,
        tenant_id=group.pk,
        network_id=group.network_id,
        homogeneous_group_id=hg.pk,
    )
    return group
