"""Recording footprints and measuring them against the goal."""

import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

# Tests freeze the date by patching projects.services._today: look it up on the package at
# call time so that the patch reaches this module.
import projects.services as package
from projects.models import (
    GOAL_KG_PER_PERSON,
    Category,
    Footprint,
    Participant,
)
from projects.services.validation import (
    EARLIEST,
    MAX_KG_PER_PERSON,
    ProjectError,
    _clean_text,
    _summaries_changed,
)
from wikispiral.accounts.models import User
from wikispiral.audit.services import audit_record
from wikispiral.text import line_clean


@transaction.atomic
def footprint_record(
    *,
    participant: Participant,
    actor: User,
    measured_on: datetime.date | None,
    total_kg: int | None,
    by_category: dict[str, int | None] | None = None,
    source: str = "",
) -> Footprint:
    """Record participant's footprint (kg CO2e a year for all its people) measured on a date:
    a total, its parts by category, or both (the total is then at least their sum)."""
    parts = {key: value for key, value in (by_category or {}).items() if value is not None}
    for key, value in parts.items():
        if key not in Category.values:
            raise ProjectError(_("Unknown category."), "by_category")
        if value < 0:
            raise ProjectError(_("A footprint is never negative."), key)
    if total_kg is None:
        if not parts:
            raise ProjectError(_("Give the total, or the parts by category."), "total_kg")
        total_kg = sum(parts.values())
    if total_kg < 0:
        raise ProjectError(_("A footprint is never negative."), "total_kg")
    if sum(parts.values()) > total_kg:
        raise ProjectError(
            _("The parts add up to more than the total (%(sum)s kg).")
            % {"sum": f"{sum(parts.values()):,}"},
            "total_kg",
        )
    people = participant.people
    if total_kg > MAX_KG_PER_PERSON * people:
        raise ProjectError(
            _(
                "%(tonnes)s t CO2e a year per person is not a footprint anyone has: check "
                "the unit (kilograms a year for all %(people)s people)."
            )
            % {"tonnes": f"{total_kg / people / 1000:,.0f}", "people": people},
            "total_kg",
        )
    if measured_on is None:
        raise ProjectError(_("Give the date of the measure."), "measured_on")
    if measured_on > package._today():
        raise ProjectError(_("A footprint cannot be measured in the future."), "measured_on")
    if measured_on < EARLIEST:
        raise ProjectError(
            _("Give a date from %(year)s on.") % {"year": EARLIEST.year}, "measured_on"
        )
    if Footprint.objects.filter(participant=participant, measured_on=measured_on).exists():
        raise ProjectError(_("A footprint is already recorded on this date."), "measured_on")
    try:
        with transaction.atomic():
            footprint = Footprint.objects.create(
                participant=participant,
                measured_on=measured_on,
                total_kg=total_kg,
                by_category={key: parts[key] for key in Category.values if key in parts},
                source=line_clean(_clean_text(source, "source"))[:200],
                people=people,
                created_by=actor,
            )
    except IntegrityError as exc:
        # Two saves of the same date at once: the constraint keeps one.
        raise ProjectError(
            _("A footprint is already recorded on this date."), "measured_on"
        ) from exc
    audit_record(
        actor=actor,
        action="projects.footprint.recorded",
        target=participant,
        total_kg=total_kg,
        measured_on=measured_on.isoformat(),
    )
    _summaries_changed()
    return footprint


def goal_share(footprint: Footprint) -> float:
    """The footprint per person as a multiple of the 2 t goal."""
    return footprint.per_person_kg / GOAL_KG_PER_PERSON
