"""Reading a spreadsheet of criteria: recognise the file (CSV or XLSX, its encoding and
separator), map its columns, and check every row at once with pandas.

Nothing here writes to the database: criteria/transfer/services.py records the check (preview)
and inserts the rows (commit). Lookups are dictionaries loaded once per file (three queries), so
checking 100,000 rows costs no more queries than checking one.

Row numbers are those a spreadsheet shows: the header is row 1, the first criterion row 2.
"""

import datetime
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.utils import timezone
from django.utils.translation import gettext as _

from criteria.codes import full_code_parse
from criteria.models import TEXT_MAX_LENGTH, Component
from criteria.selectors import grid_current, question_list
from territories.models import CoordinationGroup, HomogeneousGroup
from wikispiral.csvsafe import NEUTRALISED
from wikispiral.errors import DomainError
from wikispiral.text import invisibles_strip
from wikispiral.uploads import Limits, UploadProblem, sheet_read

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# Rows, columns, cell lengths and the unpacked size of a workbook: the shared bounds.
LIMITS = Limits(max_bytes=MAX_UPLOAD_BYTES)
# The preview keeps this many errors (the first ones, by row); error_count has them all.
ERRORS_KEPT = 2000
SAMPLE_READ_ROWS = 200
SAMPLE_SHOWN_ROWS = 10
EARLIEST_YEAR = 1990
EXCEL_EPOCH = pd.Timestamp("1899-12-30")

COLUMNS = ("group", "question", "text", "date", "language", "component", "full_code")
REQUIRED_COLUMNS = ("group", "question", "text", "date")

# Header names after _header_key (lower case, no accents, spaces as underscores): English,
# French and Portuguese.
HEADER_ALIASES = {
    "group": "group",
    "homogeneous_group": "group",
    "groupe": "group",
    "groupe_homogene": "group",
    "grupo": "group",
    "grupo_homogeneo": "group",
    "question": "question",
    "questao": "question",
    "pergunta": "question",
    "text": "text",
    "criterion": "text",
    "texte": "text",
    "critere": "text",
    "texto": "text",
    "criterio": "text",
    "date": "date",
    "session_date": "date",
    "date_de_seance": "date",
    "data": "date",
    "language": "language",
    "langue": "language",
    "idioma": "language",
    "lingua": "language",
    "component": "component",
    "composante": "component",
    "componente": "component",
    "full_code": "full_code",
    "code_complet": "full_code",
    "codigo_completo": "full_code",
}

_LANGUAGE = r"[a-z]{2,3}(?:-[a-z0-9]{2,8})*"

# The file as a whole cannot be used (not a spreadsheet, wrong encoding, past a limit, no
# header...): the shared refusal, under the name this app's callers catch.
FileProblem = UploadProblem


@dataclass
class Table:
    """The rows of a file, every cell a string, under the canonical column names."""

    frame: pd.DataFrame
    kind: str  # "csv" or "xlsx"
    headers: dict[str, str]  # canonical name → the header as written in the file
    ignored: list[str] = field(default_factory=list)
    separator: str = ""

    def header(self, column: str) -> str:
        return self.headers.get(column, column)


@dataclass
class Lookups:
    """What a row may name in one coordination group, loaded once per file."""

    groups: dict[str, int]  # slug and exact name → id (-1 when a name is ambiguous)
    groups_folded: dict[str, int]  # case-insensitive name → id (-1 when ambiguous)
    group_names: dict[int, str]
    group_languages: dict[int, str]
    questions: dict[str, int]  # upper-case code → id
    question_codes: dict[int, str]
    components: dict[str, tuple[int, bool]]  # code → (id, active) in the current grid


@dataclass
class Checked:
    """The outcome of checking a table: the rows ready to insert (when there is no error), the
    first errors and how many there are in all."""

    rows: int
    error_count: int
    errors: list[dict]
    valid: pd.DataFrame  # columns: group_id, question_id, text, language, session_date,
    # component_id (nullable), full_code; only rows without any error


def _header_key(raw: object) -> str:
    text = unicodedata.normalize("NFKD", str(raw)).encode("ascii", "ignore").decode()
    return re.sub(r"[\s\-]+", "_", text.strip().lower().lstrip("\ufeff"))


def read_table(
    filename: str,
    data: bytes,
    *,
    nrows: int | None = None,
    aliases: dict[str, str] | None = None,
    required: tuple[str, ...] | None = None,
    columns_read: tuple[str, ...] | None = None,
    missing_message: str | None = None,
) -> Table:
    """The file's rows under canonical column names (the first nrows only, when given);
    FileProblem when the file as a whole cannot be used (empty, not CSV/XLSX, not UTF-8, past
    a limit, a column twice, required columns missing). A coordination group's file by
    default; the network's import passes its own aliases, required and read columns, and the
    words (with %(missing)s and %(found)s) for missing columns."""
    aliases = HEADER_ALIASES if aliases is None else aliases
    required = REQUIRED_COLUMNS if required is None else required
    columns_read = COLUMNS if columns_read is None else columns_read
    sheet = sheet_read(data=data, filename=filename, limits=LIMITS, stop_after=nrows)
    headers: dict[str, str] = {}
    positions: dict[str, int] = {}
    ignored: list[str] = []
    for position, raw in enumerate(sheet.header):
        written = raw.strip().lstrip("\ufeff")
        name = aliases.get(_header_key(raw))
        if name is None:
            if written:
                ignored.append(written)
            continue
        if name in headers:
            raise FileProblem(
                _("The columns “%(first)s” and “%(second)s” both give the %(column)s.")
                % {"first": headers[name], "second": written, "column": name}
            )
        headers[name] = written
        positions[name] = position
    missing = [name for name in required if name not in headers]
    if missing:
        found = ", ".join(f"“{column.strip()}”" for column in sheet.header if column.strip())
        raise FileProblem(
            (
                missing_message
                or _(
                    "Required columns are missing: %(missing)s. The first row must name the "
                    "columns group, question, text and date (and optionally language, "
                    "component and full_code). Columns found: %(found)s. Download the "
                    "template to start from the right header."
                )
            )
            % {"missing": ", ".join(missing), "found": found or "—"}
        )
    width = len(sheet.header)
    if sheet.kind == "csv":
        for number, cells in sheet.rows:
            if len(cells) > width and any(map(str.strip, cells[width:])):
                raise FileProblem(
                    _(
                        "The file cannot be read as CSV around line %(line)s: a line has more "
                        "cells than the header, or a quotation mark is not closed. Check that "
                        "line and upload the file again."
                    )
                    % {"line": number}
                )
    # The index is the spreadsheet's row number less two (check_table adds them back).
    index = pd.Index([number - 2 for number, _cells in sheet.rows])
    columns: dict[str, list[str]] = {}
    for name in columns_read:
        column_at = positions.get(name)
        columns[name] = (
            [cells[column_at] if column_at < len(cells) else "" for _number, cells in sheet.rows]
            if column_at is not None
            else [""] * len(index)
        )
    table = pd.DataFrame(columns, index=index, columns=list(columns_read)).astype(str)
    # Rows whose used columns are all empty (the file's other columns aside) are no criteria.
    table = table[(table != "").any(axis=1)]
    if table.empty:
        raise FileProblem(_("The file has a header but no criteria under it."))
    return Table(
        frame=table, kind=sheet.kind, headers=headers, ignored=ignored, separator=sheet.separator
    )


def lookups_load(*, tenant: CoordinationGroup) -> Lookups:
    """The groups, questions and current components a row may name (three queries)."""
    groups: dict[str, int] = {}
    folded: dict[str, int] = {}
    names: dict[int, str] = {}
    languages: dict[int, str] = {}
    rows = HomogeneousGroup.objects.filter(tenant=tenant).values_list(
        "pk", "slug", "name", "language"
    )
    for pk, _slug, name, language in rows:
        names[pk] = name
        languages[pk] = language
        for key, table in ((name.strip(), groups), (name.strip().casefold(), folded)):
            table[key] = -1 if key in table and table[key] != pk else pk
    for pk, slug, _name, _language in rows:
        groups[slug] = pk  # a slug is unique in the group and wins over a name
    questions = {
        code.upper(): pk for pk, code in question_list(tenant=tenant).values_list("pk", "code")
    }
    components = {
        code: (pk, active)
        for pk, code, active in Component.objects.filter(version=grid_current()).values_list(
            "pk", "code", "is_active"
        )
    }
    return Lookups(
        groups=groups,
        groups_folded=folded,
        group_names=names,
        group_languages=languages,
        questions=questions,
        question_codes={pk: code for code, pk in questions.items()},
        components=components,
    )


@dataclass
class _Check:
    column: str
    mask: np.ndarray
    message: Callable[[int], str]


def _parse_dates(values: pd.Series) -> pd.Series:
    # Excel cells formatted as dates come out of pandas as "2024-03-14 00:00:00".
    cleaned = values.str.replace(r"[ T]00:00:00$", "", regex=True)
    iso = pd.to_datetime(cleaned, format="%Y-%m-%d", errors="coerce")
    european = pd.to_datetime(cleaned, format="%d/%m/%Y", errors="coerce")
    # A date cell formatted as a number shows Excel's day count (45000 is 2023-03-15).
    serial = pd.to_numeric(cleaned.where(cleaned.str.fullmatch(r"\d{5}")), errors="coerce")
    excel = EXCEL_EPOCH + pd.to_timedelta(serial, unit="D")
    return iso.fillna(european).fillna(excel)


def _full_codes(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """For each value: the normalised code, its component code and the parse error ("" when
    none); each distinct value is parsed once."""
    parsed: dict[str, tuple[str, str, str]] = {"": ("", "", "")}
    for raw in values.unique():
        if raw in parsed:
            continue
        try:
            code = full_code_parse(raw)
        except DomainError as error:
            parsed[raw] = ("", "", error.message)
        else:
            parsed[raw] = (str(code), code.component_code, "")
    triples = values.map(parsed)
    return triples.str[0], triples.str[1], triples.str[2]


def check_table(table: Table, lookups: Lookups, *, today: datetime.date | None = None) -> Checked:
    """Check every row; the valid rows come back with ids instead of codes and names."""
    frame = table.frame
    today = today or timezone.localdate()
    header = table.header
    row_numbers = frame.index.to_numpy() + 2
    checks: list[_Check] = []

    def check(column: str, mask: pd.Series, message: Callable[[int], str]) -> None:
        checks.append(_Check(header(column), mask.to_numpy(dtype=bool), message))

    group = frame["group"].str.strip()
    group_id = group.map(lookups.groups)
    group_id = group_id.fillna(group.str.casefold().map(lookups.groups_folded))
    check("group", group == "", lambda i: _("The homogeneous group is missing."))
    check(
        "group",
        (group != "") & group_id.isna(),
        lambda i: (
            _(
                "There is no homogeneous group “%(value)s” in this coordination group: write its "
                "short name (slug) or its exact name, as listed in the template."
            )
            % {"value": group.iat[i]}
        ),
    )
    check(
        "group",
        group_id == -1,
        lambda i: (
            _(
                "Several homogeneous groups are named “%(value)s”: write the short name (slug) of "
                "the one you mean."
            )
            % {"value": group.iat[i]}
        ),
    )
    group_ok = group_id.notna() & (group_id != -1)

    question = frame["question"].str.strip().str.upper()
    question = question.mask(question.str.fullmatch(r"\d{1,3}"), "Q" + question)
    question_id = question.map(lookups.questions)
    check("question", question == "", lambda i: _("The question is missing."))
    check(
        "question",
        (question != "") & question_id.isna(),
        lambda i: (
            _(
                "Unknown question “%(value)s”: write the code of a question asked in this "
                "coordination group, such as Q1, Q2 or Q3."
            )
            % {"value": frame["question"].iat[i].strip()}
        ),
    )

    # Our own CSV exports neutralise formulas with an apostrophe: an exported file comes back.
    restored = frame["text"].str.replace(NEUTRALISED, "", regex=True)
    text = (
        (restored.str.replace("\r\n", "\n", regex=False).str.replace("\r", "\n", regex=False))
        .map(invisibles_strip)
        .str.strip()
    )
    length = text.str.len()
    check("text", text == "", lambda i: _("The text of the criterion is empty."))
    check(
        "text",
        length > TEXT_MAX_LENGTH,
        lambda i: (
            _("A criterion has at most %(max)d characters (this one has %(count)d).")
            % {"max": TEXT_MAX_LENGTH, "count": length.iat[i]}
        ),
    )

    raw_date = frame["date"].str.strip()
    session_date = _parse_dates(raw_date)
    check("date", raw_date == "", lambda i: _("The date is missing."))
    check(
        "date",
        (raw_date != "") & session_date.isna(),
        lambda i: (
            _("“%(value)s” is not a date: write it as YYYY-MM-DD (or DD/MM/YYYY).")
            % {"value": raw_date.iat[i]}
        ),
    )
    latest = pd.Timestamp(today + datetime.timedelta(days=1))
    check(
        "date",
        session_date > latest,
        lambda i: _("The date %(value)s is in the future.") % {"value": raw_date.iat[i]},
    )
    check(
        "date",
        session_date.dt.year < EARLIEST_YEAR,
        lambda i: (
            _("The date %(value)s is before %(year)d: check the year.")
            % {"value": raw_date.iat[i], "year": EARLIEST_YEAR}
        ),
    )

    language = frame["language"].str.strip().str.lower()
    check(
        "language",
        (language != "") & (~language.str.fullmatch(_LANGUAGE) | (language.str.len() > 12)),
        lambda i: (
            _("“%(value)s” is not a language code such as en, fr or pt.")
            % {"value": frame["language"].iat[i].strip()}
        ),
    )
    language = language.mask(language == "", group_id.map(lookups.group_languages))

    raw_code = frame["full_code"].str.strip()
    full_code, code_component, code_error = _full_codes(raw_code)
    check("full_code", code_error != "", lambda i: code_error.iat[i])
    component = frame["component"].str.strip().str.upper()
    check(
        "full_code",
        (component != "") & (code_component != "") & (code_component != component),
        lambda i: (
            _("The full code %(code)s does not belong to component %(component)s.")
            % {"code": full_code.iat[i], "component": component.iat[i]}
        ),
    )
    # A full code alone names its component.
    component = component.mask(component == "", code_component)
    component_id = component.map({code: pk for code, (pk, _a) in lookups.components.items()})
    active = component.map({code: active for code, (_pk, active) in lookups.components.items()})
    component_column = "component" if "component" in table.headers else "full_code"
    check(
        component_column,
        (component != "") & component_id.isna(),
        lambda i: (
            _("Unknown component “%(value)s”: write a code of the current grid, e.g. A01.")
            % {"value": component.iat[i]}
        ),
    )
    check(
        component_column,
        active.eq(False),
        lambda i: (
            _("Component %(code)s is no longer in use in the current grid.")
            % {"code": component.iat[i]}
        ),
    )

    masks = np.vstack([c.mask for c in checks]) if checks else np.zeros((0, len(frame)), bool)
    error_count = int(masks.sum())
    check_index, row_index = np.nonzero(masks)
    first = np.lexsort((check_index, row_index))[:ERRORS_KEPT]
    errors = [
        {
            "row": int(row_numbers[row_index[j]]),
            "column": checks[check_index[j]].column,
            "message": str(checks[check_index[j]].message(int(row_index[j]))),
        }
        for j in first
    ]
    good = ~masks.any(axis=0) & group_ok.to_numpy(dtype=bool)
    valid = pd.DataFrame(
        {
            "group_id": group_id[good].astype("int64"),
            "question_id": question_id[good].astype("int64"),
            "text": text[good],
            "language": language[good],
            "session_date": session_date[good].dt.date,
            "component_id": component_id[good].astype("Int64"),
            "full_code": full_code[good],
            "row": row_numbers[good],
        }
    )
    return Checked(rows=len(frame), error_count=error_count, errors=errors, valid=valid)


def check_file(
    *, tenant: CoordinationGroup, filename: str, data: bytes, nrows: int | None = None
) -> tuple[Table, Lookups, Checked]:
    """Read and check a file (its first nrows rows only, when given) for tenant; FileProblem
    when the file as a whole cannot be used."""
    table = read_table(filename, data, nrows=nrows)
    lookups = lookups_load(tenant=tenant)
    return table, lookups, check_table(table, lookups)


def sample_rows(checked: Checked, lookups: Lookups, *, limit: int = SAMPLE_SHOWN_ROWS) -> list:
    """The first valid rows as the preview shows them (names and codes, not ids)."""
    components = {pk: code for code, (pk, _active) in lookups.components.items()}
    shown = []
    for row in checked.valid.head(limit).itertuples(index=False):
        shown.append(
            {
                "row": int(row.row),
                "group": lookups.group_names.get(row.group_id, ""),
                "question": lookups.question_codes.get(row.question_id, ""),
                "text": row.text,
                "date": row.session_date,
                "language": row.language,
                "component": "" if pd.isna(row.component_id) else components[row.component_id],
                "full_code": row.full_code,
            }
        )
    return shown
