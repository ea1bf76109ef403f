"""Writing the grid and the questions: importing a new grid version, with the mapping that moves
every classified criterion to it, and a coordination group's own questions.

A new grid version never edits the old one: it gets new families and components, GridMapping
rows record where each old component went, and every moved criterion gets a history row, so
classifications made under an old version stay readable. Reading and checking the grid file,
and the preview, are in criteria/grid/imports.py.
"""

import re

from django.db import IntegrityError, transaction
from django.db.models import Case, F, Max, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from criteria.grid.imports import (
    LANGUAGES,
    GridRow,
    MappingEntry,
    criteria_counts,
    grid_rows_check,
    mapping_lost_message,
)

# Kept importable from here, where they lived before the file reading moved to imports.py.
from criteria.grid.imports import REQUIRED_COLUMNS as REQUIRED_COLUMNS
from criteria.grid.imports import grid_file_read as grid_file_read
from criteria.grid.imports import grid_mapping_default as grid_mapping_default
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

# Classification rows written per INSERT when a new version moves criteria.
HISTORY_BATCH = 2000


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
                mapping_lost_message(MappingEntry(old=component, targets=[], criteria=count))
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


def _kept_marks(
    previous: Family | Component | None, names: dict[str, str], descriptions: dict[str, str]
) -> dict[str, list[str]]:
    """The provisional marks a new version keeps from the row it follows: a text the file
    gives unchanged stays our provisional translation; a new wording is the secretariat's."""
    if previous is None:
        return {}
    kept: dict[str, list[str]] = {}
    for kind, old_texts, new_texts in (
        ("names", previous.names, names),
        ("descriptions", previous.descriptions, descriptions),
    ):
        languages = [
            language
            for language in (previous.provisional_translations or {}).get(kind, ())
            if new_texts.get(language) and new_texts.get(language) == old_texts.get(language)
        ]
        if languages:
            kept[kind] = languages
    return kept


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
        old_families = {f.letter: f for f in Family.objects.filter(version=current)}
        families: dict[str, Family] = {}
        for row in rows:
            if row.family not in families:
                families[row.family] = Family(
                    version=version,
                    letter=row.family,
                    names=row.family_names,
                    order=len(families),
                    provisional_translations=_kept_marks(
                        old_families.get(row.family), row.family_names, {}
                    ),
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
                provisional_translations=_kept_marks(
                    old.get(row.code), row.names, row.descriptions
                ),
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
    if Question.objects.shared().filter(code__iexact=code).exists():
        raise DomainError(
            _("%(code)s is the code of a network question: choose another one.") % {"code": code},
            field="code",
        )
    same = Question.objects.with_scope(tenant=tenant).filter(tenant=tenant, code__iexact=code)
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
        # The group's scope sees its own questions and the network's.
        top = Question.objects.with_scope(tenant=tenant).aggregate(top=Max("order"))["top"]
        order = (top or 0) + 1
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
