"""The continents, countries, regions and localities: imported from a sheet, or added one at a
time when missing."""

import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from territories.models import (
    Continent,
    Country,
    Locality,
    Region,
)
from wikispiral.uploads import Limits, UploadProblem, csv_sheet, csv_text

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
        country, created = country_ensure(
            code=row["country_code"],
            name=row["country"],
            names=names,
            continent=continents[row["continent"]],
        )
        report.created["countries"] += created
        if not row["region"]:
            continue
        region, created = region_ensure(country=country, name=row["region"])
        report.created["regions"] += created
        if row["locality"]:
            _locality, created = locality_ensure(region=region, name=row["locality"])
            report.created["localities"] += created
    report.committed = True
    return report


def country_ensure(
    *, code: str, name: str, names: dict[str, str], continent: Continent
) -> tuple[Country, bool]:
    """The country with this ISO code, and whether it was added now (an existing one is kept
    as it is, names included)."""
    return Country.objects.get_or_create(
        code=code, defaults={"name": name, "names": names, "continent": continent}
    )


def region_ensure(*, country: Country, name: str) -> tuple[Region, bool]:
    """The region of country with this name's slug, and whether it was added now."""
    return Region.objects.get_or_create(
        country=country, slug=slugify(name, allow_unicode=True)[:150], defaults={"name": name}
    )


def locality_ensure(*, region: Region, name: str) -> tuple[Locality, bool]:
    """The locality of region with this name's slug, and whether it was added now."""
    return Locality.objects.get_or_create(
        region=region, slug=slugify(name, allow_unicode=True)[:150], defaults={"name": name}
    )
