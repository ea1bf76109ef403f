"""Writing the grid and the questions: importing a new grid version, with the mapping that moves
every classified criterion to it, and a coordination group's own questions.

A new grid version never edits the old one: it gets new families and components, GridMapping
rows record where each old component went, and every moved criterion gets a history row, so
classifications made under an old version stay readable.
"""

import re
from dataclasses import asdict, dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Case, Count, F, Max, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from criteria.codes import COMPONENT_CODE
from criteria.grid.files import RowError, table_read
from criteria.hooks import grid_version_arrived
from criteria.models import (
    Classification,
    Component,
    Criterion,
    Family,
    GridMapping,
    GridVersion,
    Question,
)
from territories.models import CoordinationGroup
from wikispiral.accounts.models import User
from wikispiral.audit.services import audit_record
from wikispiral.errors import DomainError
from wikispiral.tenancy import cross_tenant
from wikispiral.text import line_clean

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
# Classification rows written per INSERT when a new version moves criteria.
HISTORY_BATCH = 2000


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


def _lost_message(entry: MappingEntry) -> str:
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
            preview.errors.append(_lost_message(entry))
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


# --- Importing a new version -------------------------------------------------------------------


def _moved_full_code(full_code: str, code: str) -> str:
    # The SQL twin is in _criteria_move: keep a full code inside the new component, else
    # keep only the component (the detail numbers belonged to the old one).
    if not full_code or full_code.startswith(code):
        return full_code
    return code


def _mapping_check(
    *,
    mapping: dict[str, list[str]],
    old: dict[str, Component],
    new_codes: set[str],
    counts: dict[int, int],
) -> None:
    for code, targets in mapping.items():
        if code not in old:
            raise DomainError(
                _("The mapping names %(code)s, which is not in the current grid.") % {"code": code}
            )
        unknown = [target for target in targets if target not in new_codes]
        if unknown:
            raise DomainError(
                _("The mapping sends %(code)s to %(target)s, which is not in the new grid.")
                % {"code": code, "target": unknown[0]}
            )
    for code, component in old.items():
        count = counts.get(component.pk, 0)
        if count and not mapping.get(code):
            raise DomainError(
                _lost_message(MappingEntry(old=component, targets=[], criteria=count))
            )


def _criteria_move(
    *,
    old: Component,
    targets: list[Component],
    version: GridVersion,
    actor: User | None,
) -> tuple[int, int]:
    """Move every criterion of old to targets[0] (disputed when there are several targets):
    one UPDATE whatever the number of criteria, and its history rows in batches. Returns
    (moved, disputed)."""
    target = targets[0]
    split = len(targets) > 1
    if split:
        note = _(
            "Grid version %(number)d splits %(old)s into %(targets)s: check which one fits."
        ) % {
            "number": version.number,
            "old": old.code,
            "targets": ", ".join(t.code for t in targets),
        }
    else:
        note = _("Grid version %(number)d: %(old)s becomes %(new)s.") % {
            "number": version.number,
            "old": old.code,
            "new": target.code,
        }
    note = note[:500]
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    moved = 0
    last_pk = 0
    criteria = Criterion.objects.filter(component=old)
    while True:
        batch = list(
            criteria.filter(pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", "tenant_id", "status", "full_code")[:HISTORY_BATCH]
        )
        if not batch:
            break
        Classification.objects.bulk_create(
            Classification(
                tenant_id=tenant_id,
                criterion_id=pk,
                status=Criterion.Status.DISPUTED if split else status,
                component_id=target.pk,
                full_code=_moved_full_code(full_code, target.code),
                note=note,
                by_grid_mapping=True,
                actor_id=actor_id,
            )
            for pk, tenant_id, status, full_code in batch
        )
        moved += len(batch)
        last_pk = batch[-1][0]
    values: dict[str, object] = {
        "component": target,
        "full_code": Case(
            When(full_code="", then=Value("")),
            When(full_code__startswith=target.code, then=F("full_code")),
            default=Value(target.code),
        ),
        "modified_at": timezone.now(),
    }
    if split:
        values["status"] = Criterion.Status.DISPUTED
    criteria.update(**values)
    return moved, moved if split else 0


@transaction.atomic
def grid_version_import(
    *,
    actor: User,
    rows: list[GridRow],
    mapping: dict[str, list[str]],
    name: str,
    notes: str = "",
    source_filename: str = "",
) -> GridVersion:
    """Create a new grid version from rows and make it current, moving every classified
    criterion by mapping (old code → new codes; several targets move criteria to the first
    one and mark them disputed). All or nothing; DomainError when rows or mapping are invalid
    or a used component would lose its criteria."""
    name = line_clean(name)
    if not name:
        raise DomainError(_("Give the new version a name."), field="name")
    if len(name) > 120:
        raise DomainError(_("A version name has at most 120 characters."), field="name")
    with cross_tenant():
        current = GridVersion.objects.select_for_update().get(is_current=True)
        old = {c.code: c for c in Component.objects.filter(version=current)}
        errors = grid_rows_check(rows=rows, current_codes=set(old))
        if errors or not rows:
            raise DomainError(
                _("The grid file has errors; nothing was imported.")
                if errors
                else _("The grid file has no component.")
            )
        counts = criteria_counts(version=current)
        _mapping_check(mapping=mapping, old=old, new_codes={r.code for r in rows}, counts=counts)

        number = (GridVersion.objects.aggregate(top=Max("number"))["top"] or 0) + 1
        version = GridVersion.objects.create(
            number=number,
            name=name,
            notes=(notes or "").strip(),
            source_filename=source_filename[:255],
            created_by=actor,
        )
        families: dict[str, Family] = {}
        for row in rows:
            if row.family not in families:
                families[row.family] = Family(
                    version=version,
                    letter=row.family,
                    names=row.family_names,
                    order=len(families),
                )
        Family.objects.bulk_create(families.values())
        families = {f.letter: f for f in Family.objects.filter(version=version)}
        Component.objects.bulk_create(
            Component(
                version=version,
                family=families[row.family],
                code=row.code,
                names=row.names,
                descriptions=row.descriptions,
                status=row.status,
                order=order,
                is_active=row.active,
            )
            for order, row in enumerate(rows)
        )
        new = {c.code: c for c in Component.objects.filter(version=version)}
        GridMapping.objects.bulk_create(
            GridMapping(from_component=old[code], to_component=new[target])
            for code, targets in mapping.items()
            for target in dict.fromkeys(targets)
        )
        moved = disputed = 0
        for code, targets in mapping.items():
            if not counts.get(old[code].pk):
                continue
            count, split = _criteria_move(
                old=old[code],
                targets=[new[t] for t in dict.fromkeys(targets)],
                version=version,
                actor=actor,
            )
            moved += count
            disputed += split

        # One current version at a time (a partial unique constraint): unset the old first.
        GridVersion.objects.filter(pk=current.pk).update(is_current=False)
        GridVersion.objects.filter(pk=version.pk).update(is_current=True)
        version.is_current = True
        audit_record(
            actor=actor,
            action="criteria.grid.imported",
            target=version,
            number=version.number,
            previous=current.number,
            components=len(new),
            families=len(families),
            criteria_moved=moved,
            criteria_disputed=disputed,
            changed_mapping={
                code: targets for code, targets in mapping.items() if targets != [code]
            },
            removed=sorted(set(old) - set(new)),
            source_filename=source_filename,
        )
    # Every criterion may have moved: syntheses' hook runs the nightly job's full recompute, now.
    grid_version_arrived(version=version)
    return version


# --- A coordination group's own questions ------------------------------------------------------
# Network questions (tenant None) are seed data, changed by the secretariat only. Questions of a
# project (issue 6) will need their own owner on Question; until then only groups add questions.

QUESTION_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,11}$")
QUESTION_TEXT_MAX = 500
QUESTION_SHORT_NAME_MAX = 60


def _question_own(tenant: CoordinationGroup, question: Question) -> None:
    if question.tenant_id is None or question.tenant_id != tenant.pk:
        raise DomainError(_("Not found."))


def _question_values(
    *,
    tenant: CoordinationGroup,
    code: str,
    texts: dict[str, str],
    short_names: dict[str, str],
    question: Question | None = None,
) -> tuple[str, dict[str, str], dict[str, str]]:
    code = (code or "").strip().upper()
    if not QUESTION_CODE.match(code):
        raise DomainError(
            _("A question code has 1 to 12 letters, digits or dashes, such as Q4."), field="code"
        )
    if Question.objects.filter(tenant__isnull=True, code__iexact=code).exists():
        raise DomainError(
            _("%(code)s is the code of a network question: choose another one.") % {"code": code},
            field="code",
        )
    same = Question.objects.filter(tenant=tenant, code__iexact=code)
    if question is not None:
        same = same.exclude(pk=question.pk)
    if same.exists():
        raise DomainError(
            _("This group already has a question %(code)s.") % {"code": code}, field="code"
        )
    texts = {k: v.strip() for k, v in texts.items() if k in LANGUAGES and (v or "").strip()}
    if not texts:
        raise DomainError(_("Write the question in at least one language."), field="text_en")
    for language, text in texts.items():
        if len(text) > QUESTION_TEXT_MAX:
            raise DomainError(
                _("A question has at most %(max)d characters.") % {"max": QUESTION_TEXT_MAX},
                field=f"text_{language}",
            )
    short_names = {
        k: v.strip() for k, v in short_names.items() if k in LANGUAGES and (v or "").strip()
    }
    for language, short in short_names.items():
        if len(short) > QUESTION_SHORT_NAME_MAX:
            raise DomainError(
                _("A short name has at most %(max)d characters.")
                % {"max": QUESTION_SHORT_NAME_MAX},
                field=f"short_name_{language}",
            )
    return code, texts, short_names


def _question_save(question: Question, fields: list[str] | None = None) -> None:
    # Two facilitators saving the same code at once: the second gets the message, not a 500.
    try:
        with transaction.atomic():
            question.save(update_fields=fields)
    except IntegrityError as exc:
        raise DomainError(
            _("This group already has a question %(code)s.") % {"code": question.code},
            field="code",
        ) from exc


@transaction.atomic
def question_create(
    *,
    tenant: CoordinationGroup,
    actor: User,
    code: str,
    texts: dict[str, str],
    short_names: dict[str, str] | None = None,
    order: int | None = None,
) -> Question:
    """Add a question of tenant's own; the code is unique in the group and differs from the
    network's codes; at least one text. Order defaults to after every question it sees."""
    code, texts, short_names = _question_values(
        tenant=tenant, code=code, texts=texts, short_names=short_names or {}
    )
    if order is None:
        top = Question.objects.filter(tenant=tenant).aggregate(top=Max("order"))["top"]
        network = Question.objects.filter(tenant__isnull=True).aggregate(top=Max("order"))["top"]
        order = max(top or 0, network or 0) + 1
    question = Question(tenant=tenant, code=code, texts=texts, short_names=short_names, order=order)
    _question_save(question)
    audit_record(
        actor=actor, action="criteria.question.created", target=question, tenant_id=tenant.pk
    )
    return question


@transaction.atomic
def question_update(
    *,
    tenant: CoordinationGroup,
    question: Question,
    actor: User,
    code: str,
    texts: dict[str, str],
    short_names: dict[str, str] | None = None,
    order: int | None = None,
) -> Question:
    """Change the code, texts, short names or order of one of tenant's questions."""
    _question_own(tenant, question)
    code, texts, short_names = _question_values(
        tenant=tenant, code=code, texts=texts, short_names=short_names or {}, question=question
    )
    before = {"code": question.code, "texts": question.texts}
    question.code, question.texts, question.short_names = code, texts, short_names
    fields = ["code", "texts", "short_names"]
    if order is not None:
        question.order = order
        fields.append("order")
    _question_save(question, fields)
    audit_record(
        actor=actor,
        action="criteria.question.updated",
        target=question,
        tenant_id=tenant.pk,
        before=before,
    )
    return question


def _question_active_set(
    *, tenant: CoordinationGroup, question: Question, actor: User, active: bool
) -> Question:
    _question_own(tenant, question)
    if question.is_active != active:
        question.is_active = active
        question.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action="criteria.question.reactivated" if active else "criteria.question.deactivated",
            target=question,
            tenant_id=tenant.pk,
        )
    return question


@transaction.atomic
def question_deactivate(*, tenant: CoordinationGroup, question: Question, actor: User) -> Question:
    """Stop offering one of tenant's questions for new criteria; its criteria stay."""
    return _question_active_set(tenant=tenant, question=question, actor=actor, active=False)


@transaction.atomic
def question_reactivate(*, tenant: CoordinationGroup, question: Question, actor: User) -> Question:
    """Offer a deactivated question again."""
    return _question_active_set(tenant=tenant, question=question, actor=actor, active=True)


def question_criteria_count(*, tenant: CoordinationGroup, question: Question) -> int:
    with cross_tenant():
        return Criterion.objects.filter(tenant=tenant, question=question).count()


@transaction.atomic
def question_delete(*, tenant: CoordinationGroup, question: Question, actor: User) -> None:
    """Delete one of tenant's questions that has no criteria (one with criteria is only ever
    deactivated, so they keep their question)."""
    _question_own(tenant, question)
    if question_criteria_count(tenant=tenant, question=question):
        raise DomainError(
            _(
                "This question has criteria, so it cannot be deleted: deactivate it instead. "
                "It will no longer be offered, and its criteria stay."
            )
        )
    audit_record(
        actor=actor,
        action="criteria.question.deleted",
        target=question,
        tenant_id=tenant.pk,
        code=question.code,
        texts=question.texts,
    )
    question.delete()
