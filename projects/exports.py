"""A summary's tables as CSV or XLSX (what its page shows, in the reader's language)."""

import io

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from projects.display import SummaryDisplay
from wikispiral import csvsafe


def summary_csv(display: SummaryDisplay) -> str:
    """One CSV: each table under a line naming it, a blank line between tables (formula-safe:
    a participant's text starting with "=" gets a leading apostrophe)."""
    out = io.StringIO()
    writer = csvsafe.writer(out)
    for title, header, rows in display.tables():
        writer.writerow([title])
        writer.writerow(header)
        writer.writerows(rows)
        writer.writerow([])
    return out.getvalue()


def _cell(value: object) -> object:
    return value if isinstance(value, int) else ILLEGAL_CHARACTERS_RE.sub("", str(value))


def summary_xlsx(display: SummaryDisplay) -> bytes:
    """One sheet per table."""
    book = Workbook()
    book.remove(book.active)
    for title, header, rows in display.tables():
        sheet = book.create_sheet(title[:31])
        sheet.append([_cell(value) for value in header])
        for row in rows:
            sheet.append([_cell(value) for value in row])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    # A participant's text that starts with "=" stays text, never a formula.
                    cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
