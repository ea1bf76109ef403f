"""Bounded reading of uploaded files: spreadsheets (CSV, XLSX) and pictures.

Every limit is checked while the file is read, never after: the size before anything else, an
XLSX's central directory (declared sizes, members, compression ratio) before a byte is
unpacked, the bytes actually unpacked as they come out of the archive (a member that lies about
its size cannot get past its declared size either: zipfile stops there and the checksum fails),
rows, columns and cell lengths row by row, a CSV's line lengths before the csv module sees the
line. A file past a limit is refused with UploadProblem, a DomainError whose message is meant
for the person, within a fraction of a second whatever the file holds.

The sheet's XML is read with expat and handlers of our own, so that a document type declaration
(the door to entity expansion, "billion laughs") is refused as soon as it starts and a cell's
text is counted as it is read. The smaller parts openpyxl reads for us (shared strings,
workbook, styles) go through defusedxml, which openpyxl uses when it is installed.

This package is the bottom floor: it knows nothing of territories, criteria or wiki pages.
"""

from wikispiral.uploads.base import (
    DEFAULT_LIMITS,
    MAX_BYTES,
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_LINE_CHARS,
    MAX_ROWS,
    MAX_UNPACKED_BYTES,
    MAX_ZIP_MEMBERS,
    MAX_ZIP_RATIO,
    Limits,
    Sheet,
    UploadProblem,
    file_kind,
    header_duplicates_refuse,
    too_large,
)
from wikispiral.uploads.delimited import csv_sheet, csv_text, separator_guess
from wikispiral.uploads.images import IMAGE_FORMATS, MAX_IMAGE_PIXELS, image_check
from wikispiral.uploads.workbook import xlsx_sheet

__all__ = [
    "DEFAULT_LIMITS",
    "IMAGE_FORMATS",
    "MAX_BYTES",
    "MAX_CELL_CHARS",
    "MAX_COLUMNS",
    "MAX_IMAGE_PIXELS",
    "MAX_LINE_CHARS",
    "MAX_ROWS",
    "MAX_UNPACKED_BYTES",
    "MAX_ZIP_MEMBERS",
    "MAX_ZIP_RATIO",
    "Limits",
    "Sheet",
    "UploadProblem",
    "csv_sheet",
    "csv_text",
    "header_duplicates_refuse",
    "image_check",
    "separator_guess",
    "sheet_read",
]


def sheet_read(
    *,
    data: bytes,
    filename: str,
    limits: Limits = DEFAULT_LIMITS,
    csv_only: bool = False,
    stop_after: int | None = None,
) -> Sheet:
    """The header and rows of an uploaded CSV or XLSX (first sheet) file, every limit checked
    while it is read; UploadProblem when the file cannot be used. stop_after: read that many
    rows below the header only (a preview)."""
    if len(data) > limits.max_bytes:
        raise too_large(limits.max_bytes)
    if file_kind(filename, data, csv_only=csv_only) == "xlsx":
        return xlsx_sheet(data, limits, stop_after)
    return csv_sheet(csv_text(data, limits=limits), limits=limits, stop_after=stop_after)
