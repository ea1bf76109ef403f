"""Time zones: the IANA names a person may choose, and showing times in theirs."""

import zoneinfo
from functools import cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


@cache
def zone_names() -> list[str]:
    """Every IANA zone of a place ("Europe/Paris"), sorted; not the aliases ("EST", "Etc/...")."""
    return sorted(
        name
        for name in zoneinfo.available_timezones()
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/"))
    )


def validate_time_zone(value: str) -> None:
    if value and value != "UTC" and value not in zone_names():
        raise ValidationError(_("Choose a time zone from the list."), code="time_zone")
