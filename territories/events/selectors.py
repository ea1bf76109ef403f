"""Reads of the network's events: the lists, one event with its programme as a reader sees it,
the feeds' and calendars' items, and how a time reads in a zone.

Events belong to no coordination group: nothing here crosses a tenant.
"""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from territories.events.permissions import can_manage_event, can_see_event, organised_projects
from territories.models import Event, EventSession, EventSignup
from territories.permissions import is_network_staff
from wikispiral.text import language_name
from wikispiral.wiki.permissions import AnyUser

PAST_SHOWN = 30
FEED_LENGTH = 30
# The site-wide calendar: what is to come, and what ended in the last three months (so a
# calendar keeps a cancelled or past meeting instead of losing it).
CALENDAR_PAST = datetime.timedelta(days=92)
CALENDAR_LENGTH = 2000
PUBLIC_STATUSES = (Event.Status.PUBLISHED, Event.Status.CANCELLED)


def _public() -> QuerySet[Event]:
    return Event.objects.filter(status__in=PUBLIC_STATUSES)


def event_list(*, kind: str = "", upcoming: bool = True) -> list[Event]:
    """Announced (and cancelled) events: those not over, soonest first; or those over, latest
    first (the last PAST_SHOWN)."""
    events = _public().select_related("report__space", "conclusions__space")
    if kind:
        events = events.filter(kind=kind)
    now = timezone.now()
    if upcoming:
        return list(events.filter(ends_at__gte=now).order_by("starts_at", "pk"))
    return list(events.filter(ends_at__lt=now).order_by("-starts_at", "-pk")[:PAST_SHOWN])


def event_drafts(*, user: AnyUser) -> list[Event]:
    """The drafts user may see (her organisers' drafts)."""
    if not user.is_authenticated:
        return []
    drafts = Event.objects.filter(status=Event.Status.DRAFT).order_by("starts_at", "pk")
    if not is_network_staff(user):
        drafts = drafts.filter(project__in=organised_projects())
    return [event for event in drafts if can_manage_event(user, event)]


def event_get_or_404(*, slug: str, user: AnyUser) -> Event:
    """The event at slug, if user may see it (drafts: its organisers only); else 404."""
    event = (
        Event.objects.select_related("report__space", "conclusions__space", "organiser")
        .filter(slug=slug)
        .first()
    )
    if event is None or not can_see_event(user, event):
        raise Http404(_("No such event."))
    return event


def session_get_or_404(*, event: Event, pk: int) -> EventSession:
    session = (
        EventSession.objects.select_related("report__space").filter(event=event, pk=pk).first()
    )
    if session is None:
        raise Http404(_("No such session."))
    session.event = event
    return session


# --- Times --------------------------------------------------------------------------------------


def when(starts_at: datetime.datetime, ends_at: datetime.datetime, zone: str) -> str:
    """A session's time in zone, in the reader's language: "5 March 2026, 14:00–16:00", or
    both dates when it ends another day there."""
    tz = zoneinfo.ZoneInfo(zone)
    starts, ends = starts_at.astimezone(tz), ends_at.astimezone(tz)
    if starts.date() == ends.date():
        return _("%(date)s, %(start)s–%(end)s") % {
            "date": date_format(starts, "DATE_FORMAT"),
            "start": time_format(starts, "TIME_FORMAT"),
            "end": time_format(ends, "TIME_FORMAT"),
        }
    return _("%(start)s – %(end)s") % {
        "start": date_format(starts, "DATETIME_FORMAT"),
        "end": date_format(ends, "DATETIME_FORMAT"),
    }


def zone_label(zone: str) -> str:
    """A zone's IANA name as people read it ("America/Sao Paulo")."""
    return zone.replace("_", " ")


def reader_zone(user: AnyUser, event: Event) -> str:
    """The zone a reader sees times in: hers when she chose one, else the organiser's."""
    return getattr(user, "time_zone", "") or event.time_zone


# --- One event's programme ----------------------------------------------------------------------


@dataclass
class SessionRow:
    """A session as one reader sees it."""

    session: EventSession
    taken: int
    signed_up: bool
    reader_when: str
    organiser_when: str
    languages: list[str]
    place: str
    meeting_url: str  # empty unless the reader may see it
    is_open: bool  # the reader may still sign up (or leave)
    has_begun: bool

    @property
    def places_left(self) -> int | None:
        capacity = self.session.capacity
        return None if capacity is None else max(capacity - self.taken, 0)

    @property
    def is_full(self) -> bool:
        return self.places_left == 0


def programme(*, event: Event, user: AnyUser) -> list[SessionRow]:
    """The event's sessions for user, in two queries: times in her zone and the organiser's,
    places left, whether she is signed up, and the on-line link if she may see it."""
    sessions = list(
        event.sessions.select_related("report__space")
        .annotate(taken=Count("signups"))
        .order_by("starts_at", "pk")
    )
    mine: set[int] = set()
    if user.is_authenticated and sessions:
        mine = set(
            EventSignup.objects.filter(
                user=user, session__in=[session.pk for session in sessions]
            ).values_list("session_id", flat=True)
        )
    organiser = can_manage_event(user, event)
    zone = reader_zone(user, event)
    now = timezone.now()
    rows = []
    for session in sessions:
        session.event = event
        signed_up = session.pk in mine
        rows.append(
            SessionRow(
                session=session,
                taken=session.taken,
                signed_up=signed_up,
                reader_when=when(session.starts_at, session.ends_at, zone),
                organiser_when=when(session.starts_at, session.ends_at, event.time_zone),
                languages=[language_name(code) for code in (session.languages or event.languages)],
                place=session.place or event.place,
                meeting_url=(session.meeting_url or event.meeting_url)
                if signed_up or organiser
                else "",
                is_open=event.status == Event.Status.PUBLISHED and session.starts_at > now,
                has_begun=session.starts_at <= now,
            )
        )
    return rows


def signups_of(*, event: Event) -> list[EventSignup]:
    """Who signed up to which session (the organisers' list), by session then name."""
    return list(
        EventSignup.objects.filter(session__event=event)
        .select_related("user", "session")
        .order_by("session__starts_at", "session_id", "user__username")
    )


# --- Feeds and calendars ------------------------------------------------------------------------


def feed_list() -> list[Event]:
    """The FEED_LENGTH events announced last (cancelled ones too, marked so), in one query."""
    return list(
        _public().filter(published_at__isnull=False).order_by("-published_at", "-pk")[:FEED_LENGTH]
    )


def calendar_sessions(*, event: Event | None = None) -> list[EventSession]:
    """The sessions of one public event, or of every public event to come or ended in the last
    months (the site's calendar), with their event, in one query."""
    sessions = EventSession.objects.select_related("event").filter(
        event__status__in=PUBLIC_STATUSES
    )
    if event is not None:
        sessions = sessions.filter(event=event)
    else:
        since = timezone.now() - CALENDAR_PAST
        sessions = sessions.filter(Q(ends_at__gte=since))
    return list(sessions.order_by("starts_at", "pk")[:CALENDAR_LENGTH])
