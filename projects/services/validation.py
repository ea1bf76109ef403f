"""What every project service checks: ProjectError, the limits, cleaning text, who writes."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from projects.models import (
    Participant,
    ParticipantMember,
)
from projects.scopes import participant_scope
from projects.summaries import summaries_mark, summaries_recompute_enqueue
from wikispiral.accounts.models import User
from wikispiral.errors import DomainError
from wikispiral.text import line_clean, newlines_normalise

Kind, Subtype = Participant.Kind, Participant.Subtype
# The network's list of who takes part, by kind.
SUBTYPES = {
    Kind.CITIZEN: [Subtype.INDIVIDUAL, Subtype.FAMILY, Subtype.PLACE_OF_LIFE, Subtype.GROUP],
    Kind.COLLECTIVE: [
        Subtype.COMPANY,
        Subtype.SCHOOL,
        Subtype.ASSOCIATION,
        Subtype.PUBLIC_BODY,
        Subtype.OTHER_ACTOR,
    ],
    Kind.TERRITORY: [Subtype.MUNICIPALITY, Subtype.LOCAL_PLATFORM],
}
# The kind each sub-type belongs to.
KIND_OF_SUBTYPE = {subtype: kind for kind, subtypes in SUBTYPES.items() for subtype in subtypes}
# The most people a participant of each kind may speak for: a family is not a town.
MAX_PEOPLE = {Kind.CITIZEN: 1000, Kind.COLLECTIVE: 100_000, Kind.TERRITORY: 50_000_000}
# Within the citizens, by sub-type: one person; a family; a shared house, a care home or a
# students' hall; a group of neighbours or friends.
MAX_PEOPLE_OF_SUBTYPE = {
    Subtype.INDIVIDUAL: 1,
    Subtype.FAMILY: 30,
    Subtype.PLACE_OF_LIFE: 1000,
    Subtype.GROUP: 1000,
}
# The footprints of the richest tenth of the world's people run to a few tens of tonnes; a
# figure above this per person per year is a typing mistake (tonnes entered as kilograms).
MAX_KG_PER_PERSON = 100_000
# One choice changing emissions by more than this per person and year is not credible (the
# average European footprint is about 8 t).
MAX_CHOICE_KG_PER_PERSON = 20_000
EARLIEST = datetime.date(1990, 1, 1)
PLANNED_AHEAD_YEARS = 5
TEXT_LIMIT = 5000


class ProjectError(DomainError):
    pass


def _writes_for(participant: Participant, actor: User) -> None:
    """Refuse unless actor is one of participant's members (acting in its name)."""
    with participant_scope(participant):
        writes = ParticipantMember.objects.filter(participant=participant, user=actor).exists()
    if not writes:
        raise ProjectError(_("You do not write for this participant."), "participant")


def _summaries_changed() -> None:
    """Mark the summaries out of date; a job recomputes them once the writes of the next few
    seconds have joined (called inside the write's transaction)."""
    summaries_mark()
    summaries_recompute_enqueue()


def _clean_line(value: str | None, field: str, label: str, limit: int) -> str:
    text = line_clean(value)
    if not text:
        raise ProjectError(_("%(field)s is needed.") % {"field": label}, field)
    if len(text) > limit:
        raise ProjectError(
            _("%(field)s is too long (%(limit)s characters at most).")
            % {"field": label, "limit": limit},
            field,
        )
    return text


def _clean_text(value: str | None, field: str) -> str:
    text = newlines_normalise(value or "").strip()
    if len(text) > TEXT_LIMIT:
        raise ProjectError(
            _("This text is too long (%(limit)s characters at most).") % {"limit": TEXT_LIMIT},
            field,
        )
    return text


def _today() -> datetime.date:
    return timezone.localdate()


def _years_later(day: datetime.date, years: int) -> datetime.date:
    """The same day some years later; 28 February for a 29 February the later year lacks."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
