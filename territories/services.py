"""Writes to the territories app."""

import csv
import io
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from territories.models import Continent, Country, Locality, Region

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
