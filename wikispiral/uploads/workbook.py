"""XLSX uploads: the archive's central directory checked before anything is unpacked, every
unpacked byte counted, the first sheet's XML read with expat and handlers of our own (a
document type is refused as it starts, a cell's text counted as it is read)."""

import datetime
import io
import struct
import zipfile
from collections.abc import Buffer, Container
from typing import IO, Literal, NoReturn, cast
from xml.parsers import expat

from defusedxml import DefusedXmlException
from django.utils.translation import gettext as _
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils.datetime import from_excel, from_ISO8601

from wikispiral.uploads.base import (
    MEGABYTE,
    Limits,
    RowCounter,
    Sheet,
    UploadProblem,
    cell_too_long,
    too_many_columns,
    workbook_too_large,
    workbook_unreadable,
    workbook_xml_refused,
)

# The ratio is only a sign of a bomb for members large enough to matter.
_RATIO_FROM_BYTES = MEGABYTE
# What Excel itself can address: a row or column beyond is a forged file.
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384

_READ_CHUNK = 64 * 1024
_EOCD = b"PK\x05\x06"


class _Budget:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.used = 0

    def spend(self, count: int) -> None:
        self.used += count
        if self.used > self.limits.max_unpacked_bytes:
            raise workbook_too_large(self.limits)


class _CountedStream(io.RawIOBase):
    """A member being unpacked; every byte that comes out is counted against the budget."""

    def __init__(self, stream: IO[bytes], budget: _Budget) -> None:
        self._stream = stream
        self._budget = budget

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            parts = []
            while chunk := self.read(_READ_CHUNK):
                parts.append(chunk)
            return b"".join(parts)
        data = self._stream.read(size)
        self._budget.spend(len(data))
        return data

    def readinto(self, buffer: Buffer) -> int:
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._stream.close()
        super().close()


class _CountedArchive(zipfile.ZipFile):
    """A zip archive whose members are unpacked through one shared byte budget."""

    def __init__(self, file: IO[bytes], budget: _Budget) -> None:
        super().__init__(file)
        self.budget = budget

    def open(
        self,
        name: str | zipfile.ZipInfo,
        mode: Literal["r", "w"] = "r",
        pwd: bytes | None = None,
        *,
        force_zip64: bool = False,
    ) -> IO[bytes]:
        stream = super().open(name, mode, pwd, force_zip64=force_zip64)
        if mode != "r":
            return stream
        # A binary file object like the one it wraps; typeshed types ZipFile.open's own
        # ZipExtFile (an io.BufferedIOBase) as IO[bytes] the same way.
        return cast(IO[bytes], _CountedStream(stream, self.budget))


def _declared_members(data: bytes) -> int | None:
    """The number of members the end-of-central-directory record declares (None if it cannot
    tell, e.g. ZIP64), read before zipfile walks a directory of maybe millions of entries."""
    end = data.rfind(_EOCD, max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        return None
    total = struct.unpack_from("<H", data, end + 10)[0]
    return None if total == 0xFFFF else total


def _archive_open(data: bytes, limits: Limits) -> _CountedArchive:
    """The archive, once its central directory promises nothing beyond the limits."""
    declared = _declared_members(data)
    if declared is not None and declared > limits.max_zip_members:
        raise workbook_unreadable()
    budget = _Budget(limits)
    try:
        archive = _CountedArchive(io.BytesIO(data), budget)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error) as error:
        raise workbook_unreadable() from error
    members = archive.infolist()
    if len(members) > limits.max_zip_members:
        raise workbook_unreadable()
    total = 0
    for member in members:
        if member.flag_bits & 0x1 or member.compress_type not in (
            zipfile.ZIP_STORED,
            zipfile.ZIP_DEFLATED,
        ):
            raise workbook_unreadable()
        total += member.file_size
        if total > limits.max_unpacked_bytes:
            raise workbook_too_large(limits)
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > _RATIO_FROM_BYTES and ratio > limits.max_zip_ratio:
            raise workbook_too_large(limits)
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names:
        if "content.xml" in names:
            raise UploadProblem(
                _(
                    "This is an OpenDocument spreadsheet (.ods). Save it as an Excel workbook "
                    "(.xlsx) or as “CSV UTF-8”, then upload that file."
                )
            )
        raise UploadProblem(_("This file is neither a CSV file nor an Excel workbook (.xlsx)."))
    return archive


def _column_number(reference: str) -> int:
    number = 0
    for char in reference:
        if "A" <= char <= "Z":
            number = number * 26 + ord(char) - 64
        else:
            break
    return number


class _Stop(Exception):
    """Enough rows were read (stop_after), or the sheet's data ended."""


class _SheetHandler:
    """expat handlers for a worksheet part: cells become strings as pandas made them with
    dtype=str (numbers without a useless ".0", dates as "2024-03-14 00:00:00")."""

    def __init__(
        self,
        rows: RowCounter,
        *,
        strings: list[str],
        date_styles: Container[int],
        timedelta_styles: Container[int],
        epoch: datetime.datetime,
    ) -> None:
        self.rows = rows
        self.limits = rows.limits
        self.strings = strings
        self.date_styles = date_styles
        self.timedelta_styles = timedelta_styles
        self.epoch = epoch
        self.row_number = 0
        self.cells: list[str] | None = None
        self.cells_in_row = 0
        self.column = 0
        self.cell_type = "n"
        self.cell_style = 0
        self.text: list[str] | None = None
        self.text_length = 0
        self.value: list[str] = []
        self.phonetic = 0

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        name = tag.rpartition("}")[2]
        if name == "c":
            if self.cells is None:
                raise workbook_unreadable()
            self.cells_in_row += 1
            reference = attrs.get("r")
            self.column = _column_number(reference) if reference else self.column + 1
            if not 0 < self.column <= EXCEL_MAX_COLUMNS or self.cells_in_row > EXCEL_MAX_COLUMNS:
                raise too_many_columns(self.row_number, self.limits)
            self.cell_type = attrs.get("t", "n")
            style = attrs.get("s")
            self.cell_style = int(style) if style and style.isdigit() else 0
            self.value = []
            self.text_length = 0
        elif name == "v" or (name == "t" and not self.phonetic):
            if self.cells is not None:
                self.text = self.value
        elif name == "rPh":
            self.phonetic += 1
        elif name == "row":
            reference = attrs.get("r")
            self.row_number = (
                int(reference) if reference and reference.isdigit() else self.row_number + 1
            )
            if not 0 < self.row_number <= EXCEL_MAX_ROWS:
                raise workbook_unreadable()
            self.cells = []
            self.cells_in_row = 0
            self.column = 0

    def data(self, text: str) -> None:
        if self.text is not None:
            self.text_length += len(text)
            if self.text_length > self.limits.max_cell_chars:
                raise cell_too_long(self.row_number, self.limits)
            self.text.append(text)

    def end(self, tag: str) -> None:
        name = tag.rpartition("}")[2]
        if name in ("v", "t"):
            self.text = None
        elif name == "rPh":
            self.phonetic -= 1
        elif name == "c":
            value = self._value()
            cells = self.cells
            if value and cells is not None:  # never None here: start() refuses a cell outside a row
                if self.column > self.limits.max_columns:
                    raise too_many_columns(self.row_number, self.limits)
                if len(cells) < self.column:
                    cells.extend([""] * (self.column - len(cells)))
                cells[self.column - 1] = value
        elif name == "row":
            cells, self.cells = self.cells, None
            if not self.rows.add(self.row_number, cells or []):
                raise _Stop
        elif name == "sheetData":
            raise _Stop

    def _value(self) -> str:
        raw = "".join(self.value)
        kind = self.cell_type
        if kind == "inlineStr" or kind == "str":
            return raw
        if not raw or kind == "e":
            return ""
        if kind == "s":
            try:
                return self.strings[int(raw)]
            except (ValueError, IndexError) as error:
                raise workbook_unreadable() from error
        if kind == "b":
            return "True" if raw.strip() in ("1", "true") else "False"
        if kind == "d":
            try:
                return str(from_ISO8601(raw))
            except ValueError:
                return raw
        try:
            number: int | float = float(raw) if any(c in raw for c in ".eEn") else int(raw)
        except ValueError:
            return raw
        if self.cell_style in self.date_styles:
            try:
                return str(
                    from_excel(
                        number, self.epoch, timedelta=self.cell_style in self.timedelta_styles
                    )
                )
            except (OverflowError, ValueError, TypeError):
                return raw
        if isinstance(number, float) and number.is_integer():
            return str(int(number))
        return str(number)


def _refuse_xml(*_args: object) -> NoReturn:
    raise workbook_xml_refused()


def _sheet_parse(stream: IO[bytes], handler: _SheetHandler) -> None:
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    # A worksheet never has a document type: refusing it refuses entity expansion with it.
    parser.StartDoctypeDeclHandler = _refuse_xml
    parser.EntityDeclHandler = _refuse_xml
    parser.ExternalEntityRefHandler = _refuse_xml
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.data
    try:
        while chunk := stream.read(_READ_CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _Stop:
        return
    except expat.ExpatError as error:
        raise workbook_unreadable() from error


def _caused_by_xml_declarations(error: BaseException) -> bool:
    seen = 0
    current: BaseException | None = error
    while current is not None and seen < 10:
        if isinstance(current, DefusedXmlException):
            return True
        current = current.__cause__ or current.__context__
        seen += 1
    return False


def xlsx_sheet(data: bytes, limits: Limits, stop_after: int | None) -> Sheet:
    """The first worksheet's header and rows; UploadProblem past a limit or when the workbook
    cannot be read. The parts openpyxl reads are private API of openpyxl 3.1 (ExcelReader's
    steps, the workbook's date styles): pinned below 4 in pyproject.toml."""
    archive = _archive_open(data, limits)
    rows = RowCounter("xlsx", limits, stop_after)
    try:
        reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
        reader.archive.close()
        # openpyxl unpacks the manifest, shared strings, workbook and styles through our
        # archive: whatever it reads is counted against the same budget as the sheet.
        reader.archive = archive
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(archive, reader.wb)
        path = next(
            (
                rel.target
                for _sheet, rel in reader.parser.find_sheets()
                if "chartsheet" not in rel.Type and rel.target in reader.valid_files
            ),
            None,
        )
        if path is None:
            raise UploadProblem(_("The workbook has no sheet."))
        handler = _SheetHandler(
            rows,
            strings=[str(text) for text in reader.shared_strings],
            # Set by apply_stylesheet, beside the API openpyxl's stubs declare.
            date_styles=vars(reader.wb)["_date_formats"],
            timedelta_styles=vars(reader.wb)["_timedelta_formats"],
            epoch=reader.wb.epoch,
        )
        with archive.open(path) as stream:
            _sheet_parse(stream, handler)
    except UploadProblem:
        raise
    except Exception as error:  # openpyxl raises many kinds on a damaged workbook
        if _caused_by_xml_declarations(error):
            raise workbook_xml_refused() from error
        raise workbook_unreadable() from error
    finally:
        archive.close()
    if not rows.has_header:
        raise UploadProblem(_("The file is empty."))
    return rows.sheet
