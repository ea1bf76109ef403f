"""What the territories services share: their error, the group lock, the checks on names,
texts and places."""

import re

from django.utils.translation import gettext as _

from territories.models import (
    CoordinationGroup,
    Country,
    Locality,
    Region,
)
from wikispiral.errors import DomainError
from wikispiral.text import line_clean, newlines_normalise


class TerritoryError(DomainError):
    pass


MAX_TEXT_LENGTH = 20_000
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


def coordination_group_lock(group: CoordinationGroup) -> CoordinationGroup:
    """The group's row, fresh and locked until the transaction ends (with its space).

    Every change that checks the group's state first takes this lock: two facilitators
    demoting each other cannot both pass the "last facilitator" check, and two secretaries
    hiding the group at once see each other's result.
    """
    return CoordinationGroup.objects.select_for_update().select_related("space").get(pk=group.pk)


def _clean_name(name: str, *, max_length: int = 200) -> str:
    name = line_clean(name)
    if not name:
        raise TerritoryError(_("Enter a name."), "name")
    if len(name) > max_length:
        raise TerritoryError(
            _("The name is too long (at most %(max)d characters).") % {"max": max_length}, "name"
        )
    return name


def _clean_text(value: str | None, field_name: str, *, max_length: int = MAX_TEXT_LENGTH) -> str:
    value = newlines_normalise(value or "").strip()
    if len(value) > max_length:
        raise TerritoryError(
            _("This text is too long (at most %(max)d characters).") % {"max": max_length},
            field_name,
        )
    return value


def places_check(*, country: Country, region: Region | None, locality: Locality | None) -> None:
    """Raise TerritoryError (naming the field) unless the region is in the country and the
    locality in the region."""
    if region is not None and region.country_id != country.pk:
        raise TerritoryError(
            _("The region %(region)s is not in %(country)s.")
            % {"region": region.label(), "country": country.label()},
            "region",
        )
    if locality is not None:
        if region is None:
            raise TerritoryError(_("Choose the region of this locality as well."), "region")
        if locality.region_id != region.pk:
            raise TerritoryError(
                _("The locality %(locality)s is not in the region %(region)s.")
                % {"locality": locality.label(), "region": region.label()},
                "locality",
            )
