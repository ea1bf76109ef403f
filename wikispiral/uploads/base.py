"""What every upload reader shares: the limits, the refusal and its messages, the rows counted
as they are read, and what kind of file an upload is."""

import codecs
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePath

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from wikispiral.errors import DomainError

MEGABYTE = 1024 * 1024

# Spreadsheets. Criteria files legitimately reach about 100,000 rows of seven columns; grid
# files have fourteen columns, geography files seven.
MAX_BYTES = 20 * MEGABYTE
MAX_ROWS = 150_000
MAX_COLUMNS = 100
# The longest text a legitimate cell holds is a grid description or a criterion (at most 1,000
# characters); ten times that leaves room for notes and refuses a cell of megabytes at once.
MAX_CELL_CHARS = 10_000
# One physical CSV line: twenty cells of the longest kind. A million-column header is refused
# here, before the csv module splits it.
MAX_LINE_CHARS = 200_000
# An XLSX of 100,000 criteria unpacks to about 40 MB (seven short columns), a full 20 MB workbook
# of long texts to about 200 MB. A sheet's XML compresses about 10 times; a zip bomb 1,000.
MAX_UNPACKED_BYTES = 256 * MEGABYTE
MAX_ZIP_MEMBERS = 1000
MAX_ZIP_RATIO = 200

_UTF8_BOM = codecs.BOM_UTF8
_XLSX_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_XLSX_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}


class UploadProblem(DomainError):
    """The file as a whole cannot be used; the message says why and, when it can, what to do."""

    def __init__(self, message: str, field: str = "file") -> None:
        super().__init__(message, field=field)


@dataclass(frozen=True)
class Limits:
    """The bounds a reader enforces; each caller may narrow them to its own format."""

    max_bytes: int = MAX_BYTES
    max_rows: int = MAX_ROWS
    max_columns: int = MAX_COLUMNS
    max_cell_chars: int = MAX_CELL_CHARS
    max_line_chars: int = MAX_LINE_CHARS
    max_unpacked_bytes: int = MAX_UNPACKED_BYTES
    max_zip_members: int = MAX_ZIP_MEMBERS
    max_zip_ratio: int = MAX_ZIP_RATIO


DEFAULT_LIMITS = Limits()


@dataclass
class Sheet:
    """A file's header (as written, one string per column) and its rows below it, each with
    the row number a spreadsheet shows (the header's is header_row); rows with nothing in them
    are left out, rows may be shorter or longer than the header."""

    kind: str  # "csv" or "xlsx"
    header: list[str]
    header_row: int = 1
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    separator: str = ""


def grouped(number: int) -> str:
    """A limit as the person's language writes large numbers (150,000; 150 000)."""
    return number_format(number, force_grouping=True)


# --- Messages -----------------------------------------------------------------------------------


def too_large(max_bytes: int) -> UploadProblem:
    return UploadProblem(
        _("The file is larger than %(size)d MB: split it into several files.")
        % {"size": max(1, max_bytes // MEGABYTE)}
    )


def too_many_rows(limits: Limits) -> UploadProblem:
    return UploadProblem(
        _("The file has more than %(max)s rows: split it into several files.")
        % {"max": grouped(limits.max_rows)}
    )


def too_many_columns(row: int, limits: Limits) -> UploadProblem:
    return UploadProblem(
        _(
            "Row %(row)d has more than %(max)d columns: remove the columns that are not "
            "needed and upload the file again."
        )
        % {"row": row, "max": limits.max_columns}
    )


def cell_too_long(row: int, limits: Limits) -> UploadProblem:
    return UploadProblem(
        _(
            "A cell of row %(row)d holds more than %(max)s characters, more than any column "
            "accepts. Check that row (a quotation mark that is not closed makes one cell of "
            "the rest of the file) and upload the file again."
        )
        % {"row": row, "max": grouped(limits.max_cell_chars)}
    )


def workbook_unreadable() -> UploadProblem:
    return UploadProblem(
        _(
            "The Excel workbook cannot be read (it may be damaged or protected by a "
            "password). Save it again as .xlsx or as “CSV UTF-8” and upload that file."
        )
    )


def workbook_too_large(limits: Limits) -> UploadProblem:
    return UploadProblem(
        _(
            "This workbook unpacks to more than %(max)d MB, far more than a spreadsheet of "
            "this kind holds. Save it again as .xlsx or as “CSV UTF-8” and upload that file."
        )
        % {"max": limits.max_unpacked_bytes // MEGABYTE}
    )


def workbook_xml_refused() -> UploadProblem:
    return UploadProblem(
        _(
            "This workbook contains XML declarations that a spreadsheet never needs "
            "(document types or entities), so it is not read. Save it again from your "
            "spreadsheet as .xlsx or as “CSV UTF-8” and upload that file."
        )
    )


def _kind_names() -> dict[str, str]:
    return {
        "png": _("a PNG image"),
        "jpeg": _("a JPEG image"),
        "gif": _("a GIF image"),
        "webp": _("a WebP image"),
        "pdf": _("a PDF document"),
        "archive": _("a compressed archive"),
    }


# --- What the file is ---------------------------------------------------------------------------


def _sniff(data: bytes) -> str | None:
    """The kind of a file that is plainly not a spreadsheet, from its first bytes."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith((b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf\x27\x1c", b"BZh")):
        return "archive"
    return None


def _is_empty(data: bytes) -> bool:
    return not data.strip(_UTF8_BOM + b" \t\r\n")


def looks_utf16(data: bytes) -> bool:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    head = data[:1024]
    # Mostly ASCII text in UTF-16 without a byte order mark: every other byte is NUL.
    quarter = len(head) // 4
    return len(head) >= 4 and (head[1::2].count(0) > quarter or head[::2].count(0) > quarter)


def file_kind(filename: str, data: bytes, *, csv_only: bool) -> str:
    """ "csv" or "xlsx", or UploadProblem for anything else."""
    if _is_empty(data):
        raise UploadProblem(_("The file is empty."))
    suffix = PurePath(filename).suffix.lower()
    sniffed = _sniff(data)
    if sniffed is not None:
        if csv_only:
            # Translators: kind is one of "a PNG image", "a PDF document"...
            message = _("This file is %(kind)s, not a spreadsheet. Upload a CSV file (UTF-8).")
        else:
            # Translators: kind is one of "a PNG image", "a PDF document"...
            message = _(
                "This file is %(kind)s, not a spreadsheet. Upload a CSV file (UTF-8) or an "
                "Excel workbook (.xlsx)."
            )
        raise UploadProblem(message % {"kind": _kind_names()[sniffed]})
    if data.startswith(_OLE_MAGIC):
        if suffix in {".xlsx", ".xlsm"}:
            raise UploadProblem(
                _(
                    "This workbook is protected by a password, so it cannot be read. Remove "
                    "the password (or save a copy as “CSV UTF-8”) and upload that file."
                )
            )
        raise UploadProblem(
            _(
                "This is an old Excel file (.xls). Open it in your spreadsheet and save it as "
                "an Excel workbook (.xlsx) or as “CSV UTF-8”, then upload that file."
            )
        )
    if data.startswith(_XLSX_MAGIC):
        if csv_only:
            raise UploadProblem(
                _(
                    "This is an Excel workbook or another archive, and this page reads CSV "
                    "files only. Save it as “CSV UTF-8” and upload that file."
                )
            )
        return "xlsx"
    if suffix in _XLSX_SUFFIXES and not csv_only:
        raise UploadProblem(
            _("The file is named %(name)s but is not a readable Excel workbook.")
            % {"name": PurePath(filename).name}
        )
    return "csv"


# --- Rows ---------------------------------------------------------------------------------------


class RowCounter:
    """Counts rows against the limits as they are read and keeps the header and the rows."""

    def __init__(self, kind: str, limits: Limits, stop_after: int | None) -> None:
        self.sheet = Sheet(kind=kind, header=[])
        self.limits = limits
        self.stop_after = stop_after
        self.blank = 0
        self.has_header = False

    def add(self, number: int, cells: list[str]) -> bool:
        """Keep a row; False once stop_after rows are kept (the caller stops reading)."""
        limits = self.limits
        if len(cells) > limits.max_columns:
            raise too_many_columns(number, limits)
        if cells and max(map(len, cells)) > limits.max_cell_chars:
            raise cell_too_long(number, limits)
        if not any(map(str.strip, cells)):
            self.blank += 1
            if self.blank > limits.max_rows:
                raise too_many_rows(limits)
            return True
        if not self.has_header:
            self.has_header = True
            self.sheet.header = cells
            self.sheet.header_row = number
            header_duplicates_refuse(cells)
            return True
        rows = self.sheet.rows
        if len(rows) >= limits.max_rows:
            raise too_many_rows(limits)
        rows.append((number, cells))
        return self.stop_after is None or len(rows) < self.stop_after


def header_duplicates_refuse(header: Iterable[str]) -> None:
    """UploadProblem naming the first column that appears twice in a header line (blank
    headers aside), before anything renames or drops it."""
    seen: set[str] = set()
    for raw in header:
        name = str(raw).strip().lstrip("\ufeff").strip()
        key = name.casefold()
        if not key:
            continue
        if key in seen:
            raise UploadProblem(
                _(
                    "The column “%(column)s” appears twice in the header line: rename or "
                    "remove one of them and upload the file again."
                )
                % {"column": name}
            )
        seen.add(key)
