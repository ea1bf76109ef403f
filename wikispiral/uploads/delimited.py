"""CSV uploads: the text (size, kind, encoding, NUL bytes) and its rows, limits checked before
the csv module splits a line."""

import csv
import io

from django.utils.translation import gettext as _

from wikispiral.uploads.base import (
    DEFAULT_LIMITS,
    MAX_LINE_CHARS,
    Limits,
    RowCounter,
    Sheet,
    UploadProblem,
    cell_too_long,
    file_kind,
    grouped,
    looks_utf16,
    too_large,
)


def _guess_encoding(data: bytes) -> str:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return _("ISO-8859-1 (Latin-1)")
    return _("Windows-1252 (what Excel on Windows uses for plain “CSV”)")


def csv_text(data: bytes, *, limits: Limits = DEFAULT_LIMITS) -> str:
    """The text of an uploaded CSV file (UTF-8, with or without a byte order mark);
    UploadProblem when it is too large, empty, not text or not UTF-8."""
    if len(data) > limits.max_bytes:
        raise too_large(limits.max_bytes)
    file_kind("", data, csv_only=True)
    if looks_utf16(data):
        raise UploadProblem(
            _(
                "The file is in UTF-16 (Excel's “Unicode text”), not in UTF-8. Save it again "
                "as “CSV UTF-8 (comma delimited)” and upload that file."
            )
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        raise UploadProblem(
            _(
                "The file contains a NUL character on line %(line)d: it is not a text (CSV) "
                "file. Save it from your spreadsheet as “CSV UTF-8” and upload that file."
            )
            % {"line": data.count(b"\n", 0, nul) + 1}
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        start = max(data.rfind(b"\n", 0, error.start) + 1, error.start - 30)
        near = data[start : error.start + 10].decode("cp1252", "replace").strip()
        raise UploadProblem(
            _(
                "The file is not in UTF-8, the encoding we read: the first character we cannot "
                "read is on line %(line)d, near “%(near)s”. It looks like %(encoding)s. Save it "
                "again as “CSV UTF-8”: in Excel, File › Save As › “CSV UTF-8 (Comma delimited)”; "
                "in LibreOffice, Save As › “Text CSV”, tick “Edit filter settings” and choose "
                "“Unicode (UTF-8)”."
            )
            % {"line": line, "near": near, "encoding": _guess_encoding(data)}
        ) from error


def separator_guess(text: str) -> str:
    """The separator of the header line: a comma, a semicolon (Excel in French or Portuguese)
    or a tab."""
    first = text[: MAX_LINE_CHARS + 1].split("\n", 1)[0]
    counts = {sep: first.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else ","


def _long_lines_refuse(text: str, limits: Limits) -> None:
    """UploadProblem naming the first line longer than the limit; one pass in C, before the csv
    module splits a line of maybe a million cells."""
    if len(text) <= limits.max_line_chars:
        return
    lines = text.splitlines()
    if max(map(len, lines)) <= limits.max_line_chars:
        return
    number = next(n for n, line in enumerate(lines, 1) if len(line) > limits.max_line_chars)
    raise UploadProblem(
        _(
            "Line %(line)d is longer than %(max)s characters: it cannot be a row of this file "
            "(a quotation mark that is not closed, or a file of another kind?). Check it and "
            "upload the file again."
        )
        % {"line": number, "max": grouped(limits.max_line_chars)}
    )


def csv_sheet(
    text: str, *, limits: Limits = DEFAULT_LIMITS, stop_after: int | None = None
) -> Sheet:
    """The header and rows of CSV text (comma, semicolon or tab), limits checked as it is read;
    stop_after: read that many rows below the header only."""
    separator = separator_guess(text)
    rows = RowCounter("csv", limits, stop_after)
    rows.sheet.separator = separator
    _long_lines_refuse(text, limits)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    number = 0
    try:
        for cells in reader:
            number += 1
            if not rows.add(number, cells):
                break
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise cell_too_long(number + 1, limits) from error
        raise UploadProblem(
            _(
                "The file cannot be read as CSV around line %(line)s: a line has more cells than "
                "the header, or a quotation mark is not closed. Check that line and upload the "
                "file again."
            )
            % {"line": reader.line_num}
        ) from error
    if not rows.has_header:
        raise UploadProblem(_("The file is empty."))
    return rows.sheet
