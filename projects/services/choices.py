"""Choices, their comments and "I do this too"."""

import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

# Tests freeze the date by patching projects.services._today: look it up on the package at
# call time so that the patch reaches this module.
import projects.services as package
from projects.models import (
    Category,
    Choice,
    ChoiceComment,
    ChoiceShare,
    Participant,
)
from projects.services.validation import (
    EARLIEST,
    MAX_CHOICE_KG_PER_PERSON,
    PLANNED_AHEAD_YEARS,
    ProjectError,
    _clean_line,
    _clean_text,
    _summaries_changed,
    _writes_for,
    _years_later,
)
from wikispiral.accounts.models import User
from wikispiral.audit.services import audit_record


def _choice_fields(
    *,
    participant: Participant,
    category: str,
    title: str,
    description: str,
    started_on: datetime.date | None,
    status: str,
    results: str,
    emissions_change_kg: int | None,
) -> dict:
    if category not in Category.values:
        raise ProjectError(_("Choose a category."), "category")
    if status not in Choice.Status.values:
        raise ProjectError(_("Choose a status."), "status")
    if started_on is None:
        raise ProjectError(_("Give the date it started, or will start."), "started_on")
    today = package._today()
    if started_on < EARLIEST:
        raise ProjectError(
            _("Give a date from %(year)s on.") % {"year": EARLIEST.year}, "started_on"
        )
    if status == Choice.Status.PLANNED:
        if started_on > _years_later(today, PLANNED_AHEAD_YEARS):
            raise ProjectError(
                _("Plan it within %(years)s years.") % {"years": PLANNED_AHEAD_YEARS},
                "started_on",
            )
    elif started_on > today:
        raise ProjectError(
            _("A choice that started cannot start in the future: mark it as planned."),
            "started_on",
        )
    if emissions_change_kg is not None:
        most = MAX_CHOICE_KG_PER_PERSON * participant.people
        if abs(emissions_change_kg) > most:
            raise ProjectError(
                _(
                    "A change of %(value)s kg CO2e a year is more than one choice can make "
                    "for %(people)s people: check the unit (kilograms, not grams)."
                )
                % {"value": f"{emissions_change_kg:,}", "people": participant.people},
                "emissions_change_kg",
            )
    return {
        "category": category,
        "title": _clean_line(title, "title", _("The choice"), 200),
        "description": _clean_text(description, "description"),
        "started_on": started_on,
        "status": status,
        "results": _clean_text(results, "results"),
        "emissions_change_kg": emissions_change_kg,
    }


@transaction.atomic
def choice_create(*, participant: Participant, actor: User, **fields: object) -> Choice:
    """Record a choice of participant (fields: category, title, description, started_on,
    status, results, emissions_change_kg)."""
    choice = Choice.objects.create(
        participant=participant,
        created_by=actor,
        **_choice_fields(participant=participant, **fields),
    )
    audit_record(actor=actor, action="projects.choice.created", target=choice)
    _summaries_changed()
    return choice


@transaction.atomic
def choice_update(*, choice: Choice, actor: User, **fields: object) -> Choice:
    """Change a choice (its status as it goes on, its results as they come)."""
    cleaned = _choice_fields(participant=choice.participant, **fields)
    changed = [name for name, value in cleaned.items() if getattr(choice, name) != value]
    if changed:
        for name in changed:
            setattr(choice, name, cleaned[name])
        choice.save(update_fields=[*changed, "modified_at"])
        audit_record(actor=actor, action="projects.choice.changed", target=choice, fields=changed)
    return choice


@transaction.atomic
def choice_comment(*, choice: Choice, actor: User, body: str) -> ChoiceComment:
    body = _clean_text(body, "body")
    if not body:
        raise ProjectError(_("Write something first."), "body")
    comment = ChoiceComment.objects.create(choice=choice, author=actor, body=body)
    audit_record(actor=actor, action="projects.choice.commented", target=choice)
    return comment


@transaction.atomic
def choice_share(*, choice: Choice, participant: Participant, actor: User) -> ChoiceShare:
    """participant says "I do this too" of choice (once)."""
    if participant.pk == choice.participant_id:
        raise ProjectError(_("This is already one of your choices."), "participant")
    _writes_for(participant, actor)
    try:
        with transaction.atomic():
            share = ChoiceShare.objects.create(choice=choice, participant=participant)
    except IntegrityError as exc:
        raise ProjectError(
            _("%(name)s already does this too.") % {"name": participant.name}, "participant"
        ) from exc
    audit_record(
        actor=actor, action="projects.choice.shared", target=choice, participant=participant.pk
    )
    _summaries_changed()
    return share
