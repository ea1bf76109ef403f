"""Coordination groups opened in bulk, as on an application's approval."""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from territories.models import (
    CoordinationGroup,
    Country,
    Locality,
    Membership,
    NetworkMember,
    Region,
)
from territories.services._common import MAX_TEXT_LENGTH, TerritoryError
from territories.services.bulk_open._common import (
    BulkReport,
    UnknownPlace,
    _fold,
    _key,
    _Rows,
    _start,
    _write,
)
from territories.services.groups import (
    RESERVED_SLUGS,
    coordination_group_create,
    coordination_group_update,
    languages_clean,
    network_id_next,
)
from territories.services.invitations import invitation_create
from wikispiral.accounts.models import User
from wikispiral.audit.services import audit_record
from wikispiral.mail import language_or_default
from wikispiral.tenancy import cross_tenant
from wikispiral.text import line_clean
from wikispiral.uploads import Sheet
from wikispiral.wiki.selectors import space_slug_taken

GROUP_COLUMNS = (
    "network_id",
    "name",
    "slug",
    "type",
    "actor_type",
    "country",
    "region",
    "locality",
    "platform_description",
    "territory_description",
    "process_summary",
    "stakeholders",
    "contacts",
    "support_needs",
    "status",
    "facilitator_email",
    "language",
    "languages",
)
GROUP_REQUIRED = ("name", "country")
_TEXT_COLUMNS = (
    "platform_description",
    "territory_description",
    "process_summary",
    "stakeholders",
    "contacts",
    "support_needs",
)
_NETWORK_ID = re.compile(r"^GC(\d{4,10})$")
# The column of a field a service names in its error (anything else: the name).
_GROUP_FIELD_COLUMNS = {
    **{column: column for column in GROUP_COLUMNS},
    "email": "facilitator_email",
    "kind": "type",
    "": "name",
}


# --- Places ------------------------------------------------------------------------------------


class _Places:
    """Countries, regions and localities by code, slug or name, as the geography import
    records them; loaded once per file."""

    def __init__(self) -> None:
        self.countries: dict[str, Country] = {}
        for country in Country.objects.all():
            self.countries[country.code.casefold()] = country
            for name in (country.name, *country.names.values()):
                self.countries.setdefault(_fold(str(name)), country)
        self.regions: dict[tuple[int, str], Region] = {}
        for region in Region.objects.all():
            self.regions[(region.country_id, region.slug)] = region
            self.regions.setdefault((region.country_id, _fold(region.name)), region)
        self.localities: dict[tuple[int, str], Locality] = {}
        for locality in Locality.objects.all():
            self.localities[(locality.region_id, locality.slug)] = locality
            self.localities.setdefault((locality.region_id, _fold(locality.name)), locality)

    def find(
        self, row: dict[str, str]
    ) -> tuple[Country | None, Region | None, Locality | None, str]:
        """The row's places, and the first column naming one that is unknown ("" if none)."""
        country = self.countries.get(_fold(row["country"]))
        if country is None:
            return None, None, None, "country"
        region = locality = None
        if row["region"]:
            region = self._in(self.regions, country.pk, row["region"])
            if region is None:
                return country, None, None, "region"
        if row["locality"]:
            if region is None:
                return country, None, None, "region"
            locality = self._in(self.localities, region.pk, row["locality"])
            if locality is None:
                return country, region, None, "locality"
        return country, region, locality, ""

    @staticmethod
    def _in(places: dict, parent: int, value: str) -> Any:
        return places.get((parent, slugify(value, allow_unicode=True)[:150])) or places.get(
            (parent, _fold(value))
        )


# --- Coordination groups -----------------------------------------------------------------------


@dataclass
class _GroupPlan:
    row: int
    label: str
    existing: CoordinationGroup | None
    create: dict[str, Any] = field(default_factory=dict)
    changes: dict[str, Any] = field(default_factory=dict)
    facilitator_email: str = ""
    language: str = "en"
    languages: list[str] = field(default_factory=list)


def _choice(value: str, choices: type[models.TextChoices], default: str) -> str | None:
    if not value:
        return default
    wanted = _key(value)
    for code, label in choices.choices:
        if wanted in (code, _key(str(label))):
            return str(code)
    return None


def _level(region: Region | None, locality: Locality | None) -> str:
    if locality is not None:
        return CoordinationGroup.Level.LOCALITY
    if region is not None:
        return CoordinationGroup.Level.REGION
    return CoordinationGroup.Level.COUNTRY


def _group_row(
    number: int,
    row: dict[str, str],
    rows: _Rows,
    places: _Places,
    by_network_id: dict[str, CoordinationGroup],
    by_slug: dict[str, CoordinationGroup],
) -> _GroupPlan | None:
    errors_before = len(rows.report.errors)

    def error(column: str, message: str) -> None:
        rows.error(number, column, message)

    network_id = row["network_id"].upper()
    if network_id and not _NETWORK_ID.match(network_id):
        error(
            "network_id",
            _("“%(value)s” is not a network id like GC136526.") % {"value": network_id[:30]},
        )
    name = line_clean(row["name"])
    if not name:
        error("name", _("The name is missing."))
    elif len(name) > 200:
        error("name", _("The name is too long (at most %(max)d characters).") % {"max": 200})
    slug = slugify(row["slug"] or name)[:80].strip("-")
    if name and (not slug or slug in RESERVED_SLUGS):
        error("slug", _("Choose a name or an address (slug) that gives a usable address."))
    existing = by_network_id.get(network_id) if network_id else None
    if existing is None and slug:
        by_address = by_slug.get(slug)
        if by_address is not None and network_id and by_address.network_id != network_id:
            error(
                "slug",
                _("The address “%(slug)s” belongs to the group %(network_id)s.")
                % {"slug": slug, "network_id": by_address.network_id},
            )
        elif by_address is not None:
            existing = by_address
        elif space_slug_taken(slug=slug):
            error("slug", _("This address is already used by another space."))
    kind = _choice(row["type"], CoordinationGroup.Kind, CoordinationGroup.Kind.TERRITORY)
    if kind is None:
        error(
            "type",
            _("Unknown type “%(value)s”: write one of %(choices)s.")
            % {"value": row["type"][:50], "choices": ", ".join(CoordinationGroup.Kind.values)},
        )
    status = _choice(row["status"], CoordinationGroup.Status, CoordinationGroup.Status.VALIDATED)
    if status is None:
        error(
            "status",
            _("Unknown status “%(value)s”: write one of %(choices)s.")
            % {"value": row["status"][:50], "choices": ", ".join(CoordinationGroup.Status.values)},
        )
    country = region = locality = None
    if not row["country"]:
        error("country", _("The country is missing."))
    elif row["locality"] and not row["region"]:
        error("region", _("A locality needs its region."))
    else:
        country, region, locality, unknown = places.find(row)
        if unknown:
            place = UnknownPlace(row["country"], row["region"], row["locality"])
            if place not in rows.report.unknown_places:
                rows.report.unknown_places.append(place)
            messages = {
                "country": _("Unknown country “%(value)s”: add it on the geography page."),
                "region": _(
                    "Unknown region “%(value)s” in this country: add it on the geography page."
                ),
                "locality": _(
                    "Unknown locality “%(value)s” in this region: add it on the geography page."
                ),
            }
            error(unknown, messages[unknown] % {"value": row[unknown][:150]})
    actor_type = line_clean(row["actor_type"])
    if len(actor_type) > 100:
        error("actor_type", _("The actor type is too long (at most 100 characters)."))
    texts = {}
    for column in _TEXT_COLUMNS:
        texts[column] = row[column].replace("\r\n", "\n").strip()
        if len(texts[column]) > MAX_TEXT_LENGTH:
            error(
                column,
                _("This text is too long (at most %(max)d characters).") % {"max": MAX_TEXT_LENGTH},
            )
    email = row["facilitator_email"].lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            error(
                "facilitator_email",
                _("“%(value)s” is not an e-mail address.") % {"value": email[:100]},
            )
    language = row["language"].lower()
    if language and language not in dict(settings.LANGUAGES):
        error(
            "language",
            _("Unknown language “%(value)s”: write one of %(choices)s.")
            % {"value": language[:20], "choices": ", ".join(dict(settings.LANGUAGES))},
        )
    language = language_or_default(language or settings.LANGUAGE_CODE)
    languages: list[str] = []
    try:
        languages = languages_clean(re.split(r"[\s,;]+", row["languages"]))
    except TerritoryError as exc:
        error("languages", exc.message)
    if len(rows.report.errors) > errors_before or country is None:
        return None
    plan = _GroupPlan(
        row=number,
        label=f"{name} ({existing.network_id if existing else network_id or slug})",
        existing=existing,
        facilitator_email=email,
        language=language,
        languages=list(dict.fromkeys([language, *languages])),
    )
    if existing is None:
        plan.create = {
            "name": name,
            "network_id": network_id,
            "slug": slug,
            "country": country,
            "region": region,
            "locality": locality,
            "kind": kind,
            "status": status,
            "actor_type": actor_type,
            "level": _level(region, locality),
            **texts,
        }
        return plan
    if existing.country_id != country.pk:
        error("country", _("This group is already recorded in another country."))
        return None
    wanted: dict[str, Any] = {"name": name, "actor_type": actor_type, **texts}
    if row["region"]:
        wanted |= {"region": region, "locality": locality, "level": _level(region, locality)}
    if row["languages"] or row["language"]:
        given = [language] if row["language"] else []
        wanted["languages"] = list(dict.fromkeys([*existing.languages, *given, *languages]))
    plan.changes = {
        column: value
        for column, value in wanted.items()
        if value not in ("", None) or column in ("region", "locality")
        if getattr(existing, column) != value
    }
    return plan


def _network_ids(used_in_file: set[str]) -> Iterator[str]:
    """Fresh network ids above those in use, in the database and in the file."""
    numbers = [int(m.group(1)) for value in used_in_file if (m := _NETWORK_ID.match(value))]
    number = max([int(network_id_next()[2:]) - 1, *numbers])
    while True:
        number += 1
        yield f"GC{number:06d}"


def _groups_check(sheet: Sheet) -> tuple[BulkReport, list[_GroupPlan]]:
    report, rows = _start(sheet, GROUP_COLUMNS, GROUP_REQUIRED)
    if report.errors:
        return report, []
    places = _Places()
    groups = list(CoordinationGroup.objects.all())
    by_network_id = {group.network_id: group for group in groups}
    by_slug = {group.slug: group for group in groups}
    plans: list[_GroupPlan] = []
    seen_ids: dict[str, int] = {}
    seen_slugs: dict[str, int] = {}
    for number, row in rows:
        network_id = row["network_id"].upper()
        if network_id in seen_ids:
            rows.error(
                number,
                "network_id",
                _("The network id %(value)s is already on row %(row)d.")
                % {"value": network_id, "row": seen_ids[network_id]},
            )
        elif network_id:
            seen_ids[network_id] = number
        slug = slugify(row["slug"] or line_clean(row["name"]))[:80].strip("-")
        if slug and slug in seen_slugs:
            rows.error(
                number,
                "slug" if row["slug"] else "name",
                _("The address “%(slug)s” is already on row %(row)d.")
                % {"slug": slug, "row": seen_slugs[slug]},
            )
        elif slug:
            seen_slugs[slug] = number
        plan = _group_row(number, row, rows, places, by_network_id, by_slug)
        if plan is not None:
            plans.append(plan)
    if report.errors:
        return report, []
    fresh = _network_ids(set(seen_ids))
    for plan in plans:
        if plan.existing is None:
            plan.create["network_id"] = plan.create["network_id"] or next(fresh)
            report.to_open.append(plan.label)
        elif plan.changes:
            report.updated.append(plan.label)
        else:
            report.unchanged.append(plan.label)
    return report, plans


def _facilitator_account(email: str) -> User | None:
    # As on approval: only a confirmed address gets the platform at once; others are invited.
    return (
        User.objects.filter(is_active=True, email__iexact=email, email_confirmed_at__isnull=False)
        .order_by("pk")
        .first()
    )


def _group_open(plan: _GroupPlan, actor: User) -> CoordinationGroup:
    facilitator = _facilitator_account(plan.facilitator_email) if plan.facilitator_email else None
    with translation.override(plan.language):
        group = coordination_group_create(
            actor=actor,
            facilitator=facilitator,
            language=plan.language,
            languages=plan.languages,
            **plan.create,
        )
    invited = False
    if facilitator is None and plan.facilitator_email:
        invitation_create(
            group=group,
            email=plan.facilitator_email,
            role=Membership.Role.FACILITATOR,
            actor=actor,
            language=plan.language,
        )
        invited = True
    if plan.languages != group.languages:
        group.languages = plan.languages
        group.save(update_fields=["languages", "modified_at"])
    NetworkMember.objects.create(
        kind=NetworkMember.Kind.FULL,
        nature=NetworkMember.Nature.COORDINATION_GROUP,
        name=group.name,
        coordination_group=group,
        country=group.country,
        description=group.platform_description,
        joined_on=timezone.localdate(),
    )
    audit_record(
        actor=actor,
        action="territories.coordination_group.bulk_opened",
        target=group,
        tenant_id=group.pk,
        network_id=group.network_id,
        slug=group.slug,
        row=plan.row,
        facilitator="invited" if invited else ("member" if facilitator else "none"),
    )
    return group


def groups_bulk_preview(*, sheet: Sheet) -> BulkReport:
    """Check every row of a coordination groups sheet; nothing is written."""
    with cross_tenant():
        return _groups_check(sheet)[0]


def groups_bulk_open(*, sheet: Sheet, actor: User, filename: str = "") -> BulkReport:
    """Check the sheet again and, if no row has an error, open its new coordination groups
    (space, home page, facilitator invited, network member) and update the existing ones;
    all or nothing, audited per group and once for the file."""
    with cross_tenant():
        report, plans = _groups_check(sheet)
        if report.errors:
            return report
        rows = _Rows(sheet, GROUP_COLUMNS, report)

        def apply(plan: _GroupPlan) -> CoordinationGroup:
            if plan.existing is None:
                return _group_open(plan, actor)
            if plan.changes:
                return coordination_group_update(actor=actor, group=plan.existing, **plan.changes)
            return plan.existing

        return _write(
            report,
            plans,
            apply,
            actor=actor,
            action="territories.coordination_group.bulk_file",
            filename=filename,
            column=lambda name: rows.header(_GROUP_FIELD_COLUMNS.get(name, name)),
        )
