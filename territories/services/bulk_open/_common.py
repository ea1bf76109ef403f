"""What the bulk files of groups share: the report, the rows, the all-or-nothing write."""

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from territories.services._common import TerritoryError
from wikispiral.accounts.models import User
from wikispiral.audit.services import audit_record
from wikispiral.text import line_clean
from wikispiral.uploads import Limits, Sheet, header_duplicates_refuse, sheet_read

BULK_LIMITS = Limits(max_bytes=2 * 1024 * 1024, max_rows=3000)


@dataclass(frozen=True)
class BulkRowError:
    row: int
    column: str
    message: str


@dataclass(frozen=True)
class UnknownPlace:
    country: str
    region: str = ""
    locality: str = ""


@dataclass
class BulkReport:
    """What a file would do (preview) or did (committed): group labels per outcome, errors."""

    rows: int = 0
    to_open: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[BulkRowError] = field(default_factory=list)
    unknown_places: list[UnknownPlace] = field(default_factory=list)
    committed: bool = False
    # Once written: each row's group (row number -> pk), opened, updated or unchanged.
    objects: dict[int, int] = field(default_factory=dict)


def bulk_sheet_read(*, data: bytes, filename: str) -> Sheet:
    """The sheet of an uploaded CSV or XLSX file, read within BULK_LIMITS; UploadProblem when
    the file as a whole cannot be used."""
    sheet = sheet_read(data=data, filename=filename, limits=BULK_LIMITS)
    header_duplicates_refuse(sheet.header)
    return sheet


def _key(raw: str) -> str:
    text = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode()
    return re.sub(r"[\s\-]+", "_", text.strip().lstrip("\ufeff").strip().lower())


def _fold(value: str) -> str:
    return line_clean(value).casefold()


class _Rows:
    """A sheet's rows as {column: stripped cell}, with the header as written for messages."""

    def __init__(self, sheet: Sheet, columns: tuple[str, ...], report: BulkReport) -> None:
        self.keys = [_key(name) for name in sheet.header]
        self.written = {
            key: name.strip() for key, name in zip(self.keys, sheet.header, strict=True)
        }
        self.sheet = sheet
        self.columns = columns
        self.report = report

    def missing(self, required: tuple[str, ...]) -> list[str]:
        return [column for column in required if column not in self.keys]

    def header(self, column: str) -> str:
        return self.written.get(column, column)

    def error(self, row: int, column: str, message: str) -> None:
        self.report.errors.append(BulkRowError(row, self.header(column), message))

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        for number, cells in self.sheet.rows:
            row = dict.fromkeys(self.columns, "")
            for key, value in zip(self.keys, cells, strict=False):
                if key in row:
                    row[key] = str(value).strip()
            yield number, row


def _start(sheet: Sheet, columns: tuple[str, ...], required: tuple[str, ...]) -> tuple:
    report = BulkReport(rows=len(sheet.rows))
    rows = _Rows(sheet, columns, report)
    missing = rows.missing(required)
    if missing:
        report.errors.append(
            BulkRowError(
                sheet.header_row,
                ", ".join(missing),
                _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)},
            )
        )
    return report, rows


def _write(
    report: BulkReport,
    plans: list,
    apply: Callable[[Any], Any],
    *,
    actor: User,
    action: str,
    filename: str,
    column: Callable[[str], str],
) -> BulkReport:
    """Apply every plan, each in its savepoint; any error rolls the whole file back."""
    with transaction.atomic():
        for plan in plans:
            try:
                with transaction.atomic():
                    written = apply(plan)
                report.objects[plan.row] = written.pk
            except TerritoryError as exc:
                report.errors.append(BulkRowError(plan.row, column(exc.field or ""), exc.message))
        if report.errors:
            transaction.set_rollback(True)
            return report
        audit_record(
            actor=actor,
            action=action,
            target_type="territories.bulk_file",
            target_label=filename,
            rows=report.rows,
            opened=len(report.to_open),
            updated=len(report.updated),
            unchanged=len(report.unchanged),
        )
    report.committed = True
    return report
