"""Writing criteria out: CSV and JSON streamed a chunk at a time, XLSX through openpyxl's
write-only mode, and the network's open-data archive (a ZIP built once per data version).

CSV files are UTF-8 without a byte-order mark, comma-separated, RFC 4180 quoting, formula-safe
(wikispiral.csvsafe: a text starting with = + - @, tab or carriage return gets a leading
apostrophe). JSON is one array of objects, streamed, texts unchanged. Spreadsheet users get the
XLSX: its cells are typed (a text that starts with "=" stays text, never a formula), texts
unchanged.
"""

import datetime
import hashlib
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from criteria.models import Component, Question
from criteria.transfer.selectors import (
    EXPORT_COLUMNS,
    criteria_export_rows,
    export_rows,
    open_data_version,
)
from criteria.transfer.storage import private_path
from territories.models import CoordinationGroup, HomogeneousGroup
from wikispiral import csvsafe
from wikispiral.tenancy import cross_tenant

CHUNK_ROWS = 1000
XLSX_MAX_ROWS = 1_048_575  # a sheet's rows, less the header
LANGUAGES = ("en", "fr", "pt")
LICENCE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}


class _Line:
    """A file-like object whose write returns what it was given (csv.writer into a string)."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(rows: Iterable[Iterable[object]], header: Iterable[str] = EXPORT_COLUMNS):
    """CSV text, a chunk of CHUNK_ROWS lines at a time (formula-safe, None as empty)."""
    writer = csvsafe.writer(_Line())
    yield writer.writerow(header)
    lines: list[str] = []
    for row in rows:
        lines.append(writer.writerow(row))
        if len(lines) == CHUNK_ROWS:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


def _json_value(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime.date) else value


def json_chunks(rows: Iterable[Iterable[object]], columns: Iterable[str] = EXPORT_COLUMNS):
    """A JSON array of objects (one per row), a chunk of CHUNK_ROWS objects at a time."""
    columns = list(columns)
    yield "["
    separator = "\n"
    lines: list[str] = []
    for row in rows:
        item = dict(zip(columns, map(_json_value, row), strict=True))
        lines.append(separator + json.dumps(item, ensure_ascii=False))
        separator = ",\n"
        if len(lines) == CHUNK_ROWS:
            yield "".join(lines)
            lines = []
    lines.append("\n]\n")
    yield "".join(lines)


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: object) -> object:
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith("="):
            cell = WriteOnlyCell(sheet, value)
            cell.data_type = "s"  # text, never a formula
            return cell
    return value


def xlsx_write(
    rows: Iterable[Iterable[object]],
    file: IO[bytes],
    *,
    title: str = "criteria",
    header: Iterable[str] = EXPORT_COLUMNS,
) -> None:
    """Write a workbook of rows to file; beyond a sheet's million rows they go on in another
    sheet."""
    workbook = Workbook(write_only=True)
    sheet: WriteOnlyWorksheet | None = None
    written = XLSX_MAX_ROWS
    number = 0
    for row in rows:
        if sheet is None or written == XLSX_MAX_ROWS:
            number += 1
            sheet = workbook.create_sheet(title if number == 1 else f"{title} ({number})")
            sheet.freeze_panes = "A2"
            sheet.append(_bold_row(sheet, header))
            written = 0
        sheet.append([_xlsx_cell(sheet, value) for value in row])
        written += 1
    if sheet is None:
        sheet = workbook.create_sheet(title)
        sheet.append(_bold_row(sheet, header))
    workbook.save(file)


def xlsx_file(
    rows: Iterable[Iterable[object]],
    *,
    title: str = "criteria",
    header: Iterable[str] = EXPORT_COLUMNS,
) -> IO[bytes]:
    """The workbook of rows in an anonymous temporary file, rewound (the response closes it)."""
    file = tempfile.TemporaryFile()  # noqa: SIM115
    xlsx_write(rows, file, title=title, header=header)
    file.seek(0)
    return file


def versioned_file(
    *, folder: str, name: str, version: str, write: Callable[[IO[bytes]], None]
) -> Path:
    """A file built once per version of the data and served from disk after that; building a
    new version removes the older ones of the same name. Built through a temporary file, so a
    reader never sees half of one."""
    path = private_path(folder, f"{name}--{version}")
    if path.exists():
        return path
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as file:
            write(file)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    for old in path.parent.glob(f"{name}--*"):
        if old != path:
            old.unlink(missing_ok=True)
    return path


def _bold_row(sheet: WriteOnlyWorksheet, values: Iterable[str]) -> list:
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value)
        cell.font = Font(bold=True)
        cells.append(cell)
    return cells


# --- Open data ----------------------------------------------------------------------------------

GRID_COLUMNS = (
    "version",
    "version_name",
    "current",
    "family",
    *(f"family_label_{code}" for code in LANGUAGES),
    "code",
    *(f"label_{code}" for code in LANGUAGES),
    "status",
    "active",
)
QUESTION_COLUMNS = (
    "code",
    "coordination_group_id",
    *(f"text_{code}" for code in LANGUAGES),
    "active",
)
GROUP_COLUMNS = (
    "id",
    "name",
    "type",
    "level",
    "country_code",
    "country",
    "region",
    "locality",
)
HOMOGENEOUS_GROUP_COLUMNS = ("id", "coordination_group_id", "name", "profile", "participants")

_STRING, _INTEGER, _DATE, _BOOLEAN = "string", "integer", "date", "boolean"
_FIELDS = {
    "criteria": {
        "id": (_INTEGER, "Identifier of the criterion."),
        "coordination_group_id": (_STRING, "Network identifier of the coordination group."),
        "coordination_group": (_STRING, "Name of the coordination group."),
        "country_code": (_STRING, "ISO 3166-1 alpha-2 code of the group's country."),
        "country": (_STRING, "Country name."),
        "region": (_STRING, "Region name (may be empty)."),
        "locality": (_STRING, "Locality name (may be empty)."),
        "homogeneous_group_id": (_INTEGER, "Identifier of the homogeneous group."),
        "homogeneous_group": (_STRING, "Name of the homogeneous group."),
        "homogeneous_group_profile": (_STRING, "Profile of the homogeneous group."),
        "question": (_STRING, "Code of the question answered (see questions.csv)."),
        "text": (_STRING, "The criterion, as the group wrote it."),
        "language": (_STRING, "Language of the text (ISO 639 code)."),
        "session_date": (_DATE, "Date of the session where the criterion was expressed."),
        "year": (_INTEGER, "Year of the session."),
        "status": (_STRING, "unclassified, classified or disputed."),
        "component": (_STRING, "Code of the grid component (see grid.csv); may be empty."),
        "component_label": (_STRING, "English label of the component."),
        "family": (_STRING, "Letter of the component's family."),
        "full_code": (_STRING, "Full code object/sense/beneficiary, e.g. A01-11/P15/k."),
    },
    "grid": {
        "version": (_INTEGER, "Number of the grid version."),
        "version_name": (_STRING, "Name of the grid version."),
        "current": (_BOOLEAN, "Whether this version is the one in use."),
        "family": (_STRING, "Letter of the family."),
        **{f"family_label_{c}": (_STRING, f"Family label ({c}).") for c in LANGUAGES},
        "code": (_STRING, "Component code."),
        **{f"label_{c}": (_STRING, f"Component label ({c}).") for c in LANGUAGES},
        "status": (_STRING, "confirmed, confirmed-description, confirmed-fr or provisional."),
        "active": (_BOOLEAN, "Whether the component may still be used."),
    },
    "questions": {
        "code": (_STRING, "Question code."),
        "coordination_group_id": (_STRING, "Empty for the network's questions."),
        **{f"text_{c}": (_STRING, f"Text of the question ({c}).") for c in LANGUAGES},
        "active": (_BOOLEAN, "Whether the question is still asked."),
    },
    "groups": {
        "id": (_STRING, "Network identifier of the coordination group."),
        "name": (_STRING, "Name."),
        "type": (_STRING, "territory, collective_actor or citizens_group."),
        "level": (_STRING, "locality, region or country."),
        "country_code": (_STRING, "ISO 3166-1 alpha-2 code."),
        "country": (_STRING, "Country name."),
        "region": (_STRING, "Region name (may be empty)."),
        "locality": (_STRING, "Locality name (may be empty)."),
    },
    "homogeneous_groups": {
        "id": (_INTEGER, "Identifier of the homogeneous group."),
        "coordination_group_id": (_STRING, "Network identifier of its coordination group."),
        "name": (_STRING, "Name."),
        "profile": (_STRING, "Profile (young people, elected officials...)."),
        "participants": (_INTEGER, "Number of participants, when known."),
    },
}
_DESCRIPTIONS = {
    "criteria": "Every criterion of well-being expressed in the network's visible groups.",
    "grid": "The SPIRAL grid: every component of every version, with its labels.",
    "questions": "The questions put to homogeneous groups.",
    "groups": "The coordination groups (visible ones).",
    "homogeneous_groups": "The homogeneous groups of the visible coordination groups.",
}

README = """wikispiral: criteria of well-being, open data
=============================================

Extracted on {extracted} from {site}.
Data version {version}.

The criteria of well-being, ill-being and action that citizens expressed together in the
homogeneous groups of the TOGETHER network (SPIRAL method), with the classification grid
they are sorted into. Groups that the network's secretariat has hidden are left out. The files
hold no personal data: nobody's name, and not who entered or classified a criterion.

Files (UTF-8, comma-separated, first line is the header; datapackage.json describes every
column, following the Frictionless Data "Data Package" specification):

  criteria.csv            one line per criterion: its coordination group and place, its
                          homogeneous group and profile, the question, the text, language,
                          session date and year, status and classification (component,
                          component label in English, family, full code).
  grid.csv                the grid: every component of every version (current and past),
                          with its family, labels in English, French and Portuguese, and status
                          ("provisional" labels await the secretariat's official wording).
  questions.csv           the questions: Q1 well-being, Q2 ill-being, Q3 what I do or could do
                          for the well-being of all, and the groups' own questions.
  groups.csv              the coordination groups: network id, name, type, level, country,
                          region, locality.
  homogeneous_groups.csv  the homogeneous groups: id, coordination group id, name, profile,
                          number of participants.
  datapackage.json        the descriptor of the files above.

So that no spreadsheet runs a text as a formula, a text cell that begins with =, +, -, @, a
tab or a carriage return is written with an apostrophe (') in front: remove that one leading
apostrophe to get the text as it was typed. Numbers never carry it. The XLSX and JSON exports
on the site carry the text unchanged.

Licence: Creative Commons Attribution 4.0 International (CC BY 4.0),
https://creativecommons.org/licenses/by/4.0/ . Credit "TOGETHER network, wikispiral" and link
to {site}.
"""


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _write_csv(archive: zipfile.ZipFile, name: str, header: Iterable[str], rows: Iterable) -> None:
    with (
        archive.open(name, "w", force_zip64=True) as raw,
        io.TextIOWrapper(raw, encoding="utf-8", newline="") as text,
    ):
        for chunk in csv_chunks(rows, header):
            text.write(chunk)


def _grid_rows() -> Iterator[list]:
    components = Component.objects.select_related("version", "family").order_by(
        "version__number", "family__order", "order", "code"
    )
    for component in components.iterator(chunk_size=500):
        family = component.family
        yield [
            component.version.number,
            component.version.name,
            _bool(component.version.is_current),
            family.letter,
            *(family.names.get(code, "") for code in LANGUAGES),
            component.code,
            *(component.names.get(code, "") for code in LANGUAGES),
            component.status,
            _bool(component.is_active),
        ]


def _question_rows() -> Iterator[list]:
    with cross_tenant():
        questions = (
            Question.objects.filter(Q(tenant__isnull=True) | Q(tenant__is_hidden=False))
            .select_related("tenant")
            .order_by("tenant__network_id", "order", "code")
        )
    for question in questions:
        yield [
            question.code,
            question.tenant.network_id if question.tenant_id else "",
            *(question.texts.get(code, "") for code in LANGUAGES),
            _bool(question.is_active),
        ]


def _group_rows() -> Iterator[list]:
    groups = (
        CoordinationGroup.objects.filter(is_hidden=False)
        .select_related("country", "region", "locality")
        .order_by("network_id")
    )
    for group in groups:
        yield [
            group.network_id,
            group.name,
            group.kind,
            group.level,
            group.country.code,
            group.country.name,
            group.region.name if group.region else "",
            group.locality.name if group.locality else "",
        ]


def _homogeneous_group_rows() -> Iterator[list]:
    with cross_tenant():
        groups = (
            HomogeneousGroup.objects.filter(tenant__is_hidden=False)
            .select_related("tenant", "profile")
            .order_by("tenant__network_id", "name", "pk")
        )
    for group in groups.iterator(chunk_size=1000):
        yield [
            group.pk,
            group.tenant.network_id,
            group.name,
            group.profile_label,
            group.participants,
        ]


def _datapackage(version: str, extracted: datetime.datetime) -> dict:
    resources = []
    for name, fields in _FIELDS.items():
        schema: dict = {
            "fields": [
                {"name": field, "type": kind, "description": description}
                for field, (kind, description) in fields.items()
            ]
        }
        if "id" in fields:
            schema["primaryKey"] = "id"
        schema["missingValues"] = [""]
        resources.append(
            {
                "name": name.replace("_", "-"),
                "path": f"{name}.csv",
                "title": name.replace("_", " ").capitalize(),
                "description": _DESCRIPTIONS[name],
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "profile": "tabular-data-resource",
                "schema": schema,
            }
        )
    return {
        "profile": "tabular-data-package",
        "name": "wikispiral-criteria",
        "title": "wikispiral: criteria of well-being of the TOGETHER network",
        "description": "Criteria of well-being expressed by citizens with the SPIRAL method, "
        "their classification grid, questions and groups. No personal data.",
        "version": version,
        "created": extracted.isoformat(timespec="seconds"),
        "homepage": settings.SITE_URL,
        "licenses": [LICENCE],
        "sources": [{"title": "wikispiral", "path": settings.SITE_URL}],
        "resources": resources,
    }


def open_data_write(file: IO[bytes], version: str) -> None:
    """Write the open-data archive of the network (visible groups only) to file."""
    extracted = timezone.now()
    with (
        translation.override("en"),
        zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED) as archive,
    ):
        rows = export_rows(criteria_export_rows(language="en"))
        _write_csv(archive, "criteria.csv", EXPORT_COLUMNS, rows)
        _write_csv(archive, "grid.csv", GRID_COLUMNS, _grid_rows())
        _write_csv(archive, "questions.csv", QUESTION_COLUMNS, _question_rows())
        _write_csv(archive, "groups.csv", GROUP_COLUMNS, _group_rows())
        _write_csv(
            archive,
            "homogeneous_groups.csv",
            HOMOGENEOUS_GROUP_COLUMNS,
            _homogeneous_group_rows(),
        )
        archive.writestr(
            "README.txt",
            README.format(
                extracted=extracted.date().isoformat(), site=settings.SITE_URL, version=version
            ),
        )
        archive.writestr(
            "datapackage.json",
            json.dumps(_datapackage(version, extracted), indent=2, ensure_ascii=False),
        )


# Part of the archive's version: bump it when what the files hold changes for the same data
# (2: formula-safe CSV), so archives built before are rebuilt and no ETag keeps the old one.
OPEN_DATA_FORMAT = 2


def open_data_archive() -> tuple[Path, str]:
    """The open-data archive of the current data version (built on the first request after a
    change, then served from its file) and that version."""
    stamp = f"{open_data_version()}|{OPEN_DATA_FORMAT}"
    version = hashlib.sha256(stamp.encode()).hexdigest()[:16]
    path = versioned_file(
        folder="open-data",
        name="wikispiral-criteria-open-data.zip",
        version=version,
        write=lambda file: open_data_write(file, version),
    )
    return path, version


def xlsx_across_groups(*, name: str, rows_queryset: QuerySet) -> Path:
    """A country's or the network's workbook, kept per data version: openpyxl writes some
    5,000 rows a second, too slow to build on every download of a large export."""
    return versioned_file(
        folder="exports",
        name=f"criteria-{name}.xlsx",
        version=open_data_version(),
        write=lambda file: xlsx_write(export_rows(rows_queryset), file),
    )


# --- Import templates ---------------------------------------------------------------------------

TEMPLATE_COLUMNS = ("group", "question", "text", "date", "language", "component", "full_code")


def _template_examples(tenant: CoordinationGroup, groups: list[HomogeneousGroup]) -> list[list]:
    first = groups[0] if groups else None
    second = groups[1] if len(groups) > 1 else first
    today = timezone.localdate().isoformat()
    return [
        [
            first.slug if first else "young-people",
            "Q1",
            translation.gettext("Eating healthy food every day"),
            today,
            first.language if first else translation.get_language(),
            "A01",
            "A01/O",
        ],
        [
            second.slug if second else "young-people",
            "Q2",
            translation.gettext("Being alone in the evening"),
            today,
            second.language if second else translation.get_language(),
            "",
            "",
        ],
    ]


def import_template_csv(
    *, tenant: CoordinationGroup, groups: list[HomogeneousGroup]
) -> Iterator[str]:
    """The CSV template: the header and two example rows."""
    return csv_chunks(_template_examples(tenant, groups), TEMPLATE_COLUMNS)


def import_template_xlsx(
    *,
    tenant: CoordinationGroup,
    groups: list[HomogeneousGroup],
    questions: Iterable[Question],
    components: Iterable[Component],
) -> IO[bytes]:
    """The XLSX template: the header and two example rows, then a sheet listing what the
    columns may name in this coordination group (groups, questions, grid codes)."""
    gettext = translation.gettext
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(gettext("criteria"))
    sheet.append(_bold_row(sheet, TEMPLATE_COLUMNS))
    for row in _template_examples(tenant, groups):
        sheet.append(row)
    reference = workbook.create_sheet(gettext("reference"))
    sections = [
        (
            gettext("Homogeneous groups of %(name)s") % {"name": tenant.name},
            [gettext("group (short name)"), gettext("name"), gettext("language")],
            [[group.slug, group.name, group.language] for group in groups],
        ),
        (
            gettext("Questions"),
            [gettext("question (code)"), gettext("text")],
            [[question.code, question.text()] for question in questions],
        ),
        (
            gettext("Components of the current grid"),
            [gettext("component (code)"), gettext("label"), gettext("family")],
            [
                [component.code, component.label(), component.family.label()]
                for component in components
            ],
        ),
    ]
    for title, header, rows in sections:
        reference.append(_bold_row(reference, [title]))
        reference.append(_bold_row(reference, header))
        for row in rows:
            reference.append([_xlsx_cell(reference, value) for value in row])
        reference.append([])
    reference.append(
        [
            gettext(
                "full_code: object/sense/beneficiary, e.g. A01-11/P15/k; any shorter prefix "
                "(A01, A01-11, A01-11/P15) is valid. It must start with the row's component."
            )
        ]
    )
    file = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it)
    workbook.save(file)
    file.seek(0)
    return file
