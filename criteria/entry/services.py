"""Fast entry: many criteria at once from one text box, all or none, and taking them back.

The core services in criteria.services write one criterion at a time; these run them for every
line of a paste inside one transaction, so a paste with one faulty line saves nothing and says
which line it is.
"""

import datetime
import re

from django.db import transaction
from django.utils.translation import gettext as _

from criteria.models import Component, Criterion, Question
from criteria.services import (
    criterion_classify,
    criterion_create,
    criterion_delete,
    criterion_text_clean,
    criterion_update,
)
from territories.models import CoordinationGroup, HomogeneousGroup
from wikispiral.accounts.models import User
from wikispiral.errors import DomainError
from wikispiral.text import invisibles_strip, newlines_normalise

# A paste of sticky notes holds dozens of lines, not thousands: a bigger one is a mistake.
LINES_MAX = 300

# What people type or paste in front of a line: "- ", "• ", "* ", "1.", "2)", "(3)", "a) ".
# Digits and letters need the space after them, so "1.5 km on foot" keeps its number.
_LEADING_MARK = re.compile(
    r"^\s*(?:[•·▪◦‣]+\s*|(?:[-–—*>]+|\(?\d{1,3}[.)]|\(?[a-zA-Z]\)|\[[xX ]?\])(?:\s+|$))"
)


def criterion_lines_split(text: str) -> list[str]:
    """The criteria in text: one per non-empty line, with leading bullets or numbering removed."""
    lines = []
    for raw in invisibles_strip(newlines_normalise(text or "")).split("\n"):
        line = _LEADING_MARK.sub("", raw, count=1).strip()
        if line:
            lines.append(line)
    return lines


def _lines_check(lines: list[str]) -> None:
    if not lines:
        raise DomainError(_("Write the criterion before saving it."), field="text")
    if len(lines) > LINES_MAX:
        raise DomainError(
            _("This text has %(count)d lines; paste at most %(max)d at a time. Nothing was saved.")
            % {"count": len(lines), "max": LINES_MAX},
            field="text",
        )
    if len(lines) == 1:
        criterion_text_clean(lines[0])
        return
    for number, line in enumerate(lines, start=1):
        try:
            criterion_text_clean(line)
        except DomainError as error:
            raise DomainError(
                _(
                    "Line %(number)d: %(problem)s Nothing was saved: correct the line and save "
                    "again."
                )
                % {"number": number, "problem": error.message},
                field="text",
            ) from error


@transaction.atomic
def criteria_enter(
    *,
    tenant: CoordinationGroup,
    group: HomogeneousGroup,
    question: Question,
    text: str,
    actor: User,
    language: str,
    session_date: datetime.date,
    component: Component | None = None,
) -> list[Criterion]:
    """Enter one criterion per non-empty line of text (leading bullets and numbers stripped),
    all or none; with component, each is classified at once. DomainError names the faulty line."""
    lines = criterion_lines_split(text)
    _lines_check(lines)
    return [
        criterion_create(
            tenant=tenant,
            group=group,
            question=question,
            text=line,
            actor=actor,
            language=language,
            session_date=session_date,
            component=component,
        )
        for line in lines
    ]


@transaction.atomic
def criterion_restore(
    *,
    tenant: CoordinationGroup,
    group: HomogeneousGroup,
    question: Question,
    text: str,
    actor: User,
    language: str,
    session_date: datetime.date,
    component: Component | None = None,
) -> Criterion:
    """Enter again a criterion just removed (its text kept whole, its classification too)."""
    return criterion_create(
        tenant=tenant,
        group=group,
        question=question,
        text=text,
        actor=actor,
        language=language,
        session_date=session_date,
        component=component,
    )


@transaction.atomic
def criteria_remove(
    *, tenant: CoordinationGroup, criteria: list[Criterion], actor: User
) -> list[dict]:
    """Remove criteria (undoing a save); returns what criterion_delete kept of each."""
    return [
        criterion_delete(tenant=tenant, criterion=criterion, actor=actor) for criterion in criteria
    ]


@transaction.atomic
def criterion_correct(
    *,
    tenant: CoordinationGroup,
    criterion: Criterion,
    actor: User,
    text: str,
    question: Question,
    component: Component | None = None,
) -> Criterion:
    """Fix a criterion's text or question; a component different from its own classifies it."""
    criterion = criterion_update(
        tenant=tenant,
        criterion=criterion,
        actor=actor,
        text=text,
        question=question if question.pk != criterion.question_id else None,
    )
    if component is not None and component.pk != criterion.component_id:
        criterion = criterion_classify(
            tenant=tenant, criterion=criterion, component=component, actor=actor
        )
    return criterion
