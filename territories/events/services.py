"""Writes of the network's events: creating and editing an event and its programme, publishing,
cancelling, signing up and leaving. Reports and reminders are in territories/events/reports.py.

Each service checks who acts (territories/events/permissions.py), validates everything before
writing, writes in one transaction with its audit row, and tells the notifications engine what
changed on a public event (`change_record`, inside the same transaction). Refusals raise
EventError with a translated message (and the form field it is about).

Times: a service takes aware datetimes, or naive ones meaning the event's own zone (the
organiser's), which is what a form's datetime-local field gives; they are stored in UTC.
"""

import datetime
import zoneinfo

from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from territories.events.permissions import can_manage_event, can_organise
from territories.events.validation import (
    MAX_SESSION_LENGTH,
    EventError,
    capacity_check,
    clean_line,
    clean_text,
    languages_clean,
    meeting_url_clean,
    moment_clean,
    time_zone_check,
)
from territories.models import CoordinationGroup, Event, EventSession, EventSignup
from wikispiral.accounts.models import User
from wikispiral.audit.services import audit_record
from wikispiral.mail import absolute_url, mail_send_on_commit
from wikispiral.notifications.services import change_record

# Addresses the event pages use for themselves.
RESERVED_SLUGS = frozenset({"new", "feed", "calendar"})


def event_url(event: Event) -> str:
    return reverse("events:detail", kwargs={"event": event.slug})


def _slug(value: str | None, title: str) -> str:
    value = (value or "").strip()
    given = bool(value)
    slug = slugify(value or title)[:70].strip("-")
    if given and slug != value:
        raise EventError(_("Use lower-case letters, digits and hyphens only."), "slug")
    if not slug or slug in RESERVED_SLUGS:
        raise EventError(_("Choose another address."), "slug" if given else "title")
    if not Event.objects.filter(slug=slug).exists():
        return slug
    if given:
        raise EventError(_("Another event has this address: choose another."), "slug")
    number = 2
    while Event.objects.filter(slug=f"{slug}-{number}").exists():
        number += 1
    return f"{slug}-{number}"


def _lock(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


def _session_lock(session: EventSession, event: Event) -> EventSession:
    """The session, locked, if it is still on event's programme (an overlapping request, a
    second click on "remove", may have taken it off since the page was loaded)."""
    found = EventSession.objects.select_for_update().filter(pk=session.pk, event=event).first()
    if found is None:
        raise EventError(_("This session no longer exists."))
    return found


def _may_manage(actor: User, event: Event) -> None:
    if not can_manage_event(actor, event):
        raise EventError(_("Only the event's organisers may do this."))


def _not_cancelled(event: Event) -> None:
    if event.status == Event.Status.CANCELLED:
        raise EventError(_("This event is cancelled."))


def _span_update(event: Event) -> None:
    """Keep the event's start and end (for lists and feeds) those of its programme."""
    span = event.sessions.aggregate(first=Min("starts_at"), last=Max("ends_at"))
    event.starts_at, event.ends_at = span["first"], span["last"]
    event.save(update_fields=["starts_at", "ends_at", "modified_at"])


def _changed(event: Event, actor: User, summary: str, verb: str) -> None:
    """What followers of a public event learn (drafts are nobody's news); verb is one of the
    codes territories/events/follow.py names."""
    if event.status != Event.Status.DRAFT:
        change_record(
            kind="event",
            key=event.pk,
            actor=actor,
            title=event.title,
            url=event_url(event),
            summary=summary,
            verb=verb,
        )


# --- Events -------------------------------------------------------------------------------------


def _event_fields(
    *,
    kind: str,
    title: str,
    description: str,
    time_zone: str,
    languages: list[str],
    place: str,
    is_online: bool,
    meeting_url: str,
    audience: str,
    theme: str,
) -> dict:
    if kind not in Event.Kind.values:
        raise EventError(_("Choose a kind of event from the list."), "kind")
    fields = {
        "kind": kind,
        "title": clean_line(title, "title", 200, required=True),
        "description": clean_text(description, "description"),
        "time_zone": time_zone_check(time_zone),
        "languages": languages_clean(languages, field="languages"),
        "place": clean_line(place, "place", 200),
        "is_online": bool(is_online),
        "meeting_url": meeting_url_clean(meeting_url),
        "audience": clean_line(audience, "audience", 20),
        "theme": clean_line(theme, "theme", 20),
    }
    if not fields["languages"]:
        raise EventError(_("Choose the languages spoken."), "languages")
    if not fields["is_online"] and not fields["place"]:
        raise EventError(_("Say where it takes place, or tick “on-line”."), "place")
    return fields


@transaction.atomic
def event_create(
    *,
    actor: User,
    kind: str,
    title: str,
    time_zone: str,
    languages: list[str],
    project: int = CoordinationGroup.Project.NONE,
    slug: str = "",
    description: str = "",
    place: str = "",
    is_online: bool = True,
    meeting_url: str = "",
    audience: str = "",
    theme: str = "",
) -> Event:
    """A draft event of project (0: the network's), organised by actor; its programme comes
    next (session_add), then publication."""
    if project not in CoordinationGroup.Project.values:
        raise EventError(_("Unknown project."), "project")
    if not can_organise(actor, project):
        raise EventError(_("Only the secretariat and the project's organisers create events."))
    fields = _event_fields(
        kind=kind,
        title=title,
        description=description,
        time_zone=time_zone,
        languages=languages,
        place=place,
        is_online=is_online,
        meeting_url=meeting_url,
        audience=audience,
        theme=theme,
    )
    try:
        with transaction.atomic():
            event = Event.objects.create(
                **fields, project=project, slug=_slug(slug, fields["title"]), organiser=actor
            )
    except IntegrityError as error:
        # The same address taken by another organiser at the same moment.
        raise EventError(_("Another event has this address: choose another."), "slug") from error
    audit_record(actor=actor, action="territories.event.created", target=event)
    return event


@transaction.atomic
def event_update(
    *,
    event: Event,
    actor: User,
    kind: str,
    title: str,
    time_zone: str,
    languages: list[str],
    description: str = "",
    place: str = "",
    is_online: bool = True,
    meeting_url: str = "",
    audience: str = "",
    theme: str = "",
) -> Event:
    """Change an event's details (not its address): its sessions keep only languages it
    still has."""
    _may_manage(actor, event)
    event = _lock(event)
    _not_cancelled(event)
    fields = _event_fields(
        kind=kind,
        title=title,
        description=description,
        time_zone=time_zone,
        languages=languages,
        place=place,
        is_online=is_online,
        meeting_url=meeting_url,
        audience=audience,
        theme=theme,
    )
    for session in event.sessions.all():
        dropped = set(session.languages) - set(fields["languages"])
        if dropped:
            raise EventError(
                _("The session “%(session)s” is held in %(codes)s: change it first.")
                % {"session": session.title, "codes": ", ".join(sorted(dropped))},
                "languages",
            )
    for name, value in fields.items():
        setattr(event, name, value)
    event.save(update_fields=[*fields, "modified_at"])
    audit_record(actor=actor, action="territories.event.changed", target=event)
    _changed(event, actor, _("The event's details changed."), "changed")
    return event


@transaction.atomic
def event_publish(*, event: Event, actor: User) -> Event:
    """Make a draft public: it needs a programme of one session at least."""
    _may_manage(actor, event)
    event = _lock(event)
    _not_cancelled(event)
    if event.status == Event.Status.PUBLISHED:
        return event
    if not event.sessions.exists():
        raise EventError(_("Add a session to the programme before publishing."))
    event.status = Event.Status.PUBLISHED
    event.published_at = timezone.now()
    event.save(update_fields=["status", "published_at", "modified_at"])
    audit_record(actor=actor, action="territories.event.published", target=event)
    _changed(event, actor, _("The event is announced."), "published")
    return event


@transaction.atomic
def event_cancel(*, event: Event, actor: User) -> Event:
    """Cancel a published event that has not ended; everyone signed up to a session still to
    come is told by mail, in her language and time zone, once."""
    _may_manage(actor, event)
    event = _lock(event)
    if event.status == Event.Status.CANCELLED:
        return event
    if event.status == Event.Status.DRAFT:
        raise EventError(_("A draft is not announced: there is nothing to cancel."))
    now = timezone.now()
    if event.ends_at is not None and event.ends_at <= now:
        raise EventError(_("This event is over: it cannot be cancelled."))
    event.status = Event.Status.CANCELLED
    event.cancelled_at = now
    event.save(update_fields=["status", "cancelled_at", "modified_at"])
    signups = (
        EventSignup.objects.filter(session__event=event, session__ends_at__gt=now)
        .select_related("user", "session")
        .order_by("user_id", "session__starts_at")
    )
    by_person: dict[int, list[EventSignup]] = {}
    for signup in signups:
        by_person.setdefault(signup.user_id, []).append(signup)
    for mine in by_person.values():
        _mail(
            mine[0].user,
            event,
            "events/email/cancelled",
            key=f"event-cancelled:{event.pk}:{mine[0].user_id}",
            sessions=[signup.session for signup in mine],
        )
    audit_record(
        actor=actor, action="territories.event.cancelled", target=event, told=len(by_person)
    )
    _changed(event, actor, _("The event is cancelled."), "cancelled")
    return event


def _mail(person: User, event: Event, template: str, *, key: str, **context: object) -> None:
    """A mail about event in person's language, its times in her zone (else the event's)."""
    if not person.email:
        return
    zone = person.time_zone or event.time_zone
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        mail_send_on_commit(
            to=person.email,
            template=template,
            context={
                "event": event,
                "person": person,
                "zone": zone,
                "url": absolute_url(event_url(event)),
                **context,
            },
            language=person.preferred_language,
            key=key,
        )


# --- The programme ------------------------------------------------------------------------------


def _session_fields(
    event: Event,
    *,
    title: str,
    starts_at: datetime.datetime | None,
    ends_at: datetime.datetime | None,
    description: str,
    languages: list[str],
    place: str,
    meeting_url: str,
    capacity: int | None,
) -> dict:
    starts = moment_clean(starts_at, event.time_zone, "starts_at")
    ends = moment_clean(ends_at, event.time_zone, "ends_at")
    if ends <= starts:
        raise EventError(_("A session ends after it starts."), "ends_at")
    if ends - starts > MAX_SESSION_LENGTH:
        raise EventError(_("A session lasts at most seven days: split it."), "ends_at")
    return {
        "title": clean_line(title, "title", 200, required=True),
        "description": clean_text(description, "description"),
        "starts_at": starts,
        "ends_at": ends,
        "languages": languages_clean(languages, allowed=event.languages, field="languages"),
        "place": clean_line(place, "place", 200),
        "meeting_url": meeting_url_clean(meeting_url),
        "capacity": capacity_check(capacity),
    }


@transaction.atomic
def session_add(
    *,
    event: Event,
    actor: User,
    title: str,
    starts_at: datetime.datetime | None,
    ends_at: datetime.datetime | None,
    description: str = "",
    languages: list[str] | None = None,
    place: str = "",
    meeting_url: str = "",
    capacity: int | None = None,
) -> EventSession:
    """Add a session to the event's programme."""
    _may_manage(actor, event)
    event = _lock(event)
    _not_cancelled(event)
    fields = _session_fields(
        event,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        description=description,
        languages=languages or [],
        place=place,
        meeting_url=meeting_url,
        capacity=capacity,
    )
    session = EventSession.objects.create(event=event, **fields)
    _span_update(event)
    audit_record(
        actor=actor, action="territories.event.session_added", target=event, session=session.pk
    )
    _changed(
        event,
        actor,
        _("A session was added: %(title)s.") % {"title": session.title},
        "programme",
    )
    return session


@transaction.atomic
def session_update(
    *,
    session: EventSession,
    actor: User,
    title: str,
    starts_at: datetime.datetime | None,
    ends_at: datetime.datetime | None,
    description: str = "",
    languages: list[str] | None = None,
    place: str = "",
    meeting_url: str = "",
    capacity: int | None = None,
) -> EventSession:
    """Change a session; if its time moves, those signed up get their reminder again."""
    event = _lock(session.event)
    _may_manage(actor, event)
    _not_cancelled(event)
    session = _session_lock(session, event)
    fields = _session_fields(
        event,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        description=description,
        languages=languages or [],
        place=place,
        meeting_url=meeting_url,
        capacity=capacity,
    )
    taken = session.signups.count()
    if fields["capacity"] is not None and fields["capacity"] < taken:
        raise EventError(
            _("%(count)d people are signed up: give at least %(count)d places.") % {"count": taken},
            "capacity",
        )
    moved = fields["starts_at"] != session.starts_at
    for name, value in fields.items():
        setattr(session, name, value)
    session.save(update_fields=list(fields))
    if moved:
        session.signups.update(reminded_at=None)
    _span_update(event)
    audit_record(
        actor=actor, action="territories.event.session_changed", target=event, session=session.pk
    )
    _changed(
        event, actor, _("A session changed: %(title)s.") % {"title": session.title}, "programme"
    )
    return session


@transaction.atomic
def session_remove(*, session: EventSession, actor: User) -> None:
    """Take a session off the programme; those signed up to it are told by mail. A published
    event keeps one session at least (cancel the event instead)."""
    event = _lock(session.event)
    _may_manage(actor, event)
    _not_cancelled(event)
    session = _session_lock(session, event)
    if event.status == Event.Status.PUBLISHED and event.sessions.count() == 1:
        raise EventError(
            _("An announced event keeps one session at least: cancel the event instead.")
        )
    if session.ends_at > timezone.now():
        for signup in session.signups.select_related("user"):
            _mail(
                signup.user,
                event,
                "events/email/session_removed",
                key=f"event-session-removed:{session.pk}:{signup.user_id}",
                session=session,
            )
    title = session.title
    audit_record(
        actor=actor, action="territories.event.session_removed", target=event, session=session.pk
    )
    session.delete()
    _span_update(event)
    _changed(event, actor, _("A session was removed: %(title)s.") % {"title": title}, "programme")


# --- Signing up ---------------------------------------------------------------------------------


@transaction.atomic
def signup_create(*, session: EventSession, actor: User) -> tuple[EventSignup, bool]:
    """Sign actor up to session: (the sign-up, whether it is new). Twice is once; refused on a
    draft or cancelled event, a session that has begun, a full one."""
    if not actor.is_authenticated:
        raise EventError(_("Log in to sign up."))
    # One sign-up at a time per session: the count and the insert see the same list.
    locked = EventSession.objects.select_for_update().select_related("event").filter(pk=session.pk)
    found = locked.first()
    if found is None:
        raise EventError(_("This session no longer exists."))
    session = found
    event = session.event
    existing = EventSignup.objects.filter(session=session, user=actor).first()
    if existing is not None:
        return existing, False
    if event.status == Event.Status.CANCELLED:
        raise EventError(_("This event is cancelled."))
    if event.status != Event.Status.PUBLISHED:
        raise EventError(_("This event is not announced yet."))
    if session.starts_at <= timezone.now():
        raise EventError(_("This session has begun or is over: sign-up is closed."))
    if session.capacity is not None and session.signups.count() >= session.capacity:
        raise EventError(_("This session is full."))
    try:
        with transaction.atomic():
            signup = EventSignup.objects.create(session=session, user=actor)
    except IntegrityError:
        # The same person's other request won the race: one row, as asked.
        theirs = EventSignup.objects.filter(session=session, user=actor).first()
        if theirs is None:
            raise EventError(_("Your sign-up changed meanwhile: reload the page.")) from None
        return theirs, False
    audit_record(
        actor=actor, action="territories.event.signed_up", target=event, session=session.pk
    )
    return signup, True


@transaction.atomic
def signup_cancel(*, session: EventSession, actor: User) -> bool:
    """Take actor off the session's list (whether she was on it); not once it has begun."""
    if session.starts_at <= timezone.now():
        raise EventError(_("This session has begun or is over: the list is closed."))
    deleted, _rows = EventSignup.objects.filter(session=session, user=actor).delete()
    if deleted:
        audit_record(
            actor=actor, action="territories.event.left", target=session.event, session=session.pk
        )
    return bool(deleted)
