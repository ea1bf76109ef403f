"""The mapping file: which Tiki tracker export is which of our objects, and which of its columns
is which of our fields (issue 15).

The secretariat writes it in TOML (read with the standard library's tomllib):

    [trackers.groups]
    file = "groups.csv"              # the tracker export this part is about
    kind = "coordination_groups"     # coordination_groups, homogeneous_groups or criteria
    separator = ";"                  # optional: as chosen when exporting (else guessed)
    encoding = "ISO-8859-1"          # optional: as chosen when exporting (else guessed)
    timezone = "Europe/Paris"        # optional: the old site's, for dates written as text

    [trackers.groups.columns]        # our field = the column: "Name -- 12", "12" or "Name"
    network_id = "Network id"
    name = "Name"
    status = "status"                # a generic column (itemId, status, created...) works too

    [trackers.groups.values.status]  # optional: the old values -> ours
    o = "active"
    c = "archived"

Pure functions: no database. The kinds and their fields are listed here as words; the floors
above (territories, criteria) turn the cleaned values into their objects through their services.
"""

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from wikispiral.wiki.tiki.dates import (
    date_parse,
)
from wikispiral.wiki.tiki.trackers import (
    ERROR,
    WARNING,
    TikiColumn,
    TrackerProblem,
    TrackerReading,
    TrackerRow,
)

COORDINATION_GROUPS = "coordination_groups"
HOMOGENEOUS_GROUPS = "homogeneous_groups"
CRITERIA = "criteria"

# How a target field's value is cleaned.
TEXT = "text"  # several lines kept
LINE = "line"  # one line: line breaks become spaces
EMAIL = "email"
DATE = "date"  # written "YYYY-MM-DD"
NUMBER = "number"
LANGUAGE = "language"
CHOICE = "choice"  # one of the field's choices, after the value map


@dataclass(frozen=True)
class Target:
    name: str
    clean: str = LINE
    required: bool = False
    choices: tuple[str, ...] = ()
    # Old values read without a value map: Tiki's status letters, "1" for Q1...
    defaults: tuple[tuple[str, str], ...] = ()


_TIKI_STATUS = (("o", "active"), ("p", "active"), ("c", "archived"))
_QUESTIONS = (("1", "Q1"), ("2", "Q2"), ("3", "Q3"), ("q1", "Q1"), ("q2", "Q2"), ("q3", "Q3"))

KINDS: dict[str, tuple[Target, ...]] = {
    COORDINATION_GROUPS: (
        Target("network_id", required=True),
        Target("name", required=True),
        Target("type", CHOICE, choices=("territory", "collective_actor", "citizens_group")),
        Target("country"),
        Target("region"),
        Target("locality"),
        Target("actor_type"),
        Target("description", TEXT),  # the platform's description
        Target("territory_description", TEXT),
        Target("process_summary", TEXT),
        Target("stakeholders", TEXT),
        Target("contacts", TEXT),
        Target("support_needs", TEXT),
        Target("contact_email", EMAIL),  # added to the contacts
        Target("facilitator_email", EMAIL),
        Target(
            "status",
            CHOICE,
            choices=("active", "validated", "archived"),
            defaults=_TIKI_STATUS,
        ),
        Target("language", LANGUAGE),
        Target("page"),  # the group's page on the old site: becomes its space's home page
    ),
    HOMOGENEOUS_GROUPS: (
        Target("key", required=True),
        Target("coordination_group", required=True),
        Target("name", required=True),
        Target("profile", TEXT),
        Target("started_on", DATE),
        Target("ended_on", DATE),
        Target("meeting_dates"),
        Target("participants", NUMBER),
        Target("language", LANGUAGE),
        Target("notes", TEXT),
        Target("page"),  # the group's page on the old site: its history joins the group's page
    ),
    CRITERIA: (
        Target("key"),
        # Not needed when the homogeneous group is named by its item id (its group is known).
        Target("coordination_group"),
        Target("homogeneous_group", required=True),
        Target("question", CHOICE, required=True, choices=("Q1", "Q2", "Q3"), defaults=_QUESTIONS),
        Target("text", TEXT, required=True),
        Target("date", DATE),
        Target("language", LANGUAGE),
        Target("component"),
        Target("full_code"),
    ),
}

_TRACKER_KEYS = {
    "file",
    "kind",
    "separator",
    "encoding",
    "timezone",
    "columns",
    "values",
    "tracker_id",
}
_PAGES_KEYS = {"language", "spaces"}
_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}([-_][a-z0-9]{2,8})?$")


@dataclass(frozen=True)
class TrackerMapping:
    """One tracker's part of the mapping. values: for each target field, the old value
    (case-folded) -> ours."""

    name: str
    file: str
    kind: str
    columns: dict[str, str]
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    separator: str | None = None
    encoding: str | None = None
    timezone: str = "UTC"
    # The tracker's id on the old site, for its feed's old address (tiki-tracker_rss.php).
    tracker_id: int | None = None

    def targets(self) -> dict[str, Target]:
        return {target.name: target for target in KINDS[self.kind]}


@dataclass(frozen=True)
class Mapping:
    """The trackers' parts, and the optional [pages] part: the pages' default language, and
    which pages go to a coordination group's space (a page name, or a pattern with *, -> the
    group's network id or address)."""

    trackers: dict[str, TrackerMapping]
    pages_language: str = ""
    pages_spaces: dict[str, str] = field(default_factory=dict)

    def for_file(self, filename: str) -> TrackerMapping | None:
        """The part about this export, found by its file name (any folder)."""
        base = filename.replace("\\", "/").rsplit("/", 1)[-1]
        for tracker in self.trackers.values():
            if tracker.file == filename or tracker.file.rsplit("/", 1)[-1] == base:
                return tracker
        return None


@dataclass(frozen=True)
class MappingProblem:
    """A line about the mapping file; tracker is the part it is about ("" for the whole)."""

    message: str
    tracker: str = ""
    level: str = ERROR


@dataclass
class MappedRow:
    """A tracker item in our words: values keyed by our field names (dates "YYYY-MM-DD"),
    item_id the idempotency key, number the line of the export. A row with an error among its
    problems must not be imported."""

    item_id: int
    number: int
    values: dict[str, str]
    problems: list[TrackerProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(problem.level == ERROR for problem in self.problems)


# --- Reading the mapping ------------------------------------------------------------------------


def _kind_names() -> str:
    return ", ".join(sorted(KINDS))


def mapping_read(text: str) -> tuple[Mapping | None, list[MappingProblem]]:
    """The mapping in a TOML text and every problem in it; None when it has an error."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return None, [
            MappingProblem(
                _("The mapping file is not valid TOML: %(error)s.") % {"error": str(error)}
            )
        ]
    problems: list[MappingProblem] = []
    trackers = data.get("trackers", {})
    if not isinstance(trackers, dict) or (not trackers and "pages" not in data):
        return None, [
            MappingProblem(
                _("The mapping file names no tracker: add a [trackers.<name>] part per export.")
            )
        ]
    pages_language, pages_spaces = _pages(data.get("pages", {}), problems)
    for key in data:
        if key not in ("trackers", "pages"):
            problems.append(
                MappingProblem(
                    _("The part “%(key)s” is not one the mapping knows; it was ignored.")
                    % {"key": key},
                    level=WARNING,
                )
            )
    parsed: dict[str, TrackerMapping] = {}
    files: dict[str, str] = {}
    for name, part in trackers.items():
        tracker = _tracker(name, part, problems)
        if tracker is None:
            continue
        if tracker.file in files:
            problems.append(
                MappingProblem(
                    _("The file “%(file)s” is already mapped by [trackers.%(other)s].")
                    % {"file": tracker.file, "other": files[tracker.file]},
                    tracker=name,
                )
            )
            continue
        files[tracker.file] = name
        parsed[name] = tracker
    if any(problem.level == ERROR for problem in problems):
        return None, problems
    mapping = Mapping(trackers=parsed, pages_language=pages_language, pages_spaces=pages_spaces)
    return mapping, problems


def _pages(part: object, problems: list[MappingProblem]) -> tuple[str, dict[str, str]]:
    """The [pages] part: language = "fr", and [pages.spaces] "Page name or pattern*" = "GC…"."""
    if not isinstance(part, dict):
        problems.append(MappingProblem(_("[pages] must be a table.")))
        return "", {}
    for key in part:
        if key not in _PAGES_KEYS:
            problems.append(
                MappingProblem(
                    _("[pages] has the key “%(key)s”, which the mapping does not know.")
                    % {"key": key}
                )
            )
    language = part.get("language", "")
    if not isinstance(language, str) or (language and not _LANGUAGE.match(language.lower())):
        problems.append(MappingProblem(_("[pages]: “language” must be a language code.")))
        language = ""
    spaces = part.get("spaces", {})
    found: dict[str, str] = {}
    if not isinstance(spaces, dict):
        problems.append(MappingProblem(_("[pages.spaces] must be a table.")))
        spaces = {}
    for name, group in spaces.items():
        if not isinstance(group, str) or not group.strip():
            problems.append(
                MappingProblem(
                    _("[pages.spaces]: “%(name)s” must name a coordination group.") % {"name": name}
                )
            )
            continue
        found[name.strip()] = group.strip()
    return language.lower(), found


def _tracker(name: str, part: object, problems: list[MappingProblem]) -> TrackerMapping | None:
    def problem(message: str, level: str = ERROR) -> None:
        problems.append(MappingProblem(message, tracker=name, level=level))

    if not isinstance(part, dict):
        problem(_("[trackers.%(name)s] must be a table.") % {"name": name})
        return None
    before = len(problems)
    for key in part:
        if key not in _TRACKER_KEYS:
            problem(
                _("[trackers.%(name)s] has the key “%(key)s”, which the mapping does not know.")
                % {"name": name, "key": key}
            )
    file = part.get("file")
    if not isinstance(file, str) or not file.strip():
        problem(
            _('[trackers.%(name)s] does not say which export it is about (file = "…csv").')
            % {"name": name}
        )
    kind = part.get("kind")
    if kind not in KINDS:
        problem(
            _("[trackers.%(name)s]: the kind “%(kind)s” is unknown; use one of: %(kinds)s.")
            % {"name": name, "kind": kind if kind is not None else "", "kinds": _kind_names()}
        )
        return None
    assert isinstance(kind, str)
    targets = {target.name: target for target in KINDS[kind]}
    allowed = ", ".join(targets)
    columns_part = part.get("columns", {})
    columns: dict[str, str] = {}
    if not isinstance(columns_part, dict):
        problem(_("[trackers.%(name)s.columns] must be a table.") % {"name": name})
        columns_part = {}
    for target, column in columns_part.items():
        if target not in targets:
            problem(
                _(
                    "[trackers.%(name)s.columns]: “%(field)s” is not a field of %(kind)s; the "
                    "fields are: %(fields)s."
                )
                % {"name": name, "field": target, "kind": kind, "fields": allowed}
            )
        elif not isinstance(column, str) or not column.strip():
            problem(
                _("[trackers.%(name)s.columns]: “%(field)s” must name a column of the export.")
                % {"name": name, "field": target}
            )
        else:
            columns[target] = column.strip()
    for target in targets.values():
        if target.required and target.name not in columns:
            problem(
                _(
                    "[trackers.%(name)s.columns] does not say which column is “%(field)s”, "
                    "which %(kind)s need."
                )
                % {"name": name, "field": target.name, "kind": kind}
            )
    values = _values(name, part.get("values", {}), targets, problem)
    options: dict[str, str | None] = {}
    for key in ("separator", "encoding", "timezone"):
        option = part.get(key)
        if option is not None and not isinstance(option, str):
            problem(_("[trackers.%(name)s]: “%(key)s” must be text.") % {"name": name, "key": key})
            option = None
        options[key] = option
    tracker_id = part.get("tracker_id")
    if tracker_id is not None and (
        isinstance(tracker_id, bool) or not isinstance(tracker_id, int) or tracker_id < 1
    ):
        problem(_("[trackers.%(name)s]: “tracker_id” must be a whole number.") % {"name": name})
        tracker_id = None
    separator = options["separator"]
    if separator is not None and len(separator) != 1:
        problem(_("[trackers.%(name)s]: the separator must be one character.") % {"name": name})
    if len(problems) > before and any(p.level == ERROR for p in problems[before:]):
        return None
    assert isinstance(file, str)
    return TrackerMapping(
        name=name,
        file=file.strip(),
        kind=kind,
        columns=columns,
        values=values,
        separator=separator,
        encoding=options["encoding"],
        timezone=options["timezone"] or "UTC",
        tracker_id=tracker_id,
    )


def _values(
    name: str, part: object, targets: dict[str, Target], problem: Callable[[str], None]
) -> dict[str, dict[str, str]]:
    values: dict[str, dict[str, str]] = {}
    if not isinstance(part, dict):
        problem(_("[trackers.%(name)s.values] must be a table.") % {"name": name})
        return values
    for target_name, table in part.items():
        target = targets.get(target_name)
        if target is None:
            problem(
                _("[trackers.%(name)s.values]: “%(field)s” is not a field of this kind.")
                % {"name": name, "field": target_name}
            )
            continue
        if not isinstance(table, dict):
            problem(
                _("[trackers.%(name)s.values.%(field)s] must be a table of old = new values.")
                % {"name": name, "field": target_name}
            )
            continue
        mapped: dict[str, str] = {}
        for old, new in table.items():
            if not isinstance(new, str):
                problem(
                    _("[trackers.%(name)s.values.%(field)s]: “%(old)s” must map to text.")
                    % {"name": name, "field": target_name, "old": old}
                )
                continue
            if target.choices and new not in target.choices:
                problem(
                    _("[trackers.%(name)s.values.%(field)s]: “%(new)s” is not one of %(choices)s.")
                    % {
                        "name": name,
                        "field": target_name,
                        "new": new,
                        "choices": ", ".join(target.choices),
                    }
                )
                continue
            mapped[old.strip().casefold()] = new
        values[target_name] = mapped
    return values


# --- The mapping against an export ---------------------------------------------------------------


def mapping_check(mapping: TrackerMapping, reading: TrackerReading) -> list[TrackerProblem]:
    """A problem for each column the mapping names that the export does not have (or has
    twice under that name)."""
    problems: list[TrackerProblem] = []
    available = ", ".join(f"“{header}”" for header in reading.header[:30])
    for target, reference in mapping.columns.items():
        if reading.column_find(reference) is not None:
            continue
        named = [c for c in reading.columns if c.name.strip().casefold() == reference.casefold()]
        if len(named) > 1:
            message = _(
                "The mapping names the column “%(column)s” (for %(field)s), and the export has "
                "several fields of that name: write the whole header, such as “%(example)s”."
            ) % {"column": reference, "field": target, "example": named[0].header}
        else:
            message = _(
                "The mapping names the column “%(column)s” (for %(field)s), which the export "
                "does not have. Its columns are: %(columns)s."
            ) % {"column": reference, "field": target, "columns": available}
        problems.append(TrackerProblem(source=reading.source, message=message, column=reference))
    return problems


def _cell(row: TrackerRow, column: TikiColumn) -> str:
    if column.kind == "item_id":
        return str(row.item_id)
    if column.kind == "status":
        return row.status
    if column.kind in {"created", "modified"}:
        moment = row.created if column.kind == "created" else row.modified
        return moment.date().isoformat() if moment is not None else ""
    if column.kind == "created_by":
        return row.created_by
    if column.kind == "modified_by":
        return row.modified_by
    return row.fields.get(column.header, "")


def _clean(
    target: Target, raw: str, values: dict[str, str], timezone: str
) -> tuple[str, str | None]:
    """The value in our words, and an error message when it cannot be used."""
    text = raw.strip()
    mapped = values.get(text.casefold())
    if mapped is not None:
        return mapped, None
    if not text:
        return "", None
    if target.clean == TEXT:
        return text, None
    line = " ".join(text.split())
    if target.clean == LINE:
        return line, None
    if target.clean == EMAIL:
        email = line.lower().removeprefix("mailto:")
        if not _EMAIL.match(email):
            return "", _("“%(value)s” is not an email address.") % {"value": line[:80]}
        return email, None
    if target.clean == DATE:
        moment = date_parse(line, timezone=timezone)
        if moment is None:
            return "", _("“%(value)s” is not a date.") % {"value": line[:40]}
        return moment.date().isoformat(), None
    if target.clean == NUMBER:
        digits = line.replace(" ", "").replace("\u00a0", "")
        if not digits.isdigit():
            return "", _("“%(value)s” is not a whole number.") % {"value": line[:40]}
        return str(int(digits)), None
    if target.clean == LANGUAGE:
        code = line.lower().replace("_", "-")
        if not _LANGUAGE.match(code):
            return "", _(
                "“%(value)s” is not a language code (such as fr or pt-br); map it in "
                "[…values.language]."
            ) % {"value": line[:40]}
        return code, None
    # CHOICE
    folded = line.casefold()
    for choice in target.choices:
        if choice.casefold() == folded:
            return choice, None
    default = dict(target.defaults).get(folded)
    if default is not None:
        return default, None
    return "", _(
        "“%(value)s” is not one of %(choices)s; map it in [trackers.…values.%(field)s]."
    ) % {"value": line[:60], "choices": ", ".join(target.choices), "field": target.name}


def mapped_rows(mapping: TrackerMapping, reading: TrackerReading) -> list[MappedRow]:
    """The export's rows in our words, each with its problems (a required field empty, a value
    that cannot be read); rows of columns the mapping names but the export lacks are left
    empty for those fields (mapping_check reports them)."""
    targets = mapping.targets()
    resolved: dict[str, TikiColumn] = {}
    for target_name, reference in mapping.columns.items():
        column = reading.column_find(reference)
        if column is not None:
            resolved[target_name] = column
    result: list[MappedRow] = []
    for row in reading.rows:
        mapped = MappedRow(item_id=row.item_id, number=row.number, values={})
        for target_name, column in resolved.items():
            target = targets[target_name]
            value, error = _clean(
                target, _cell(row, column), mapping.values.get(target_name, {}), mapping.timezone
            )
            if error is not None:
                mapped.problems.append(
                    TrackerProblem(
                        source=reading.source,
                        row=row.number,
                        message=error,
                        column=column.header,
                    )
                )
            mapped.values[target_name] = value
        for target in targets.values():
            if target.required and target.name in resolved and not mapped.values.get(target.name):
                if any(p.column == resolved[target.name].header for p in mapped.problems):
                    continue
                mapped.problems.append(
                    TrackerProblem(
                        source=reading.source,
                        row=row.number,
                        message=_("The %(field)s is empty.") % {"field": target.name},
                        column=resolved[target.name].header,
                    )
                )
        result.append(mapped)
    return result
