"""Writing to the project: joining, choices, comments, "I do this too", footprints.

Every service validates before it saves anything and raises ProjectError (a message for the
person, in their language, and the field it is about): the views turn it into a 400 with the
form shown again, and nothing is half-saved.
"""

import datetime
import re
import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from projects import selectors
from projects.models import (
    GOAL_KG_PER_PERSON,
    Category,
    Charter,
    CharterVote,
    Choice,
    ChoiceComment,
    ChoiceShare,
    Footprint,
    Participant,
    ParticipantInvitation,
    ParticipantMember,
    Workshop,
    WorkshopSignup,
)
from projects.permissions import (
    can_manage_participant,
    can_open_charter,
    can_organise,
    can_run_workshop,
)
from projects.summaries import summaries_mark, summaries_recompute_enqueue
from territories.models import CoordinationGroup, Country
from territories.permissions import can_manage_group
from territories.services import INVITATION_VALIDITY
from wikispiral import invitations
from wikispiral.accounts.models import User
from wikispiral.accounts.selectors import user_get_for_login
from wikispiral.accounts.services import rate_limit_consume
from wikispiral.accounts.zones import validate_time_zone
from wikispiral.audit.services import audit_record
from wikispiral.errors import DomainError
from wikispiral.mail import absolute_url, mail_send_on_commit
from wikispiral.text import line_clean
from wikispiral.wiki.models import Page, Space
from wikispiral.wiki.selectors import space_slug_taken
from wikispiral.wiki.services import page_create, page_revise
from wikispiral.wiki.spaces import (
    network_space_get_or_create,
    space_create,
    space_visibility_set,
)

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


def _writes_for(participant: Participant, actor: User) -> None:
    """Refuse unless actor is one of participant's members (acting in its name)."""
    if not ParticipantMember.objects.filter(participant=participant, user=actor).exists():
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
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
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
    while space_slug_taken(slug=slug) or Participant.objects.filter(slug=slug).exists():
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
    space = space_create(slug=slug, name=name, kind=Space.Kind.PARTICIPANT, is_public=True)
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


@transaction.atomic
def participant_update(
    *,
    participant: Participant,
    actor: User,
    name: str,
    people: int,
    country: Country | None,
) -> Participant:
    """A manager changes the participant's name, number of people or country. Its address stays
    (links keep working). Once it has answered the SPIRAL questions its answers count in its
    country's platform, so the country stays too. The homogeneous group of its answers follows
    the name and number of people."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if not can_manage_participant(actor, participant):
        raise ProjectError(_("Only the participant's managers change its details."))
    name = _clean_line(name, "name", _("A name"), 120)
    _participant_check(kind=participant.kind, subtype=participant.subtype, people=people)
    if participant.kind == Kind.TERRITORY:
        country = (
            participant.coordination_group.country if participant.coordination_group else country
        )
    if country != participant.country and participant.wellbeing_group_id is not None:
        raise ProjectError(
            _(
                "Your answers to the SPIRAL questions count in %(country)s: the country cannot "
                "change. Ask the secretariat if it must."
            )
            % {"country": participant.country.name},
            "country",
        )
    changed = [
        field
        for field, value in (("name", name), ("people", people), ("country", country))
        if getattr(participant, field) != value
    ]
    if not changed:
        return participant
    participant.name, participant.people, participant.country = name, people, country
    participant.save(update_fields=changed)
    if participant.wellbeing_group_id is not None and {"name", "people"} & set(changed):
        from projects.wellbeing import wellbeing_group_follow

        wellbeing_group_follow(participant=participant, actor=actor)
    audit_record(
        actor=actor, action="projects.participant.updated", target=participant, fields=changed
    )
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


# --- Workshops ------------------------------------------------------------------------------

WORKSHOP_MAX_AHEAD = datetime.timedelta(days=730)
REMINDER_AHEAD = datetime.timedelta(hours=24)
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


@transaction.atomic
def workshop_create(
    *,
    actor: User,
    title: str,
    starts_at: datetime.datetime | None,
    time_zone: str,
    duration_minutes: int,
    languages: list[str],
    meeting_url: str,
    capacity: int,
    theme: str = "",
    audience: str = Workshop.Audience.EVERYONE,
    description: str = "",
) -> Workshop:
    """Schedule a workshop (the secretariat and coordination groups' facilitators)."""
    if not can_organise(actor):
        raise ProjectError(_("Only the secretariat and facilitators organise workshops."))
    title = _clean_line(title, "title", _("A title"), 200)
    if theme and theme not in Category.values:
        raise ProjectError(_("Choose a theme from the list."), "theme")
    if audience not in Workshop.Audience.values:
        raise ProjectError(_("Choose who the workshop is for."), "audience")
    try:
        validate_time_zone(time_zone)
        zone = zoneinfo.ZoneInfo(time_zone)
    except (ValidationError, ValueError, zoneinfo.ZoneInfoNotFoundError) as exc:
        raise ProjectError(_("Choose a time zone from the list."), "time_zone") from exc
    if starts_at is None:
        raise ProjectError(_("Give the date and time it starts."), "starts_at")
    if timezone.is_naive(starts_at):
        # A time typed in a form is in the organiser's zone.
        starts_at = starts_at.replace(tzinfo=zone)
    now = timezone.now()
    if starts_at <= now:
        raise ProjectError(_("A workshop is scheduled in the future."), "starts_at")
    if starts_at > now + WORKSHOP_MAX_AHEAD:
        raise ProjectError(_("Schedule it within two years."), "starts_at")
    if not 15 <= duration_minutes <= 480:
        raise ProjectError(_("A workshop lasts from 15 minutes to 8 hours."), "duration_minutes")
    if not 2 <= capacity <= 1000:
        raise ProjectError(_("Give between 2 and 1,000 places."), "capacity")
    languages = sorted({code.strip().lower() for code in languages if code.strip()})
    if not languages or not all(_LANGUAGE.match(code) for code in languages):
        raise ProjectError(_("Give the languages spoken, as codes: en, fr, pt…"), "languages")
    if not meeting_url.startswith("https://"):
        raise ProjectError(_("Give the meeting's address, starting with https://."), "meeting_url")
    workshop = Workshop.objects.create(
        title=title,
        theme=theme,
        audience=audience,
        description=_clean_text(description, "description"),
        starts_at=starts_at,
        time_zone=time_zone,
        duration_minutes=duration_minutes,
        languages=languages,
        meeting_url=meeting_url,
        capacity=capacity,
        organiser=actor,
    )
    audit_record(actor=actor, action="projects.workshop.created", target=workshop)
    return workshop


@transaction.atomic
def workshop_signup(*, workshop: Workshop, participant: Participant, actor: User) -> WorkshopSignup:
    """Put participant on the workshop's list: not after it began, not beyond its places."""
    _writes_for(participant, actor)
    # One sign-up at a time per workshop: the count and the insert see the same list.
    workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)
    if workshop.cancelled_at is not None:
        raise ProjectError(_("This workshop is cancelled."))
    if workshop.starts_at <= timezone.now():
        raise ProjectError(_("This workshop has begun or is over: sign-up is closed."))
    if workshop.audience != Workshop.Audience.EVERYONE and participant.kind != workshop.audience:
        raise ProjectError(
            _("This workshop is for %(audience)s.")
            % {"audience": workshop.get_audience_display().lower()},
            "participant",
        )
    if WorkshopSignup.objects.filter(workshop=workshop, participant=participant).exists():
        raise ProjectError(
            _("%(name)s is already signed up.") % {"name": participant.name}, "participant"
        )
    if WorkshopSignup.objects.filter(workshop=workshop).count() >= workshop.capacity:
        raise ProjectError(_("This workshop is full."))
    signup = WorkshopSignup.objects.create(workshop=workshop, participant=participant, user=actor)
    audit_record(
        actor=actor,
        action="projects.workshop.signed_up",
        target=workshop,
        participant=participant.pk,
    )
    return signup


@transaction.atomic
def workshop_signup_cancel(*, workshop: Workshop, participant: Participant, actor: User) -> None:
    _writes_for(participant, actor)
    deleted, _rows = WorkshopSignup.objects.filter(
        workshop=workshop, participant=participant
    ).delete()
    if not deleted:
        raise ProjectError(_("%(name)s is not signed up.") % {"name": participant.name})
    audit_record(
        actor=actor, action="projects.workshop.left", target=workshop, participant=participant.pk
    )


@transaction.atomic
def workshop_conclude(*, workshop: Workshop, actor: User, body: str, language: str) -> Page:
    """Write the workshop's conclusions as a wiki page of the network (a new revision when it
    has one already): the organiser or the secretariat, once it has begun."""
    if not can_run_workshop(actor, workshop):
        raise ProjectError(_("Only the organiser and the secretariat write the conclusions."))
    if workshop.starts_at > timezone.now():
        raise ProjectError(_("The conclusions come once the workshop has taken place."))
    body = _clean_text(body, "body")
    if not body:
        raise ProjectError(_("Write the conclusions first."), "body")
    if workshop.conclusions is not None:
        page = workshop.conclusions
        page_revise(
            page=page,
            actor=actor,
            title=page.title,
            body=body,
            base_revision_id=page.current_revision_id,
            comment=_("Workshop conclusions"),
        )
        return page
    space = network_space_get_or_create()
    title = _("Workshop conclusions: %(title)s") % {"title": workshop.title}
    page = page_create(
        space=space,
        language=language,
        title=title[:255],
        slug=f"workshop-{workshop.pk}-conclusions",
        body=body,
        actor=actor,
        comment=_("Workshop conclusions"),
    )
    workshop.conclusions = page
    workshop.save(update_fields=["conclusions"])
    audit_record(actor=actor, action="projects.workshop.concluded", target=workshop)
    return page


def workshop_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Email everyone on the list of a workshop starting within a day, once each (the row is
    claimed before the mail leaves, so two jobs never send it twice); returns how many."""
    now = now or timezone.now()
    due = WorkshopSignup.objects.filter(
        reminded_at__isnull=True,
        workshop__cancelled_at__isnull=True,
        workshop__starts_at__gt=now,
        workshop__starts_at__lte=now + REMINDER_AHEAD,
    ).select_related("workshop", "user", "participant")
    sent = 0
    for signup in due:
        with transaction.atomic():
            claimed = WorkshopSignup.objects.filter(pk=signup.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if not claimed or not signup.user.email:
                continue
            workshop = signup.workshop
            zone = signup.user.time_zone or workshop.time_zone
            with timezone.override(zoneinfo.ZoneInfo(zone)):
                mail_send_on_commit(
                    to=signup.user.email,
                    template="projects/email/workshop_reminder",
                    context={
                        "workshop": workshop,
                        "participant": signup.participant,
                        "starts_at": timezone.localtime(workshop.starts_at),
                        "zone": zone,
                        "url": absolute_url(reverse("projects:workshop", args=[workshop.pk])),
                    },
                    language=signup.user.preferred_language,
                )
            sent += 1
    return sent


# --- Charters -------------------------------------------------------------------------------

VOTE_LONGEST = datetime.timedelta(days=183)


@transaction.atomic
def charter_draft(
    *, actor: User, title: str, workshop: Workshop | None = None, language: str = "en"
) -> Charter:
    """Start a charter: a wiki page of the network, from a workshop's conclusions when given
    (the secretariat and facilitators, as for workshops)."""
    if not can_organise(actor):
        raise ProjectError(_("Only the secretariat and facilitators draft charters."))
    title = _clean_line(title, "title", _("A title"), 200)
    body = _("To be drafted together.")
    if workshop is not None and workshop.conclusions is not None:
        body = workshop.conclusions.current_revision.body
    space = network_space_get_or_create()
    page = page_create(
        space=space,
        language=language,
        title=(_("Charter: %(title)s") % {"title": title})[:255],
        body=body,
        actor=actor,
        comment=_("Charter drafted"),
    )
    charter = Charter.objects.create(title=title, page=page, workshop=workshop, created_by=actor)
    audit_record(actor=actor, action="projects.charter.drafted", target=charter)
    return charter


@transaction.atomic
def charter_open(*, charter: Charter, actor: User, closes_at: datetime.datetime | None) -> Charter:
    """Put the charter's text as it stands to the vote until closes_at."""
    if not can_open_charter(actor, charter):
        raise ProjectError(_("Only who drafted the charter and the secretariat open the vote."))
    charter = Charter.objects.select_for_update().get(pk=charter.pk)
    if charter.opens_at is not None:
        raise ProjectError(_("The vote on this charter is already open or closed."))
    now = timezone.now()
    if closes_at is None or closes_at <= now + datetime.timedelta(hours=1):
        raise ProjectError(_("Give the vote at least an hour."), "closes_at")
    if closes_at > now + VOTE_LONGEST:
        raise ProjectError(_("A vote lasts six months at most."), "closes_at")
    charter.revision_id = charter.page.current_revision_id
    charter.opens_at = now
    charter.closes_at = closes_at
    charter.save(update_fields=["revision", "opens_at", "closes_at"])
    audit_record(actor=actor, action="projects.charter.opened", target=charter)
    return charter


@transaction.atomic
def charter_vote(
    *, charter: Charter, participant: Participant, actor: User, voice: str, remarks: str = ""
) -> CharterVote:
    """participant's one voice on an open charter."""
    _writes_for(participant, actor)
    if charter.state(timezone.now()) != "open":
        raise ProjectError(_("This charter is not open to the vote."))
    if voice not in CharterVote.Voice.values:
        raise ProjectError(_("Choose your answer."), "voice")
    remarks = _clean_text(remarks, "remarks")
    if voice == CharterVote.Voice.REMARKS and not remarks:
        raise ProjectError(_("Write your remarks."), "remarks")
    try:
        with transaction.atomic():
            vote = CharterVote.objects.create(
                charter=charter, participant=participant, user=actor, voice=voice, remarks=remarks
            )
    except IntegrityError as exc:
        raise ProjectError(
            _("%(name)s has already given its voice.") % {"name": participant.name},
            "participant",
        ) from exc
    audit_record(
        actor=actor, action="projects.charter.voted", target=charter, participant=participant.pk
    )
    return vote


def territory_visibility_follow(*, group: CoordinationGroup) -> None:
    """A territorial entity is seen exactly when its coordination group is: its wiki space
    follows the group's visibility and the summaries count it again or no more (the
    secretariat's hide and unhide services call this in their transaction)."""
    participant = (
        Participant.objects.filter(coordination_group=group, kind=Kind.TERRITORY)
        .select_related("space")
        .first()
    )
    if participant is not None:
        space_visibility_set(space=participant.space, hidden=group.is_hidden)
    if Participant.objects.filter(coordination_group=group).exists():
        _summaries_changed()


@transaction.atomic
def workshop_cancel(*, workshop: Workshop, actor: User) -> Workshop:
    """Cancel a workshop that has not begun (its organiser or the secretariat); everyone on
    its list is told by email, in their language and zone."""
    if not can_run_workshop(actor, workshop):
        raise ProjectError(_("Only the organiser and the secretariat cancel a workshop."))
    workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)
    if workshop.cancelled_at is not None:
        return workshop
    if workshop.starts_at <= timezone.now():
        raise ProjectError(_("This workshop has begun or is over: it cannot be cancelled."))
    workshop.cancelled_at = timezone.now()
    workshop.save(update_fields=["cancelled_at"])
    for signup in workshop.signups.select_related("user", "participant"):
        if not signup.user.email:
            continue
        zone = signup.user.time_zone or workshop.time_zone
        with timezone.override(zoneinfo.ZoneInfo(zone)):
            mail_send_on_commit(
                to=signup.user.email,
                template="projects/email/workshop_cancelled",
                context={
                    "workshop": workshop,
                    "participant": signup.participant,
                    "starts_at": timezone.localtime(workshop.starts_at),
                    "zone": zone,
                    "url": absolute_url(reverse("projects:workshops")),
                },
                language=signup.user.preferred_language,
            )
    audit_record(actor=actor, action="projects.workshop.cancelled", target=workshop)
    return workshop


# --- Who writes for a participant -----------------------------------------------------------


def _manager_check(participant: Participant, actor: User) -> None:
    if actor.is_network_staff:
        return
    if not ParticipantMember.objects.filter(
        participant=participant, user=actor, role=ParticipantMember.Role.MANAGER
    ).exists():
        raise ProjectError(_("Only the participant's managers change who writes for it."))


@transaction.atomic
def participant_member_add(
    *, participant: Participant, actor: User, identifier: str, role: str
) -> ParticipantMember:
    """Let someone with an account (named by username or email) write for participant."""
    _manager_check(participant, actor)
    if role not in ParticipantMember.Role.values:
        raise ProjectError(_("Choose a role."), "role")
    user = user_get_for_login(identifier=identifier or "")
    if user is None or not user.is_active:
        raise ProjectError(
            _("Nobody has an account with this username or email address."), "identifier"
        )
    try:
        with transaction.atomic():
            member = ParticipantMember.objects.create(participant=participant, user=user, role=role)
    except IntegrityError as exc:
        raise ProjectError(
            _("%(name)s already writes for %(participant)s.")
            % {"name": user.public_name, "participant": participant.name},
            "identifier",
        ) from exc
    audit_record(
        actor=actor, action="projects.participant.member_added", target=participant, user=user.pk
    )
    return member


@transaction.atomic
def participant_member_remove(*, participant: Participant, actor: User, user_id: int) -> None:
    """Stop someone writing for participant; its last manager stays."""
    _manager_check(participant, actor)
    members = ParticipantMember.objects.select_for_update().filter(participant=participant)
    member = members.filter(user_id=user_id).first()
    if member is None:
        raise ProjectError(_("This person does not write for this participant."))
    managers = [m for m in members if m.role == ParticipantMember.Role.MANAGER]
    if member.role == ParticipantMember.Role.MANAGER and len(managers) == 1:
        raise ProjectError(_("A participant keeps at least one manager."))
    member.delete()
    audit_record(
        actor=actor, action="projects.participant.member_removed", target=participant, user=user_id
    )


# --- Invitations ----------------------------------------------------------------------------

# Anyone confirmed can join and so manage a participant: without a cap, the invitation form
# would relay mail from us to any address.
INVITATIONS_PER_DAY = 20
INVITATIONS_WINDOW_SECONDS = 24 * 60 * 60


class InvitationUnusable(ProjectError):
    """The link is unknown, revoked, used or expired."""


class TooManyInvitations(ProjectError):
    """The actor sent INVITATIONS_PER_DAY invitations within the window."""


def _email_clean(value: str | None, field: str) -> str:
    email = (value or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ProjectError(_("Enter a valid email address."), field) from exc
    return email


@transaction.atomic
def participant_invitation_create(
    *, participant: Participant, actor: User, email: str, role: str, language: str = "en"
) -> tuple[ParticipantInvitation, str]:
    """Invite email to write for participant with role; mail the link after commit. Returns
    the invitation and its token (only its hash is stored). A pending invitation of the same
    address to the same participant is revoked: the newest link is the one that works."""
    if not can_manage_participant(actor, participant):
        raise ProjectError(_("Only the participant's managers change who writes for it."))
    email = _email_clean(email, "email")
    if role not in ParticipantMember.Role.values:
        raise ProjectError(_("Choose a role."), "role")
    if ParticipantMember.objects.filter(
        participant=participant, user__email__iexact=email
    ).exists():
        raise ProjectError(
            _("This person already writes for %(participant)s.")
            % {"participant": participant.name},
            "email",
        )
    if not rate_limit_consume(
        scope="projects_invitation",
        key=str(actor.pk),
        limit=INVITATIONS_PER_DAY,
        window_seconds=INVITATIONS_WINDOW_SECONDS,
    ):
        raise TooManyInvitations(
            _("You sent %(count)s invitations today: send the next ones tomorrow.")
            % {"count": INVITATIONS_PER_DAY}
        )
    now = timezone.now()
    ParticipantInvitation.objects.filter(
        participant=participant, email=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    token, hashed = invitations.token_new()
    invitation = ParticipantInvitation.objects.create(
        participant=participant,
        email=email,
        role=role,
        language=language,
        token_hash=hashed,
        invited_by=actor,
        expires_at=now + INVITATION_VALIDITY,
    )
    audit_record(
        actor=actor,
        action="projects.invitation.sent",
        target=invitation,
        participant=participant.pk,
        email=email,
        role=role,
    )
    mail_send_on_commit(
        to=email,
        template="projects/email/invitation",
        context={
            "participant": participant,
            "role": invitation.get_role_display,
            "inviter": actor.public_name,
            "accept_url": absolute_url(reverse("projects:invitation", kwargs={"token": token})),
            "expires_at": invitation.expires_at,
        },
        language=language,
    )
    return invitation, token


@transaction.atomic
def participant_member_add_or_invite(
    *, participant: Participant, actor: User, identifier: str, role: str, language: str = "en"
) -> ParticipantMember | ParticipantInvitation:
    """Let identifier write for participant: an account named by username or email at once
    (participant_member_add), an email address no account uses by an emailed invitation."""
    identifier = (identifier or "").strip()
    if "@" not in identifier or user_get_for_login(identifier=identifier) is not None:
        return participant_member_add(
            participant=participant, actor=actor, identifier=identifier, role=role
        )
    email = _email_clean(identifier, "identifier")
    invitation, _token = participant_invitation_create(
        participant=participant, actor=actor, email=email, role=role, language=language
    )
    return invitation


def participant_invitation_problem(invitation: ParticipantInvitation | None) -> str | None:
    """Why this invitation cannot be accepted, in words for the person; None if it can."""
    return invitations.invitation_problem(
        invitation,
        not_valid=_(
            "This invitation link is not valid. Ask the participant's managers for a new one."
        ),
        expired=_("This invitation has expired. Ask the participant's managers for a new one."),
    )


def invitation_needs_confirmed_address(*, invitation: ParticipantInvitation, user: User) -> bool:
    """Whether user must confirm their address before accepting: the link itself confirms the
    address it was sent to, not another one."""
    return user.email_confirmed_at is None and user.email.lower() != invitation.email


@transaction.atomic
def participant_invitation_accept(*, token: str, user: User) -> ParticipantMember:
    """Let user write for the invitation's participant with its role, once: the first
    acceptance wins. Someone who already writes for it is told so, and the link stays
    unused."""
    invitation = selectors.participant_invitation_by_token(token=token)
    problem = participant_invitation_problem(invitation)
    if problem:
        raise InvitationUnusable(problem)
    if invitation_needs_confirmed_address(invitation=invitation, user=user):
        raise ProjectError(
            _("Confirm your email address first: open the link we emailed you."), "email"
        )
    participant = invitation.participant
    already = _("You already write for %(participant)s.") % {"participant": participant.name}
    if ParticipantMember.objects.filter(participant=participant, user=user).exists():
        raise ProjectError(already)
    now = timezone.now()
    # The conditional UPDATE is the claim: two concurrent acceptances cannot both succeed.
    claimed = ParticipantInvitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).update(accepted_at=now, accepted_by=user)
    if claimed != 1:
        raise InvitationUnusable(_("This invitation has already been used."))
    try:
        with transaction.atomic():
            member = ParticipantMember.objects.create(
                participant=participant, user=user, role=invitation.role
            )
    except IntegrityError as exc:
        # Added by a manager meanwhile: the raise undoes the claim with the outer transaction.
        raise ProjectError(already) from exc
    if user.email_confirmed_at is None:
        # The link reached this mailbox: that confirms the address.
        user.email_confirmed_at = now
        user.save(update_fields=["email_confirmed_at"])
    audit_record(
        actor=user,
        action="projects.invitation.accepted",
        target=invitation,
        participant=participant.pk,
        role=invitation.role,
    )
    audit_record(
        actor=user,
        action="projects.participant.member_added",
        target=participant,
        user=user.pk,
        invitation=invitation.pk,
    )
    return member


@transaction.atomic
def participant_invitation_accept_with_signup(
    *,
    token: str,
    username: str,
    password: str,
    display_name: str = "",
    preferred_language: str = "",
) -> User:
    """Create the account of an invited person (their address is the invitation's, confirmed by
    the link) and accept the invitation: both or neither.

    Raise InvitationUnusable when the link cannot be used, ValidationError keyed by field when
    an account rule fails (username taken or invalid, password refused by the validators).
    """
    invitation = selectors.participant_invitation_by_token(token=token)
    problem = participant_invitation_problem(invitation)
    if problem:
        raise InvitationUnusable(problem)
    user = invitations.invited_account_create(
        invitation=invitation,
        username=username,
        password=password,
        display_name=display_name,
        preferred_language=preferred_language,
    )
    participant_invitation_accept(token=token, user=user)
    return user


@transaction.atomic
def participant_invitation_revoke(*, invitation: ParticipantInvitation, actor: User) -> None:
    """Make a pending invitation's link stop working (a used one is left as it is)."""
    if not can_manage_participant(actor, invitation.participant):
        raise ProjectError(_("Only the participant's managers change who writes for it."))
    revoked = ParticipantInvitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    if revoked:
        audit_record(
            actor=actor,
            action="projects.invitation.revoked",
            target=invitation,
            participant=invitation.participant_id,
        )
