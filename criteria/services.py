"""Writing criteria: entering, correcting, removing and classifying them.

Every change of classification appends a Classification row in the same transaction, so a
criterion's history is never lost.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from criteria.codes import full_code_parse
from criteria.hooks import criteria_changed
from criteria.models import TEXT_MAX_LENGTH, Classification, Component, Criterion, Question
from territories.models import CoordinationGroup, HomogeneousGroup
from wikispiral.accounts.models import User
from wikispiral.audit.services import audit_record
from wikispiral.errors import DomainError
from wikispiral.text import invisibles_strip, line_clean, newlines_normalise


def criterion_text_clean(text: str) -> str:
    """Trim, normalise line ends, drop invisible characters (bidirectional controls…) and
    refuse empty or over-long texts."""
    cleaned = invisibles_strip(newlines_normalise(text or "")).strip()
    if not cleaned:
        raise DomainError(_("Write the criterion before saving it."), field="text")
    if len(cleaned) > TEXT_MAX_LENGTH:
        raise DomainError(
            _("A criterion has at most %(max)d characters (this one has %(count)d).")
            % {"max": TEXT_MAX_LENGTH, "count": len(cleaned)},
            field="text",
        )
    return cleaned


def question_check(*, tenant: CoordinationGroup, question: Question) -> None:
    """The question must be a network question or one of tenant's, and active."""
    if question.tenant_id not in (None, tenant.pk) or not question.is_active:
        raise DomainError(_("This question is not asked in this coordination group."), "question")


def _group_check(*, tenant: CoordinationGroup, group: HomogeneousGroup) -> None:
    if group.tenant_id != tenant.pk:
        raise DomainError(_("This homogeneous group is not in this coordination group."), "group")


def _syntheses_outdated(tenant: CoordinationGroup, *group_ids: int) -> None:
    # Syntheses read these criteria: the groups and every level above get recomputed after the
    # commit, through the hook syntheses registers (criteria is the floor below it).
    criteria_changed(tenant=tenant, groups=list(group_ids))


def session_date_default(group: HomogeneousGroup) -> datetime.date:
    """The group's last meeting date, or today."""
    if group.meeting_dates:
        return datetime.date.fromisoformat(sorted(group.meeting_dates)[-1])
    return timezone.localdate()


@transaction.atomic
def criterion_create(
    *,
    tenant: CoordinationGroup,
    group: HomogeneousGroup,
    question: Question,
    text: str,
    actor: User | None,
    language: str | None = None,
    session_date: datetime.date | None = None,
    component: Component | None = None,
) -> Criterion:
    """Enter one criterion of group: unclassified, or classified at once in component."""
    _group_check(tenant=tenant, group=group)
    question_check(tenant=tenant, question=question)
    if component is not None:
        _component_check(component)
    criterion = Criterion.objects.create(
        tenant=tenant,
        group=group,
        question=question,
        text=criterion_text_clean(text),
        language=language or group.language,
        session_date=session_date or session_date_default(group),
        entered_by=actor if actor is not None and actor.is_authenticated else None,
    )
    if component is not None:
        _classification_set(
            tenant=tenant,
            criterion=criterion,
            status=Criterion.Status.CLASSIFIED,
            component=component,
            full_code="",
            actor=actor,
        )
    _syntheses_outdated(tenant, group.pk)
    return criterion


@transaction.atomic
def criterion_update(
    *,
    tenant: CoordinationGroup,
    criterion: Criterion,
    actor: User,
    text: str | None = None,
    question: Question | None = None,
    session_date: datetime.date | None = None,
) -> Criterion:
    """Correct a criterion's text, question or date (a typo after the session)."""
    if criterion.tenant_id != tenant.pk:
        raise DomainError(_("Not found."))
    fields = ["modified_at"]
    if text is not None:
        criterion.text = criterion_text_clean(text)
        fields.append("text")
    if question is not None:
        question_check(tenant=tenant, question=question)
        criterion.question = question
        fields.append("question")
    if session_date is not None:
        criterion.session_date = session_date
        fields.append("session_date")
    criterion.save(update_fields=fields)
    if criterion.status == Criterion.Status.CLASSIFIED:
        _syntheses_outdated(tenant, criterion.group_id)
    return criterion


@transaction.atomic
def criterion_delete(*, tenant: CoordinationGroup, criterion: Criterion, actor: User) -> dict:
    """Remove a criterion (typed by mistake); the audit log keeps its text, and the returned
    values let the person undo with criterion_create."""
    if criterion.tenant_id != tenant.pk:
        raise DomainError(_("Not found."))
    kept = {
        "group_id": criterion.group_id,
        "question_id": criterion.question_id,
        "text": criterion.text,
        "language": criterion.language,
        "session_date": criterion.session_date.isoformat(),
    }
    audit_record(
        actor=actor,
        action="criteria.criterion.deleted",
        target=criterion,
        tenant_id=tenant.pk,
        **kept,
    )
    criterion.delete()
    _syntheses_outdated(tenant, kept["group_id"])
    return kept


def _component_check(component: Component) -> None:
    if not component.version.is_current or not component.is_active:
        raise DomainError(
            _("Component %(code)s is not in use in the current grid.") % {"code": component.code},
            field="component",
        )


@transaction.atomic
def criterion_classify(
    *,
    tenant: CoordinationGroup,
    criterion: Criterion,
    component: Component,
    actor: User,
    full_code: str = "",
    note: str = "",
) -> Criterion:
    """Assign criterion to component (and optionally a full code inside that component)."""
    if criterion.tenant_id != tenant.pk:
        raise DomainError(_("Not found."))
    _component_check(component)
    code = ""
    if full_code.strip():
        parsed = full_code_parse(full_code)
        if parsed.component_code != component.code:
            raise DomainError(
                _("The full code %(code)s does not belong to component %(component)s.")
                % {"code": parsed, "component": component.code},
                field="full_code",
            )
        code = str(parsed)
    _classification_set(
        tenant=tenant,
        criterion=criterion,
        status=Criterion.Status.CLASSIFIED,
        component=component,
        full_code=code,
        actor=actor,
        note=note,
    )
    _syntheses_outdated(tenant, criterion.group_id)
    return criterion


@transaction.atomic
def criterion_dispute(
    *, tenant: CoordinationGroup, criterion: Criterion, actor: User, note: str = ""
) -> Criterion:
    """Flag a classification as doubtful: the criterion returns to the queue, keeping its
    component until someone decides."""
    if criterion.tenant_id != tenant.pk:
        raise DomainError(_("Not found."))
    _classification_set(
        tenant=tenant,
        criterion=criterion,
        status=Criterion.Status.DISPUTED,
        component=criterion.component,
        full_code=criterion.full_code,
        actor=actor,
        note=note,
    )
    _syntheses_outdated(tenant, criterion.group_id)
    return criterion


def _classification_set(
    *,
    tenant: CoordinationGroup,
    criterion: Criterion,
    status: str,
    component: Component | None,
    full_code: str,
    actor: User | None,
    note: str = "",
) -> None:
    """Set the criterion's classification and append the step to its history (the caller
    marks the syntheses)."""
    note = line_clean(note)[:500]
    criterion.status = status
    criterion.component = component
    criterion.full_code = full_code
    criterion.classified_by = actor
    criterion.classified_at = timezone.now()
    criterion.save(
        update_fields=[
            "status",
            "component",
            "full_code",
            "classified_by",
            "classified_at",
            "modified_at",
        ]
    )
    Classification.objects.create(
        tenant=tenant,
        criterion=criterion,
        status=status,
        component=component,
        full_code=full_code,
        note=note,
        actor=actor,
    )
