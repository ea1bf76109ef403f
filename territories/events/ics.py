"""iCalendar (RFC 5545) files of the events' sessions, written with the icalendar package.

One VEVENT per session, with a UID that never changes (`session-<pk>@<site host>`), its times
in UTC, the event's page as URL, STATUS:CANCELLED once the event is cancelled, and SEQUENCE /
LAST-MODIFIED / DTSTAMP taken from the event's last change (sessions change through their event,
which the services save each time), so a calendar that subscribed sees updates replace what it
holds. The files are public: never a meeting link, which only those signed up may read.
"""

import datetime
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils.translation import gettext as _

from territories.events.services import event_url
from territories.models import Event, EventSession
from wikispiral.mail import absolute_url
from wikispiral.text import language_name

PRODID = "-//TOGETHER network//wikispiral events//EN"


def site_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "wikispiral"


def session_uid(session: EventSession) -> str:
    return f"session-{session.pk}@{site_host()}"


def _utc(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC)


def _sequence(event: Event) -> int:
    # Seconds between the event's creation and its last change: grows with every change.
    return max(0, int((event.modified_at - event.created_at).total_seconds()))


def _summary(session: EventSession) -> str:
    event = session.event
    if session.title == event.title:
        return event.title
    return _("%(event)s: %(session)s") % {"event": event.title, "session": session.title}


def _description(session: EventSession) -> str:
    event = session.event
    parts = [session.description or event.description]
    languages = ", ".join(language_name(code) for code in session.languages or event.languages)
    parts.append(_("Languages: %(languages)s") % {"languages": languages})
    if event.is_online:
        parts.append(_("On-line: the link is on the event's page for those signed up."))
    parts.append(absolute_url(event_url(event)))
    return "\n\n".join(part for part in parts if part)


def _location(session: EventSession) -> str:
    place = session.place or session.event.place
    if place:
        return place
    return _("On-line") if session.event.is_online else ""


def _vevent(session: EventSession) -> icalendar.Event:
    event = session.event
    vevent = icalendar.Event()
    vevent.add("uid", session_uid(session))
    vevent.add("dtstamp", _utc(event.modified_at))
    vevent.add("last-modified", _utc(event.modified_at))
    vevent.add("sequence", _sequence(event))
    vevent.add("dtstart", _utc(session.starts_at))
    vevent.add("dtend", _utc(session.ends_at))
    vevent.add("summary", _summary(session))
    vevent.add("description", _description(session))
    location = _location(session)
    if location:
        vevent.add("location", location)
    vevent.add("url", absolute_url(event_url(event)))
    vevent.add("status", "CANCELLED" if event.status == Event.Status.CANCELLED else "CONFIRMED")
    vevent.add("categories", [event.get_kind_display()])
    return vevent


def calendar_bytes(sessions: list[EventSession], *, name: str) -> bytes:
    """A VCALENDAR named name holding one VEVENT per session (each with its event loaded)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for session in sessions:
        calendar.add_component(_vevent(session))
    return calendar.to_ical()
