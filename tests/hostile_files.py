"""Hostile files, built in memory: zip and XML bombs, a million columns, huge cells, wrong
encodings, NUL bytes, duplicated headers, truncated archives, pictures that are not what they
say. Used by tests/test_hostile_uploads.py and bench/hostile_inputs.py.

Every builder is deterministic (seeded), so a failure can be replayed.
"""

import codecs
import functools
import io
import random
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from xml.sax.saxutils import escape

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_OPEN = f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{MAIN_NS}"><sheetData>'
SHEET_CLOSE = "</sheetData></worksheet>"
MEGABYTE = 1024 * 1024


def _content_types(shared_strings: bool) -> bytes:
    strings = (
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        if shared_strings
        else ""
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        f"{strings}</Types>"
    ).encode()


def _parts(shared_strings: bool) -> dict[str, bytes]:
    strings_rel = (
        f'<Relationship Id="rId2" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
        if shared_strings
        else ""
    )
    return {
        "[Content_Types].xml": _content_types(shared_strings),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="{PKG_REL_NS}">'
            f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ).encode(),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<workbook xmlns="{MAIN_NS}" '
            f'xmlns:r="{REL_NS}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>"
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="{PKG_REL_NS}">'
            f'<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
            f"{strings_rel}</Relationships>"
        ).encode(),
    }


def xlsx(sheet: bytes | Iterable[bytes], *, shared_strings: bytes | None = None) -> bytes:
    """A minimal workbook (what Excel and openpyxl need to open it) around a sheet's XML,
    streamed into the archive chunk by chunk so a gigabyte sheet never sits in memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in _parts(shared_strings is not None).items():
            archive.writestr(name, data)
        if shared_strings is not None:
            archive.writestr("xl/sharedStrings.xml", shared_strings)
        chunks = [sheet] if isinstance(sheet, bytes) else sheet
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            for chunk in chunks:
                member.write(chunk)
    return buffer.getvalue()


def _cell(value: str) -> str:
    return f'<c t="inlineStr"><is><t>{escape(value)}</t></is></c>'


def row_xml(cells: list[str]) -> str:
    return "<row>" + "".join(_cell(value) for value in cells) + "</row>"


def sheet_xml(rows: list[list[str]]) -> bytes:
    return (SHEET_OPEN + "".join(row_xml(row) for row in rows) + SHEET_CLOSE).encode()


def zip_bomb_xlsx(
    header: list[str], row: list[str], unpacked_bytes: int, *, padding: int = 16_000
) -> bytes:
    """A workbook whose sheet unpacks to unpacked_bytes: rows padded with runs of spaces,
    which deflate squeezes about 900 to 1 (1 GiB fits in about 1.2 MB); padding=0 gives a
    dense sheet of rows only, about 250 to 1 (1 GiB in about 4 MB, millions of rows)."""
    return _zip_bomb_xlsx(tuple(header), tuple(row), unpacked_bytes, padding)


@functools.lru_cache(maxsize=4)
def _zip_bomb_xlsx(
    header: tuple[str, ...], row: tuple[str, ...], unpacked_bytes: int, padding: int
) -> bytes:
    def chunks() -> Iterator[bytes]:
        head = (SHEET_OPEN + row_xml(list(header))).encode()
        unit = row_xml(list(row)).encode() + b" " * padding
        block = unit * max(1, MEGABYTE // len(unit))
        tail = SHEET_CLOSE.encode()
        yield head
        written = len(head) + len(tail)
        while written < unpacked_bytes:
            piece = (
                block[: unpacked_bytes - written]
                if unpacked_bytes - written < len(block)
                else block
            )
            yield piece
            written += len(piece)
        yield tail

    return xlsx(chunks())


def size_lying_xlsx(header: list[str], row: list[str], actual_bytes: int = 8 * MEGABYTE) -> bytes:
    """A workbook whose sheet declares 1 KiB in the zip's headers but unpacks to actual_bytes."""
    data = bytearray(zip_bomb_xlsx(header, row, actual_bytes))
    name = b"xl/worksheets/sheet1.xml"
    lie = struct.pack("<I", 1024)
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_length] == name:
            data[central + 24 : central + 28] = lie
            local = struct.unpack_from("<I", data, central + 42)[0]
            data[local + 22 : local + 26] = lie
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


BILLION_LAUGHS_DTD = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
        for n in range(1, 10)
    )
    + "]>"
)


def billion_laughs_xlsx(header: list[str], *, in_shared_strings: bool = False) -> bytes:
    """A workbook whose sheet (or shared strings) expands &lol9; to a billion "lol"s."""
    if in_shared_strings:
        strings = (
            BILLION_LAUGHS_DTD + f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1">'
            "<si><t>&lol9;</t></si></sst>"
        ).encode()
        sheet = (
            SHEET_OPEN + row_xml(header) + '<row><c t="s"><v>0</v></c></row>' + SHEET_CLOSE
        ).encode()
        return xlsx(sheet, shared_strings=strings)
    sheet = (
        BILLION_LAUGHS_DTD
        + f'<worksheet xmlns="{MAIN_NS}"><sheetData>'
        + row_xml(header)
        + '<row><c t="inlineStr"><is><t>&lol9;</t></is></c></row>'
        + SHEET_CLOSE
    ).encode()
    return xlsx(sheet)


@functools.lru_cache(maxsize=8)
def long_text(chars: int, seed: int = 7) -> str:
    """Letters that do not compress much (a compressed cell would be refused for its ratio
    before its length is even read)."""
    rng = random.Random(seed)
    return "".join(rng.choices("abcdefghijklmnopqrstuvwxyz ", k=chars))


def csv_bytes(rows: list[list[str]]) -> bytes:
    def quoted(value: str) -> str:
        if any(c in value for c in ',"\n\r'):
            return '"' + value.replace('"', '""') + '"'
        return value

    return "".join(",".join(quoted(v) for v in row) + "\n" for row in rows).encode()


def png(size: tuple[int, int] = (2, 2)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, format="PNG")
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header announces width × height pixels (a few bytes of data follow)."""
    data = bytearray(png((1, 1)))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


@dataclass(frozen=True)
class Hostile:
    """One hostile file: its name as uploaded, its content, and what the refusal may say
    (any one of them: a smaller endpoint may refuse it for its size first)."""

    filename: str
    content: bytes
    says: tuple[str, ...]


TOO_LARGE = ("larger than",)
BOMB_HEADER = ["group", "question", "text", "date"]
BOMB_ROW = ["young", "Q1", "Bread for everyone", "2024-05-01"]
SPREADSHEET_CASES = (
    "zip bomb xlsx",
    "size-lying xlsx",
    "billion laughs in the sheet",
    "billion laughs in shared strings",
    "million columns csv",
    "150 columns csv",
    "150 columns xlsx",
    "10 MB cell csv",
    "multi-line 20,000-character cell csv",
    "10 MB cell xlsx",
    "latin-1 csv",
    "utf-16 csv",
    "utf-16 csv without a byte order mark",
    "NUL bytes csv",
    "duplicated header csv",
    "duplicated header xlsx",
    "empty",
    "blank lines and a byte order mark",
    "truncated xlsx",
    "png renamed .xlsx",
    "pdf renamed .csv",
)
PICTURE_CASES = (
    "decompression bomb png",
    "80 megapixels png",
    "over the size limit",
    "csv renamed .png",
    "empty",
)


def spreadsheet_corpus(
    header: list[str], row: list[str], *, bomb_bytes: int, cell_chars: int = 10 * MEGABYTE
) -> dict[str, Hostile]:
    """Hostile spreadsheets for an import whose files have this header and such a row."""
    valid = xlsx(sheet_xml([header, row]))
    wide = [f"column {n}" for n in range(150)]
    text = long_text(cell_chars)
    multi_line_cell = "\n".join(long_text(1000, seed=n) for n in range(20))
    utf16 = csv_bytes([header, row]).decode()
    duplicated = [*header, header[-1]]
    corpus = {
        "zip bomb xlsx": Hostile(
            "bomb.xlsx",
            # One bomb for every endpoint (building it deflates hundreds of megabytes): it is
            # refused from the archive's directory, before its rows could matter.
            zip_bomb_xlsx(BOMB_HEADER, BOMB_ROW, bomb_bytes),
            ("unpacks to more than", "reads CSV files only", *TOO_LARGE),
        ),
        "size-lying xlsx": Hostile(
            "lying.xlsx",
            size_lying_xlsx(header, row),
            ("workbook cannot be read", "reads CSV files only", *TOO_LARGE),
        ),
        "billion laughs in the sheet": Hostile(
            "laughs.xlsx",
            billion_laughs_xlsx(header),
            ("XML declarations", "reads CSV files only"),
        ),
        "billion laughs in shared strings": Hostile(
            "laughs-strings.xlsx",
            billion_laughs_xlsx(header, in_shared_strings=True),
            ("XML declarations", "reads CSV files only"),
        ),
        "million columns csv": Hostile(
            "wide.csv",
            (",".join(["x"] * 1_000_000) + "\n").encode(),
            ("longer than", *TOO_LARGE),
        ),
        "150 columns csv": Hostile(
            "wide.csv", csv_bytes([wide, ["1"] * 150]), ("more than 100 columns",)
        ),
        "150 columns xlsx": Hostile(
            "wide.xlsx",
            xlsx(sheet_xml([wide, ["1"] * 150])),
            ("more than 100 columns", "reads CSV files only"),
        ),
        "10 MB cell csv": Hostile(
            "cell.csv",
            csv_bytes([header, [*row[:-1], text]]),
            ("longer than", *TOO_LARGE),
        ),
        "multi-line 20,000-character cell csv": Hostile(
            "cell.csv",
            csv_bytes([header, [*row[:-1], multi_line_cell]]),
            ("more than 10,000 characters",),
        ),
        "10 MB cell xlsx": Hostile(
            "cell.xlsx",
            xlsx(sheet_xml([header, [*row[:-1], text]])),
            ("more than 10,000 characters", "reads CSV files only", *TOO_LARGE),
        ),
        "latin-1 csv": Hostile(
            "latin1.csv",
            csv_bytes([header, [*row[:-1], "Santé et éducation"]]).decode().encode("latin-1"),
            ("not in UTF-8",),
        ),
        "utf-16 csv": Hostile("utf16.csv", utf16.encode("utf-16"), ("UTF-16",)),
        "utf-16 csv without a byte order mark": Hostile(
            "utf16.csv", utf16.encode("utf-16-le"), ("UTF-16",)
        ),
        "NUL bytes csv": Hostile(
            "nul.csv",
            csv_bytes([header, row]) + b"a\x00b\n",
            ("NUL character on line 3",),
        ),
        "duplicated header csv": Hostile(
            "twice.csv",
            csv_bytes([duplicated, [*row, row[-1]]]),
            (f"The column “{header[-1]}” appears twice",),
        ),
        "duplicated header xlsx": Hostile(
            "twice.xlsx",
            xlsx(sheet_xml([duplicated, [*row, row[-1]]])),
            (f"The column “{header[-1]}” appears twice", "reads CSV files only"),
        ),
        "empty": Hostile("empty.csv", b"", ("The submitted file is empty", "The file is empty")),
        "blank lines and a byte order mark": Hostile(
            "blank.csv", codecs.BOM_UTF8 + b"\r\n \n\t\n", ("The file is empty",)
        ),
        "truncated xlsx": Hostile(
            "cut.xlsx",
            valid[: len(valid) // 2],
            ("workbook cannot be read", "reads CSV files only"),
        ),
        "png renamed .xlsx": Hostile("criteria.xlsx", png(), ("is a PNG image",)),
        "pdf renamed .csv": Hostile(
            "criteria.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", ("is a PDF document",)
        ),
    }
    assert tuple(corpus) == SPREADSHEET_CASES
    return corpus


def picture_corpus(max_bytes: int) -> dict[str, Hostile]:
    """Hostile pictures: a decompression bomb, a header claiming 10 gigapixels, a file over
    the size limit, a spreadsheet renamed .png, a truncated PNG."""
    corpus = {
        "decompression bomb png": Hostile(
            "bomb.png", png_claiming(100_000, 100_000), ("too many pixels",)
        ),
        "80 megapixels png": Hostile("big.png", png_claiming(10_000, 8_000), ("too many pixels",)),
        "over the size limit": Hostile(
            "huge.png",
            png() + b"\0" * max_bytes,
            ("too large", "is too large"),
        ),
        "csv renamed .png": Hostile(
            "photo.png", b"group,question\nyoung,Q1\n", ("not a picture we accept", "Only PNG")
        ),
        "empty": Hostile("photo.png", b"", ("The submitted file is empty",)),
    }
    assert tuple(corpus) == PICTURE_CASES
    return corpus
