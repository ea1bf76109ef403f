"""Writing to the project: joining, choices, comments, "I do this too", footprints.

Every service validates before it saves anything and raises ProjectError (a message for the
person, in their language, and the field it is about): the views turn it into a 400 with the
form shown again, and nothing is half-saved.
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from projects.models import (
    GOAL_KG_PER_PERSON,
    Category,
    Choice,
    ChoiceComment,
    ChoiceShare,
    Footprint,
    Participant,
    ParticipantMember,
)
from projects.summaries import summaries_mark
from territories.models import CoordinationGroup, Country
from territories.permissions import can_manage_group
from wikispiral.accounts.models import User
from wikispiral.audit.services import audit_record
from wikispiral.errors import DomainError
from wikispiral.wiki.models import Space
from wikispiral.wiki.services import page_create

Kind, Subtype = Participant.Kind, Participant.Subtype
SUBTYPES = {
    Kind.CITIZEN: [Subtype.PERSON, Subtype.FAMILY, Subtype.HOUSEHOLD],
    Kind.COLLECTIVE: [
        Subtype.SCHOOL,
        Subtype.COMPANY,
        Subtype.ASSOCIATION,
        Subtype.PUBLIC_BODY,
        Subtype.OTHER_ACTOR,
    ],
    Kind.TERRITORY: [Subtype.COORDINATION_GROUP],
}
# The most people a participant of each kind may speak for: a household is not a town.
MAX_PEOPLE = {Kind.CITIZEN: 30, Kind.COLLECTIVE: 100_000, Kind.TERRITORY: 50_000_000}
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


def _summaries_changed() -> None:
    """Mark the summaries out of date; a job recomputes them once the writes of the next few
    seconds have joined (called inside the write's transaction)."""
    from projects.tasks import summaries_recompute_task

    summaries_mark()
    delay = settings.PROJECT_SUMMARIES_DELAY_SECONDS
    transaction.on_commit(lambda: summaries_recompute_task.apply_async(countdown=delay))


def _clean_line(value: str | None, field: str, label: str, limit: int) -> str:
    text = " ".join((value or "").split())
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
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > TEXT_LIMIT:
        raise ProjectError(
            _("This text is too long (%(limit)s characters at most).") % {"limit": TEXT_LIMIT},
            field,
        )
    return text


def _today() -> datetime.date:
    return timezone.localdate()


# --- Participants ---------------------------------------------------------------------------


def _participant_check(*, kind: str, subtype: str, people: int) -> None:
    if kind not in SUBTYPES:
        raise ProjectError(_("Choose what kind of participant you are."), "kind")
    if subtype not in SUBTYPES[kind]:
        raise ProjectError(_("This type does not go with this kind of participant."), "subtype")
    if subtype == Subtype.PERSON and people != 1:
        raise ProjectError(
            _("A person speaks for one person: choose a family or a household for more."),
            "people",
        )
    if not 1 <= people <= MAX_PEOPLE[kind]:
        raise ProjectError(
            _("Give a number of people between 1 and %(most)s.")
            % {"most": f"{MAX_PEOPLE[kind]:,}"},
            "people",
        )


def _free_slug(name: str) -> str:
    base = ("p-" + slugify(name))[:70].strip("-") or "p"
    slug, number = base, 1
    while (
        Space.objects.filter(slug=slug).exists() or Participant.objects.filter(slug=slug).exists()
    ):
        number += 1
        slug = f"{base}-{number}"
    return slug


@transaction.atomic
def participant_join(
    *,
    actor: User,
    kind: str,
    subtype: str,
    name: str,
    people: int = 1,
    country: Country | None = None,
    coordination_group: CoordinationGroup | None = None,
    language: str = "en",
) -> Participant:
    """Join the project: the participant, its wiki space and home page, actor its manager."""
    name = _clean_line(name, "name", _("A name"), 120)
    _participant_check(kind=kind, subtype=subtype, people=people)
    if kind == Kind.TERRITORY:
        if coordination_group is None:
            raise ProjectError(
                _("Choose the coordination group this participant speaks for."),
                "coordination_group",
            )
        if not can_manage_group(actor, coordination_group):
            raise ProjectError(
                _("Only a facilitator of a coordination group can make it join."),
                "coordination_group",
            )
        if Participant.objects.filter(
            coordination_group=coordination_group, kind=Kind.TERRITORY
        ).exists():
            raise ProjectError(
                _("This coordination group has joined already."), "coordination_group"
            )
        country = coordination_group.country
    elif coordination_group is not None:
        if coordination_group.is_hidden:
            raise ProjectError(
                _("Choose a coordination group of the directory."), "coordination_group"
            )
        country = country or coordination_group.country
    slug = _free_slug(name)
    space = Space.objects.create(slug=slug, name=name, kind=Space.Kind.PARTICIPANT, is_public=True)
    participant = Participant.objects.create(
        kind=kind,
        subtype=subtype,
        name=name,
        slug=slug,
        people=people,
        country=country,
        coordination_group=coordination_group,
        space=space,
        created_by=actor,
    )
    ParticipantMember.objects.create(
        participant=participant, user=actor, role=ParticipantMember.Role.MANAGER
    )
    page_create(
        space=space,
        language=language,
        title=name,
        slug="home",
        body=_(
            "%(name)s takes part in *Together let's learn to make the right choices*.\n\n"
            "## Why we joined\n\nTo be written.\n\n"
            "## What we learned\n\nTo be written."
        )
        % {"name": name},
        actor=actor,
        comment=_("Joined the project"),
    )
    audit_record(actor=actor, action="projects.participant.joined", target=participant)
    _summaries_changed()
    return participant


# --- Choices --------------------------------------------------------------------------------


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
    today = _today()
    if started_on < EARLIEST:
        raise ProjectError(
            _("Give a date from %(year)s on.") % {"year": EARLIEST.year}, "started_on"
        )
    if status == Choice.Status.PLANNED:
        if started_on > today.replace(year=today.year + PLANNED_AHEAD_YEARS):
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
    if not ParticipantMember.objects.filter(participant=participant, user=actor).exists():
        raise ProjectError(_("You do not write for this participant."), "participant")
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


# --- Footprints -----------------------------------------------------------------------------


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
    if measured_on > _today():
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
                source=_clean_text(source, "source")[:200],
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
