"""Reading a grid file and checking it, and the preview of what importing it as a new version
would change: which components it adds, removes and relabels, and where every classified
criterion would go.

Nothing here writes to the database: criteria/grid/services.py imports the version (with the
mapping that moves every classified criterion to it).
"""

import re
from dataclasses import asdict, dataclass, field

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from criteria.codes import COMPONENT_CODE
from criteria.grid.files import RowError, table_read
from criteria.models import Component, Criterion, GridVersion
from wikispiral.tenancy import cross_tenant

LANGUAGES = ("en", "fr", "pt")
REQUIRED_COLUMNS = (
    "family",
    "family_en",
    "family_fr",
    "code",
    "label_en",
    "label_fr",
    "description_en",
    "status",
)
OPTIONAL_COLUMNS = (
    "family_pt",
    "label_pt",
    "description_fr",
    "description_pt",
    "active",
    "replaces",
)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
# The order a downloaded template uses: the seed file's columns first.
TEMPLATE_COLUMNS = (
    "family",
    "family_en",
    "family_fr",
    "family_pt",
    "code",
    "label_en",
    "label_fr",
    "label_pt",
    "description_en",
    "description_fr",
    "description_pt",
    "status",
    "active",
    "replaces",
)
_FAMILY_LETTER = re.compile(r"^[A-Z]$")
_CODES_SEPARATOR = re.compile(r"[\s,;]+")
_TRUE = {"", "1", "yes", "y", "true", "oui", "sim", "x"}
_FALSE = {"0", "no", "n", "false", "non", "não", "nao"}


# --- Reading and checking a grid file -----------------------------------------------------------


@dataclass(frozen=True)
class GridRow:
    """One component of a grid file, its text cleaned; row is its spreadsheet row."""

    row: int
    family: str
    family_names: dict[str, str]
    code: str
    names: dict[str, str]
    descriptions: dict[str, str]
    status: str
    active: bool = True
    replaces: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        data = asdict(self)
        data["replaces"] = list(self.replaces)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "GridRow":
        return cls(**{**data, "replaces": tuple(data.get("replaces", ()))})


def _texts(record: dict[str, str], prefix: str) -> dict[str, str]:
    return {
        language: record.get(f"{prefix}_{language}", "").strip()
        for language in LANGUAGES
        if record.get(f"{prefix}_{language}", "").strip()
    }


def grid_file_read(*, data: bytes, filename: str) -> tuple[list[GridRow], list[RowError]]:
    """Parse an uploaded grid file; the rows are usable only when the error list is empty."""
    table = table_read(data=data, filename=filename)
    errors = list(table.errors)
    if not table.header:
        return [], errors
    missing = [column for column in REQUIRED_COLUMNS if column not in table.header]
    for column in missing:
        errors.append(
            RowError(
                1,
                column,
                _("The column %(column)s is missing from the header line.") % {"column": column},
            )
        )
    if missing:
        return [], errors
    rows = []
    for number, record in table.records:
        active_text = record.get("active", "").strip().lower()
        if active_text not in _TRUE | _FALSE:
            errors.append(
                RowError(
                    number,
                    "active",
                    _("“%(value)s” is not a yes or no: write 1 (in use) or 0 (not in use).")
                    % {"value": record["active"]},
                )
            )
        replaces = record.get("replaces", "").strip().upper()
        rows.append(
            GridRow(
                row=number,
                family=record["family"].strip().upper(),
                family_names=_texts(record, "family"),
                code=record["code"].strip().upper(),
                names=_texts(record, "label"),
                descriptions=_texts(record, "description"),
                status=record["status"].strip().lower(),
                active=active_text not in _FALSE,
                replaces=tuple(dict.fromkeys(c for c in _CODES_SEPARATOR.split(replaces) if c)),
            )
        )
    if not rows and not errors:
        errors.append(RowError(0, "", _("The file has a header line but no component.")))
    errors.extend(grid_rows_check(rows=rows, current_codes=_current_codes()))
    return rows, sorted(errors, key=_error_order)


def _error_order(error: RowError) -> tuple[int, int]:
    return error.row, COLUMNS.index(error.column) + 1 if error.column in COLUMNS else 0


def _current_codes() -> set[str]:
    return set(Component.objects.filter(version__is_current=True).values_list("code", flat=True))


def grid_rows_check(*, rows: list[GridRow], current_codes: set[str]) -> list[RowError]:
    """Every row's problems: codes, family letters and names, labels, statuses, the x00
    component of each family, and `replaces` naming only codes of the current grid."""
    errors: list[RowError] = []
    statuses = Component.Status.values
    first_of_code: dict[str, int] = {}
    first_of_family: dict[str, GridRow] = {}
    for row in rows:
        family_ok = bool(_FAMILY_LETTER.match(row.family))
        if not family_ok:
            errors.append(
                RowError(
                    row.row,
                    "family",
                    _("“%(value)s” is not a family letter: write one capital letter, A to Z.")
                    % {"value": row.family},
                )
            )
        if not COMPONENT_CODE.match(row.code):
            errors.append(
                RowError(
                    row.row,
                    "code",
                    _(
                        "“%(value)s” is not a component code: one capital letter and two digits, "
                        "such as A01."
                    )
                    % {"value": row.code},
                )
            )
        elif family_ok and row.code[0] != row.family:
            errors.append(
                RowError(
                    row.row,
                    "code",
                    _("The code %(code)s does not start with its family's letter, %(letter)s.")
                    % {"code": row.code, "letter": row.family},
                )
            )
        elif row.code in first_of_code:
            errors.append(
                RowError(
                    row.row,
                    "code",
                    _("The code %(code)s is already used on row %(row)d.")
                    % {"code": row.code, "row": first_of_code[row.code]},
                )
            )
        else:
            first_of_code[row.code] = row.row
        if not row.names.get("en"):
            errors.append(RowError(row.row, "label_en", _("The English label is missing.")))
        if not row.family_names.get("en"):
            errors.append(
                RowError(row.row, "family_en", _("The family's English name is missing."))
            )
        if row.status not in statuses:
            errors.append(
                RowError(
                    row.row,
                    "status",
                    _("“%(value)s” is not a status: write one of %(statuses)s.")
                    % {"value": row.status, "statuses": ", ".join(statuses)},
                )
            )
        if family_ok:
            first = first_of_family.setdefault(row.family, row)
            for language in LANGUAGES:
                mine = row.family_names.get(language, "")
                theirs = first.family_names.get(language, "")
                if first is not row and mine != theirs:
                    errors.append(
                        RowError(
                            row.row,
                            f"family_{language}",
                            _(
                                "Family %(letter)s is named “%(name)s” here but “%(first)s” on "
                                "row %(row)d: give it the same name on every row."
                            )
                            % {
                                "letter": row.family,
                                "name": mine,
                                "first": theirs,
                                "row": first.row,
                            },
                        )
                    )
        for code in row.replaces:
            if code not in current_codes:
                errors.append(
                    RowError(
                        row.row,
                        "replaces",
                        _("%(code)s is not a component of the current grid.") % {"code": code},
                    )
                )
    for letter, first in first_of_family.items():
        general = f"{letter}00"
        if general not in first_of_code:
            errors.append(
                RowError(
                    first.row,
                    "code",
                    _(
                        "Family %(letter)s has no %(code)s component (%(letter)s in general): "
                        "every family needs one."
                    )
                    % {"letter": letter, "code": general},
                )
            )
    return errors


# --- The preview: what a new version would change ----------------------------------------------


@dataclass
class MappingEntry:
    """Where one component of the current grid goes, and how many criteria it takes along."""

    old: Component
    targets: list[str]
    criteria: int

    @property
    def kind(self) -> str:
        """same, moved (to another code), split (criteria become disputed), lost (an error:
        criteria with nowhere to go) or dropped (no criteria, no successor)."""
        if not self.targets:
            return "lost" if self.criteria else "dropped"
        if len(self.targets) > 1:
            return "split"
        return "same" if self.targets == [self.old.code] else "moved"


@dataclass
class ComponentChange:
    old: Component
    new: GridRow
    labels: list[str]  # languages whose label changed
    other: list[str]  # "description", "status", "active", "family"

    @property
    def label_changes(self) -> list[tuple[str, str, str]]:
        """(language, current label, new label) for each language whose label changes."""
        return [
            (language, self.old.names.get(language, ""), self.new.names.get(language, ""))
            for language in self.labels
        ]


@dataclass
class GridImportPreview:
    current: GridVersion
    rows: list[GridRow]
    added: list[GridRow] = field(default_factory=list)
    removed: list[Component] = field(default_factory=list)
    changed: list[ComponentChange] = field(default_factory=list)
    entries: list[MappingEntry] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def mapping(self) -> dict[str, list[str]]:
        return {entry.old.code: entry.targets for entry in self.entries if entry.targets}

    @property
    def families(self) -> int:
        return len({row.family for row in self.rows})

    @property
    def criteria_moved(self) -> int:
        return sum(entry.criteria for entry in self.entries if entry.targets)

    @property
    def criteria_disputed(self) -> int:
        return sum(entry.criteria for entry in self.entries if entry.kind == "split")

    @property
    def relabelled(self) -> list[ComponentChange]:
        return [change for change in self.changed if change.labels]


def criteria_counts(*, version: GridVersion) -> dict[int, int]:
    """Criteria (of every group) currently classified in each component of version, by id."""
    with cross_tenant():
        counts = (
            Criterion.objects.filter(component__version=version)
            .values("component_id")
            .annotate(count=Count("id"))
            .order_by()
        )
        return {row["component_id"]: row["count"] for row in counts}


def grid_mapping_default(*, rows: list[GridRow], current_codes: list[str]) -> dict[str, list[str]]:
    """Old code → new codes: the rows whose `replaces` names it, in file order, or else the
    same code when the new grid keeps it."""
    named: dict[str, list[str]] = {}
    for row in rows:
        for code in row.replaces:
            named.setdefault(code, []).append(row.code)
    new_codes = {row.code for row in rows}
    mapping = {}
    for code in current_codes:
        targets = named.get(code) or ([code] if code in new_codes else [])
        if targets:
            mapping[code] = targets
    return mapping


def mapping_lost_message(entry: MappingEntry) -> str:
    """Why entry forbids the import: its criteria would have nowhere to go."""
    return ngettext(
        "%(code)s has %(count)d criterion and no place in the new grid: keep the code, or name "
        "it in the replaces column of the component that takes it over.",
        "%(code)s has %(count)d criteria and no place in the new grid: keep the code, or name "
        "it in the replaces column of the component that takes it over.",
        entry.criteria,
    ) % {"code": entry.old.code, "count": entry.criteria}


def grid_import_preview(*, rows: list[GridRow]) -> GridImportPreview:
    """What importing rows as a new version would add, remove, relabel and move; errors lists
    what forbids it (a used component with no successor)."""
    current = GridVersion.objects.get(is_current=True)
    components = list(Component.objects.filter(version=current).select_related("family"))
    counts = criteria_counts(version=current)
    mapping = grid_mapping_default(rows=rows, current_codes=[c.code for c in components])
    by_code = {row.code: row for row in rows}
    preview = GridImportPreview(current=current, rows=rows)
    old_codes = {component.code for component in components}
    preview.added = [row for row in rows if row.code not in old_codes]
    for component in components:
        entry = MappingEntry(
            old=component,
            targets=mapping.get(component.code, []),
            criteria=counts.get(component.pk, 0),
        )
        preview.entries.append(entry)
        if entry.kind == "lost":
            preview.errors.append(mapping_lost_message(entry))
        row = by_code.get(component.code)
        if row is None:
            preview.removed.append(component)
            continue
        labels = [
            language
            for language in LANGUAGES
            if component.names.get(language, "") != row.names.get(language, "")
        ]
        other = []
        if {k: v for k, v in component.descriptions.items() if v} != row.descriptions:
            other.append("description")
        if component.status != row.status:
            other.append("status")
        if component.is_active != row.active:
            other.append("active")
        if component.family.letter != row.family:
            other.append("family")
        if labels or other:
            preview.changed.append(ComponentChange(component, row, labels, other))
    return preview
