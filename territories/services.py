"""Writes to the territories app."""

import csv
import hashlib
import io
import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from territories.models import (
    Continent,
    CoordinationGroup,
    Country,
    Invitation,
    Locality,
    Membership,
    Region,
)
from wikispiral.accounts.models import User
from wikispiral.audit.services import audit_record
from wikispiral.errors import DomainError
from wikispiral.mail import absolute_url, mail_send_on_commit
from wikispiral.wiki import caching
from wikispiral.wiki.models import Space
from wikispiral.wiki.services import page_create

GEOGRAPHY_COLUMNS = ("continent", "country_code", "country", "region", "locality")
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


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(_("The file is not encoded in UTF-8.")) from exc


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
        text = _decode(data)
    except ValueError as exc:
        report.errors.append(RowError(0, str(exc)))
        return report
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in GEOGRAPHY_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        report.errors.append(
            RowError(1, _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
        )
        return report
    continents = {c.code: c for c in Continent.objects.all()}
    rows = []
    for line, raw in enumerate(reader, start=2):
        row = {key: (value or "").strip() for key, value in raw.items() if key}
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
    name = " ".join((name or "").split())
    if not name:
        raise TerritoryError(_("A coordination group needs a name."), "name")
    slug = slugify(slug or name)[:80].strip("-")
    if not slug or slug in RESERVED_SLUGS:
        raise TerritoryError(_("Choose a name that gives a usable address."), "slug")
    if region is not None and region.country_id != country.pk:
        raise TerritoryError(_("This region is not in this country."), "region")
    if locality is not None and (region is None or locality.region_id != region.pk):
        raise TerritoryError(_("This locality is not in this region."), "locality")
    if CoordinationGroup.objects.filter(network_id=network_id).exists():
        raise TerritoryError(_("This network id is already used."), "network_id")
    if Space.objects.filter(slug=slug).exists():
        raise TerritoryError(_("This address is already used by another space."), "slug")
    space = Space.objects.create(
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


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


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
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        tenant=group,
        email=email,
        role=role,
        language=language,
        token_hash=_token_hash(token),
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
            .filter(token_hash=_token_hash(token or ""))
            .first()
        )


def invitation_problem(invitation: Invitation | None) -> str | None:
    """Why this invitation cannot be accepted, in words for the person; None if it can."""
    if invitation is None or invitation.revoked_at is not None:
        return _("This invitation link is not valid. Ask the facilitators for a new one.")
    if invitation.accepted_at is not None:
        return _("This invitation has already been used.")
    if invitation.expires_at <= timezone.now():
        return _("This invitation has expired. Ask the facilitators for a new one.")
    return None


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
