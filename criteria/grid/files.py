"""Reading an uploaded grid file (CSV or XLSX) into rows of text, with an error for whatever
cannot be read; what the rows mean is checked by services.grid_rows_check."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from wikispiral.uploads import Limits, Sheet, UploadProblem, sheet_read

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
EXTENSIONS = (".csv", ".xlsx")
LIMITS = Limits(max_bytes=MAX_BYTES, max_rows=MAX_ROWS)


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


def _table(sheet: Sheet) -> Table:
    header = [cell.strip().lower() for cell in sheet.header]
    errors = []
    records = []
    for number, cells in sheet.rows:
        extra = cells[len(header) :]
        if any(cell.strip() for cell in extra):
            errors.append(
                RowError(number, "", _("This row has more cells than the header line has columns."))
            )
        record = {
            name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header)
        }
        records.append((number, record))
    return Table(header, records, errors)


def table_read(*, data: bytes, filename: str) -> Table:
    """The header and rows of a CSV (UTF-8, comma or semicolon) or XLSX (first sheet) file;
    a file that cannot be used as a whole (past a limit, a column twice...) is one error."""
    try:
        sheet = sheet_read(data=data, filename=filename, limits=LIMITS)
    except UploadProblem as problem:
        return Table([], [], [RowError(0, "", problem.message)])
    return _table(sheet)
