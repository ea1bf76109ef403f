"""Writes to the territories app."""

import csv
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from territories.models import (
    Continent,
    CoordinationGroup,
    Country,
    Locality,
    Membership,
    Region,
)
from wikispiral.accounts.models import User
from wikispiral.errors import DomainError
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
    space = Space.objects.create(slug=slug, name=name, kind=Space.Kind.COORDINATION_GROUP)
    group = CoordinationGroup(
        name=name,
        slug=slug,
        network_id=network_id,
        country=country,
        region=region,
        locality=locality,
        space=space,
        languages=[language],
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
