"""What the events' services check before they write: texts, time zones, languages, meeting
links, times and places. Each refusal raises EventError with a translated message and the form
field it is about."""

import datetime
import functools
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _

from wikispiral.errors import DomainError
from wikispiral.text import line_clean, newlines_normalise

MAX_TEXT_LENGTH = 20_000
# Sessions are recorded from the network's first meetings on, and planned at most five years
# ahead: anything else is a typing mistake (year 0001, year 9999).
EARLIEST_YEAR = 2000
MAX_AHEAD = datetime.timedelta(days=5 * 366)
MAX_SESSION_LENGTH = datetime.timedelta(days=7)
MAX_CAPACITY = 100_000
_https = URLValidator(schemes=["https"])


class EventError(DomainError):
    pass


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def clean_line(value: str | None, field: str, max_length: int, *, required: bool = False) -> str:
    value = line_clean(value)
    if required and not value:
        raise EventError(_("This field is required."), field)
    if len(value) > max_length:
        raise EventError(
            _("This text is too long (at most %(max)d characters).") % {"max": max_length}, field
        )
    return value


def clean_text(value: str | None, field: str) -> str:
    value = newlines_normalise(value or "").strip()
    if len(value) > MAX_TEXT_LENGTH:
        raise EventError(
            _("This text is too long (at most %(max)d characters).") % {"max": MAX_TEXT_LENGTH},
            field,
        )
    return value


def time_zone_check(value: str) -> str:
    if value not in _zones():
        raise EventError(_("Choose a time zone from the list."), "time_zone")
    return value


def languages_clean(codes: list[str], *, allowed: list[str] | None = None, field: str) -> list[str]:
    """The codes in the site's order, each once; refused unless each is a language of the site
    (and, for a session, of its event)."""
    site = [code for code, _name in settings.LANGUAGES]
    chosen = {str(code).strip().lower() for code in codes if str(code).strip()}
    unknown = chosen - set(site)
    if unknown:
        raise EventError(
            _("Choose languages from the list (%(codes)s is not one).")
            % {"codes": ", ".join(sorted(unknown))},
            field,
        )
    if allowed is not None and not chosen <= set(allowed):
        raise EventError(
            _("A session is held in the languages of its event: %(languages)s.")
            % {"languages": ", ".join(allowed)},
            field,
        )
    return [code for code in site if code in chosen]


def meeting_url_clean(value: str | None) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) > 500:
        raise EventError(_("This address is too long (at most 500 characters)."), "meeting_url")
    try:
        _https(value)
    except ValidationError as error:
        raise EventError(
            _("Give the meeting's address, starting with https://."), "meeting_url"
        ) from error
    return value


def moment_clean(value: datetime.datetime | None, zone: str, field: str) -> datetime.datetime:
    if value is None:
        raise EventError(_("Give the date and time."), field)
    too_far = _("Give a date between %(first)d and five years from now.") % {"first": EARLIEST_YEAR}
    if not EARLIEST_YEAR <= value.year <= timezone.now().year + 6:
        # Checked before any conversion: year 1 or 9999 would overflow in another zone.
        raise EventError(too_far, field)
    if timezone.is_naive(value):
        # A time typed in a form is in the event's zone (the organiser's).
        value = value.replace(tzinfo=zoneinfo.ZoneInfo(zone))
    value = value.astimezone(datetime.UTC)
    if value.year < EARLIEST_YEAR or value > timezone.now() + MAX_AHEAD:
        raise EventError(too_far, field)
    return value


def capacity_check(value: int | None) -> int | None:
    if value is None:
        return None
    if value < 1:
        raise EventError(_("Give at least one place, or leave it empty for no limit."), "capacity")
    if value > MAX_CAPACITY:
        raise EventError(
            _("Give at most %(max)d places, or leave it empty for no limit.")
            % {"max": MAX_CAPACITY},
            "capacity",
        )
    return value
