"""Tiki's tracker exports (CSV), read within bounds, every bad row a problem.

What Tiki writes (action_export_items in lib/core/Services/Tracker/Controller.php, and before it
tiki-export_tracker_ajax.php; dump_tracker_csv in lib/trackers/trackerlib.php for the "dump"):

- a header line of the chosen generic columns, named `itemId`, `status`, `created`,
  `lastModif` (in that order), then one column per field named `<field name> -- <field id>`;
- the chosen separator (a comma unless the person picked another) and delimiters (double quotes,
  doubled inside a value);
- every line break inside a value, and every `<br />`, written as `%%%` (the "CR" option), so a
  record is one physical line;
- `created` and `lastModif` as the site's short date and time (`%Y-%m-%d %H:%M` by default, in
  the site's time zone) or, with "Unix timestamp" ticked, as seconds since 1970;
- UTF-8, or ISO-8859-1 when chosen (the older exporter's default); no byte order mark, though a
  file saved again by a spreadsheet may have one;
- the dump writes unquoted generic columns with Unix times, a trailing separator on every line
  and quotes escaped as `\\"`.

The item status is Tiki's one letter: `o` open, `p` pending, `c` closed. Item ids are the
idempotency key of the import, so a file without an `itemId` column is refused.

Bad input never raises: the file's problems and each row's are TrackerProblem lines. A row with
an error is left out of `rows`; the reading as a whole is usable only when `ok`.
"""

import codecs
import csv
import datetime
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from wikispiral.uploads.base import (
    Limits,
    UploadProblem,
    cell_too_long,
    file_kind,
    grouped,
    looks_utf16,
    too_large,
    too_many_columns,
    too_many_rows,
)
from wikispiral.wiki.tiki.dates import (
    UNIX,
    date_form_label,
    date_forms,
    date_forms_all,
    date_in_form,
    zone_get,
)

# Tiki's trackers hold long texts (a group's description): cells and lines are allowed more
# than a spreadsheet upload's, rows as many as the criteria tracker of the bench (100,000).
TRACKER_LIMITS = Limits(
    max_bytes=64 * 1024 * 1024,
    max_rows=150_000,
    max_columns=300,
    max_cell_chars=200_000,
    max_line_chars=2_000_000,
)

ERROR = "error"
WARNING = "warning"

# The generic columns, by their name with case and punctuation ignored.
GENERIC_COLUMNS = {
    "itemid": "item_id",
    "status": "status",
    "created": "created",
    "lastmodif": "modified",
    "createdby": "created_by",
    "lastmodifby": "modified_by",
}
_DATE_COLUMNS = ("created", "modified")
_FIELD_HEADER = re.compile(r"^(?P<name>.*?)\s+--\s+(?P<id>\d+)$", re.DOTALL)
_SEPARATORS = (",", ";", "\t", "|")
_LATIN = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "cp1252", "windows-1252", "l1"}


@dataclass(frozen=True)
class TikiColumn:
    """One column of the header: a generic one (kind names it) or a field (name and id)."""

    index: int
    header: str
    kind: str = ""  # item_id, status, created, modified, created_by, modified_by or ""
    name: str = ""
    field_id: str = ""


@dataclass(frozen=True)
class TrackerRow:
    """One tracker item; number is the line of the file (the header is line 1). fields holds
    every field column's value keyed by its header ("Name -- 12") and by its field id ("12"),
    `%%%` turned back into line breaks."""

    number: int
    item_id: int
    status: str
    created: datetime.datetime | None
    modified: datetime.datetime | None
    created_by: str
    modified_by: str
    fields: dict[str, str]


@dataclass(frozen=True)
class TrackerProblem:
    """A line for the report; row is 0 for the file as a whole, message is translated."""

    source: str
    message: str
    row: int = 0
    level: str = ERROR
    column: str = ""


@dataclass
class TrackerReading:
    source: str
    columns: list[TikiColumn] = field(default_factory=list)
    rows: list[TrackerRow] = field(default_factory=list)
    problems: list[TrackerProblem] = field(default_factory=list)
    separator: str = ""
    encoding: str = ""
    # The date form read in each date column: UNIX, ISO or one of DATE_FORMATS' patterns.
    date_formats: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(problem.level == ERROR for problem in self.problems)

    @property
    def header(self) -> list[str]:
        return [column.header for column in self.columns]

    def column_find(self, reference: str) -> TikiColumn | None:
        """The field column a mapping names: its whole header ("Name -- 12"), its field id
        ("12") or its name alone ("Name") when no other field has that name."""
        return column_find(self.columns, reference)


class CsvRefused(Exception):
    """The file cannot be read (further); the message says why."""


def column_find(columns: Iterable[TikiColumn], reference: str) -> TikiColumn | None:
    wanted = reference.strip()
    columns = list(columns)
    for column in columns:
        if column.header == wanted:
            return column
    for column in columns:
        if column.field_id and column.field_id == wanted:
            return column
    folded = wanted.casefold()
    named = [c for c in columns if (c.name or c.header).strip().casefold() == folded]
    return named[0] if len(named) == 1 else None


# --- Text ---------------------------------------------------------------------------------------


def _latin(raw: bytes) -> str:
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def text_decode(data: bytes, encoding: str | None) -> tuple[str, str, str | None]:
    """The text, the encoding used, and a warning when it had to be guessed."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", "replace"), "UTF-8", None
    declared = (encoding or "").strip()
    try:
        codec = codecs.lookup(declared).name if declared else ""
    except LookupError:
        codec = "unknown"
    try:
        utf8: str | None = data.decode("utf-8")
    except UnicodeDecodeError:
        utf8 = None
    if codec in {"", "unknown"}:
        text, used = (utf8, "UTF-8") if utf8 is not None else (_latin(data), "ISO-8859-1")
        if codec == "unknown":
            return (
                text,
                used,
                _("The encoding “%(encoding)s” is unknown; the file was read as %(used)s.")
                % {"encoding": declared[:40], "used": used},
            )
        if used == "UTF-8":
            return text, used, None
        return (
            text,
            used,
            _("The file is not UTF-8; it was read as ISO-8859-1. Check its accents."),
        )
    if declared.lower() in _LATIN or codec in {"latin-1", "iso8859-1", "cp1252"}:
        if utf8 is not None and not data.isascii():
            return (
                utf8,
                "UTF-8",
                _("The file was said to be ISO-8859-1 but is UTF-8; it was read as UTF-8."),
            )
        return _latin(data), "ISO-8859-1", None
    try:
        return data.decode(codec), declared.upper(), None
    except UnicodeDecodeError:
        text, used = (utf8, "UTF-8") if utf8 is not None else (_latin(data), "ISO-8859-1")
        return (
            text,
            used,
            _("The file is not valid %(encoding)s; it was read as %(used)s. Check its accents.")
            % {"encoding": declared[:40], "used": used},
        )


def _first_line(text: str, limit: int) -> str:
    return text[: limit + 1].split("\n", 1)[0].rstrip("\r")


def separator_guess(text: str, limits: Limits = TRACKER_LIMITS) -> str:
    """The separator that splits the header line into the most cells (quotes respected)."""
    line = _first_line(text, limits.max_line_chars)
    best, cells = ",", 1
    for separator in _SEPARATORS:
        try:
            count = len(next(csv.reader([line], delimiter=separator), []))
        except csv.Error:
            continue
        if count > cells:
            best, cells = separator, count
    return best


_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)


def value_clean(value: str) -> str:
    """A cell as Tiki meant it: `%%%` (and a stray `<br />`) back to line breaks."""
    if "%" not in value and "\r" not in value and "<" not in value:
        return value  # most cells: nothing to do
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("%%%", "\n")
    return _BR.sub("\n", text)


# --- Reading ------------------------------------------------------------------------------------


def _columns(header: list[str]) -> list[TikiColumn]:
    columns = []
    for index, raw in enumerate(header):
        text = raw.strip().lstrip("\ufeff").strip()
        key = re.sub(r"[^a-z]", "", text.lower())
        match = _FIELD_HEADER.match(text)
        if match:
            columns.append(
                TikiColumn(
                    index=index,
                    header=text,
                    name=match.group("name").strip(),
                    field_id=match.group("id"),
                )
            )
        elif key in GENERIC_COLUMNS:
            columns.append(TikiColumn(index=index, header=text, kind=GENERIC_COLUMNS[key]))
        else:
            columns.append(TikiColumn(index=index, header=text, name=text))
    return columns


def csv_records(
    text: str, separator: str, escaped: bool, limits: Limits
) -> Iterable[tuple[int, list[str]]]:
    """(line number, cells) of each record, limits checked; CsvRefused when the file cannot be
    read further."""
    if len(text) > limits.max_line_chars:
        for number, line in enumerate(text.splitlines(), 1):
            if len(line) > limits.max_line_chars:
                raise CsvRefused(
                    _(
                        "Line %(line)d is longer than %(max)s characters: a quotation mark "
                        "that is not closed, or a file of another kind?"
                    )
                    % {"line": number, "max": grouped(limits.max_line_chars)}
                )
    stream = io.StringIO(text, newline="")
    if escaped:
        reader = csv.reader(stream, delimiter=separator, strict=True, escapechar="\\")
    else:
        reader = csv.reader(stream, delimiter=separator, strict=True)
    count = 0
    start = 1
    try:
        for cells in reader:
            count += 1
            if count > limits.max_rows + 1:
                raise too_many_rows(limits)
            if len(cells) > limits.max_columns:
                raise too_many_columns(start, limits)
            if cells and max(map(len, cells)) > limits.max_cell_chars:
                raise cell_too_long(start, limits)
            yield start, cells
            start = reader.line_num + 1
    except UploadProblem as problem:
        raise CsvRefused(problem.message) from problem
    except csv.Error as error:
        if "unexpected end of data" in str(error) or "EOF" in str(error):
            raise CsvRefused(
                _(
                    "The file ends inside a quoted value (from line %(line)d): it is cut "
                    "short or a quotation mark is not closed. Export it again."
                )
                % {"line": start}
            ) from error
        if "field larger than field limit" in str(error):
            raise CsvRefused(cell_too_long(start, limits).message) from error
        raise CsvRefused(
            _(
                "The file cannot be read as CSV around line %(line)d (a quotation mark in the "
                "middle of a value?). Check that line and export it again."
            )
            % {"line": reader.line_num}
        ) from error


def tracker_read(
    data: bytes,
    *,
    filename: str,
    separator: str | None = None,
    encoding: str | None = None,
    timezone: str = "UTC",
    limits: Limits = TRACKER_LIMITS,
) -> TrackerReading:
    """Every item of a Tiki tracker export and every problem met; never raises for bad input.

    separator and encoding: as chosen when exporting, or None to find them (a guessed encoding
    is a warning). timezone: the old site's, for dates written as text."""
    reading = TrackerReading(source=filename)
    try:
        _read(reading, data, separator, encoding, timezone, limits)
    except CsvRefused as refusal:
        reading.problems.append(TrackerProblem(source=filename, message=str(refusal)))
    except UploadProblem as problem:
        reading.problems.append(TrackerProblem(source=filename, message=problem.message))
    return reading


def _read(
    reading: TrackerReading,
    data: bytes,
    separator: str | None,
    encoding: str | None,
    timezone: str,
    limits: Limits,
) -> None:
    source = reading.source
    if len(data) > limits.max_bytes:
        raise too_large(limits.max_bytes)
    file_kind(source, data, csv_only=True)
    if looks_utf16(data) or b"\x00" in data[: 64 * 1024]:
        raise CsvRefused(_("This file is not a CSV tracker export (it is not text)."))
    text, used, warning = text_decode(data, encoding)
    reading.encoding = used
    if warning:
        reading.problems.append(TrackerProblem(source=source, message=warning, level=WARNING))
    if "\x00" in text:
        raise CsvRefused(_("This file is not a CSV tracker export (it is not text)."))
    if separator is None:
        separator = separator_guess(text, limits)
    reading.separator = separator
    header_line = _first_line(text, limits.max_line_chars)
    # The dump ends every line with a separator and escapes quotes with a backslash.
    escaped = header_line.rstrip().endswith(separator) and '\\"' in text
    records = iter(csv_records(text, separator, escaped, limits))
    header: list[str] | None = None
    for _number, cells in records:
        if any(cell.strip() for cell in cells):
            header = cells
            break
    if header is None:
        raise CsvRefused(_("The file is empty."))
    trailing = bool(header) and not header[-1].strip() and len(header) > 1
    if trailing:
        header = header[:-1]
    reading.columns = _columns(header)
    if len(reading.columns) < 2 and not any(c.kind == "item_id" for c in reading.columns):
        raise CsvRefused(
            _(
                "This file is not a CSV tracker export: its header has one column only. "
                "Check the separator it was exported with."
            )
        )
    seen: set[str] = set()
    for column in reading.columns:
        if column.header.casefold() in seen and column.header:
            raise CsvRefused(
                _("The column “%(column)s” appears twice in the header line.")
                % {"column": column.header}
            )
        seen.add(column.header.casefold())
    if not any(c.kind == "item_id" for c in reading.columns):
        raise CsvRefused(
            _(
                "The export has no itemId column, and the item ids are what makes a second "
                "import update instead of duplicating. Export the tracker again with “Item "
                "ID” ticked."
            )
        )
    raw_rows: list[tuple[int, list[str]]] = []
    try:
        for number, cells in records:
            if not any(cell.strip() for cell in cells):
                continue
            raw_rows.append((number, cells))
    except CsvRefused as refusal:
        reading.problems.append(TrackerProblem(source=source, message=str(refusal)))
    _rows(reading, raw_rows, trailing, timezone)


def _date_columns(
    reading: TrackerReading, raw_rows: list[tuple[int, list[str]]], timezone: str
) -> dict[str, str]:
    forms: dict[str, str] = {}
    for column in reading.columns:
        if column.kind not in _DATE_COLUMNS:
            continue
        values = [cells[column.index] for _n, cells in raw_rows if column.index < len(cells)]
        present = list(dict.fromkeys(v.strip() for v in values if v.strip()))  # each once
        if not present:
            continue
        fitting = date_forms(present)
        if not fitting:
            # The form that reads most of them; the others are bad dates of their rows.
            counts = {
                form: sum(date_in_form(v, form, datetime.UTC) is not None for v in present)
                for form in date_forms_all()
            }
            best = max(counts, key=counts.__getitem__)
            if not counts[best]:
                continue
            fitting = [best]
        form = fitting[0]
        forms[column.kind] = form
        reading.date_formats[column.header] = form
        if form != UNIX:
            message = _(
                "The dates of column “%(column)s” were read as %(form)s, in the time zone %(zone)s."
            ) % {"column": column.header, "form": date_form_label(form), "zone": timezone}
            ambiguous = [f for f in fitting[1:] if f.startswith("%m") != form.startswith("%m")]
            if form.startswith(("%d", "%m")) and ambiguous:
                message += " " + _(
                    "They could also be read month first (%(other)s): check a few of them."
                ) % {"other": date_form_label(ambiguous[0])}
            reading.problems.append(
                TrackerProblem(
                    source=reading.source, message=message, level=WARNING, column=column.header
                )
            )
    return forms


def _rows(
    reading: TrackerReading,
    raw_rows: list[tuple[int, list[str]]],
    trailing: bool,
    timezone: str,
) -> None:
    source = reading.source
    columns = reading.columns
    width = len(columns)
    forms = _date_columns(reading, raw_rows, timezone)
    zone = zone_get(timezone)
    by_kind = {c.kind: c for c in columns if c.kind}
    first_line: dict[int, int] = {}
    for number, cells in raw_rows:
        if trailing and len(cells) == width + 1 and not cells[-1].strip():
            cells = cells[:-1]
        errors: list[tuple[str, str]] = []
        if len(cells) != width:
            reading.problems.append(
                TrackerProblem(
                    source=source,
                    row=number,
                    message=_(
                        "This row has %(count)d columns where the header has %(width)d (a "
                        "separator inside a value that is not quoted?)."
                    )
                    % {"count": len(cells), "width": width},
                )
            )
            continue

        def cell(kind: str, cells: list[str] = cells) -> str:
            column = by_kind.get(kind)
            return cells[column.index].strip() if column is not None else ""

        item_text = cell("item_id")
        item_id = 0
        if not item_text:
            errors.append(("itemId", _("This row has no item id.")))
        elif not item_text.isdigit() or int(item_text) == 0:
            errors.append(
                ("itemId", _("The item id “%(value)s” is not a number.") % {"value": item_text})
            )
        else:
            item_id = int(item_text)
            if item_id in first_line:
                errors.append(
                    (
                        "itemId",
                        _("The item id %(id)d was already on line %(line)d; this row is left out.")
                        % {"id": item_id, "line": first_line[item_id]},
                    )
                )
        dates: dict[str, datetime.datetime | None] = {}
        for kind in _DATE_COLUMNS:
            value = cell(kind)
            dates[kind] = None
            if not value:
                continue
            form = forms.get(kind)
            moment = date_in_form(value, form, zone) if form else None
            if moment is None:
                errors.append(
                    (
                        by_kind[kind].header,
                        _("“%(value)s” is not a date.") % {"value": value[:40]},
                    )
                )
            dates[kind] = moment
        for column_name, message in errors:
            reading.problems.append(
                TrackerProblem(source=source, row=number, message=message, column=column_name)
            )
        if errors:
            continue
        first_line[item_id] = number
        fields: dict[str, str] = {}
        for column in columns:
            if column.kind:
                continue
            value = value_clean(cells[column.index]).strip()
            fields[column.header] = value
            if column.field_id:
                fields[column.field_id] = value
        reading.rows.append(
            TrackerRow(
                number=number,
                item_id=item_id,
                status=cell("status").lower(),
                created=dates["created"],
                modified=dates["modified"],
                created_by=cell("created_by"),
                modified_by=cell("modified_by"),
                fields=fields,
            )
        )
