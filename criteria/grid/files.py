"""Reading an uploaded grid file (CSV or XLSX) into rows of text, with an error for whatever
cannot be read; what the rows mean is checked by services.grid_rows_check."""

import csv
import io
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
EXTENSIONS = (".csv", ".xlsx")
_XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class RowError:
    """A problem in the file: row is the spreadsheet row (1 is the header line, 0 the whole
    file), column the header name or ""."""

    row: int
    column: str
    message: str


@dataclass(frozen=True)
class Table:
    header: list[str]
    # (spreadsheet row number, {column: text}) for every row that is not blank.
    records: list[tuple[int, dict[str, str]]]
    errors: list[RowError]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _table(rows: list[list[str]]) -> Table:
    if not rows:
        return Table([], [], [RowError(0, "", _("The file is empty."))])
    header = [cell.strip().lower() for cell in rows[0]]
    errors = []
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            errors.append(
                RowError(1, name, _("The column %(column)s appears twice.") % {"column": name})
            )
        seen.add(name)
    records = []
    for index, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(records) >= MAX_ROWS:
            errors.append(
                RowError(
                    index,
                    "",
                    _("A grid file has at most %(max)d rows; the rest is not read.")
                    % {"max": MAX_ROWS},
                )
            )
            break
        extra = cells[len(header) :]
        if any(cell.strip() for cell in extra):
            errors.append(
                RowError(index, "", _("This row has more cells than the header line has columns."))
            )
        record = {
            name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header)
        }
        records.append((index, record))
    return Table(header, records, errors)


def _csv_rows(data: bytes) -> list[list[str]] | RowError:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return RowError(
            line,
            "",
            _(
                "The file is not encoded in UTF-8 (the problem starts on line %(line)d). Save "
                "it as “CSV UTF-8” and upload it again."
            )
            % {"line": line},
        )
    if "\x00" in text:
        return RowError(0, "", _("This is not a CSV text file."))
    first_line = text.split("\n", 1)[0]
    # Spreadsheets set to French or Portuguese save CSV with semicolons.
    delimiter = max(",;\t", key=first_line.count)
    try:
        return [
            [cell for cell in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)
        ]
    except csv.Error as exc:
        return RowError(0, "", _("The CSV file cannot be read: %(problem)s.") % {"problem": exc})


def _xlsx_rows(data: bytes) -> list[list[str]] | RowError:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        return RowError(0, "", _("The XLSX file cannot be read: is it a real Excel workbook?"))
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append([_cell(value) for value in row])
            if len(rows) > MAX_ROWS + 200:
                break
        return rows
    finally:
        workbook.close()


def table_read(*, data: bytes, filename: str) -> Table:
    """The header and rows of a CSV (UTF-8, comma or semicolon) or XLSX (first sheet) file."""
    if len(data) > MAX_BYTES:
        return Table(
            [],
            [],
            [
                RowError(
                    0,
                    "",
                    _("The file is larger than %(size)d MB.") % {"size": MAX_BYTES // 1024 // 1024},
                )
            ],
        )
    is_xlsx = filename.lower().endswith(".xlsx") or data.startswith(_XLSX_MAGIC)
    rows = _xlsx_rows(data) if is_xlsx else _csv_rows(data)
    if isinstance(rows, RowError):
        return Table([], [], [rows])
    return _table(rows)
