"""Dates in Tiki's exports: Unix timestamps, the site's short date and time formats, ISO 8601.
A date without a zone is taken in the old site's zone; every result is in UTC."""

import datetime
import re
import zoneinfo
from collections.abc import Iterable

from django.utils.translation import gettext as _

# Formats a Tiki site shows dates in (its short date and time preferences; the default is
# "%Y-%m-%d %H:%M"), the ones a spreadsheet writes back, and ISO 8601. Tried in this order;
# day before month before month before day.
DATE_FORMATS: tuple[tuple[str, str], ...] = (
    ("%Y-%m-%d %H:%M", "YYYY-MM-DD hh:mm"),
    ("%Y-%m-%d %H:%M:%S", "YYYY-MM-DD hh:mm:ss"),
    ("%Y-%m-%d", "YYYY-MM-DD"),
    ("%d/%m/%Y %H:%M", "DD/MM/YYYY hh:mm"),
    ("%d/%m/%Y %H:%M:%S", "DD/MM/YYYY hh:mm:ss"),
    ("%d/%m/%Y", "DD/MM/YYYY"),
    ("%m/%d/%Y %H:%M", "MM/DD/YYYY hh:mm"),
    ("%m/%d/%Y %I:%M %p", "MM/DD/YYYY hh:mm AM/PM"),
    ("%m/%d/%Y", "MM/DD/YYYY"),
    ("%d-%m-%Y %H:%M", "DD-MM-YYYY hh:mm"),
    ("%d-%m-%Y", "DD-MM-YYYY"),
    ("%d.%m.%Y %H:%M", "DD.MM.YYYY hh:mm"),
    ("%d.%m.%Y", "DD.MM.YYYY"),
    ("%Y/%m/%d %H:%M", "YYYY/MM/DD hh:mm"),
    ("%Y/%m/%d", "YYYY/MM/DD"),
)
UNIX = "unix"
ISO = "iso"
_UNIX_RANGE = (0, 4_102_444_800)  # 1970 to 2100


# Tiki's default forms are ISO's layout: fromisoformat reads them about ten times faster than
# strptime (a tracker of 100,000 items has 200,000 dates), given exactly that length and layout.
_ISO_LAYOUTS = {"%Y-%m-%d %H:%M": 16, "%Y-%m-%d %H:%M:%S": 19, "%Y-%m-%d": 10}
_ISO_EXACT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}(:[0-9]{2})?)?")


def date_in_form(text: str, form: str, zone: datetime.tzinfo) -> datetime.datetime | None:
    try:
        if form == UNIX:
            stamp = int(text)
            if not _UNIX_RANGE[0] <= stamp <= _UNIX_RANGE[1]:
                return None
            return datetime.datetime.fromtimestamp(stamp, tz=datetime.UTC)
        if form == ISO:
            moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        elif _ISO_LAYOUTS.get(form) == len(text) and _ISO_EXACT.fullmatch(text):
            moment = datetime.datetime.fromisoformat(text)
        else:
            moment = datetime.datetime.strptime(text, form)
    except (ValueError, OverflowError, OSError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(datetime.UTC)


def date_forms(values: Iterable[str]) -> list[str]:
    """Every date form (UNIX, ISO or a DATE_FORMATS pattern) that reads all the values,
    best first."""
    present = [v.strip() for v in values if v.strip()]
    if not present:
        return []
    candidates = [UNIX, *(pattern for pattern, _label in DATE_FORMATS), ISO]
    return [
        form
        for form in candidates
        if all(date_in_form(value, form, datetime.UTC) is not None for value in present)
    ]


def date_form_label(form: str) -> str:
    if form == UNIX:
        return _("Unix timestamps")
    if form == ISO:
        return _("ISO 8601")
    return dict(DATE_FORMATS).get(form, form)


def date_parse(
    text: str, *, form: str | None = None, timezone: str = "UTC"
) -> datetime.datetime | None:
    """One date in a given form, or in the first form that reads it; None if none does.
    Dates without a zone are taken in `timezone` (the old site's); the result is in UTC."""
    value = text.strip()
    if not value:
        return None
    zone = zone_get(timezone)
    forms = [form] if form else date_forms([value])
    for candidate in forms:
        moment = date_in_form(value, candidate, zone)
        if moment is not None:
            return moment
    return None


def zone_get(name: str) -> datetime.tzinfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return datetime.UTC


def date_forms_all() -> list[str]:
    return [UNIX, *(pattern for pattern, _label in DATE_FORMATS), ISO]
