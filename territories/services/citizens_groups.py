"""Registering a citizens' group: a light coordination group with one homogeneous group."""

from django.conf import settings
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

import territories.services as package
from territories.models import (
    CoordinationGroup,
    Country,
    Locality,
    Profile,
    Region,
)
from territories.services._common import TerritoryError, _clean_name, _clean_text, places_check
from territories.services.groups import network_id_next
from territories.services.homogeneous_groups import _hg_values, homogeneous_group_create
from wikispiral.accounts.models import User
from wikispiral.audit.services import audit_record
from wikispiral.wiki.selectors import space_slug_taken

CITIZENS_GROUPS_PER_DAY = 3


def _place_level(region: Region | None, locality: Locality | None) -> str:
    if locality is not None:
        return CoordinationGroup.Level.LOCALITY
    if region is not None:
        return CoordinationGroup.Level.REGION
    return CoordinationGroup.Level.COUNTRY


@transaction.atomic
def citizens_group_create(
    *,
    actor: User,
    name: str,
    country: Country,
    region: Region | None = None,
    locality: Locality | None = None,
    profile: Profile | None = None,
    profile_other: str = "",
    language: str = "en",
    description: str = "",
) -> CoordinationGroup:
    """Register a citizens' group ("cycle 0"): a light coordination group of kind
    citizens_group, public at once but awaiting the secretariat's validation, with actor as its
    facilitator and one homogeneous group of the same name with its page. All or nothing."""
    name = _clean_name(name)
    description = _clean_text(description, "description", max_length=5000)
    places_check(country=country, region=region, locality=locality)
    if language not in dict(settings.LANGUAGES):
        raise TerritoryError(_("This language is not available."), "language")
    slug = slugify(name)[:80].strip("-")
    if slug and (
        CoordinationGroup.objects.filter(slug=slug).exists() or space_slug_taken(slug=slug)
    ):
        raise TerritoryError(
            _(
                "A group called “%(name)s” already exists. Add the name of your town or "
                "neighbourhood to tell yours apart."
            )
            % {"name": name},
            "name",
        )
    # Fail on the group's own details before opening anything.
    _hg_values(
        current_profile_id=None,
        name=name,
        profile=profile,
        profile_other=profile_other,
        meeting_dates=(),
        participants=None,
        participants_women=None,
        participants_men=None,
        participants_other=None,
        language=language,
        notes="",
    )
    details = {
        "kind": CoordinationGroup.Kind.CITIZENS_GROUP,
        "status": CoordinationGroup.Status.ACTIVE,
        "level": _place_level(region, locality),
        "platform_description": description,
    }
    group = None
    # network_id_next() reads the highest id in use: two people registering at the same moment
    # can draw the same one, and the unique index refuses the second. Draw again, once.
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                # Through the package, so that replacing
                # territories.services.coordination_group_create reaches here.
                group = package.coordination_group_create(
                    actor=actor,
                    name=name,
                    network_id=network_id_next(),
                    country=country,
                    region=region,
                    locality=locality,
                    facilitator=actor,
                    language=language,
                    **details,
                )
            break
        except TerritoryError as error:
            if attempt == 2 or error.field not in (None, "network_id"):
                raise
    hg = homogeneous_group_create(
        actor=actor,
        group=group,
        name=name,
        profile=profile,
        profile_other=profile_other,
        facilitators=[actor],
        language=language,
    )
    audit_record(
        actor=actor,
        action="territories.citizens_group.created",
        target=group,
        tenant_id=group.pk,
        network_id=group.network_id,
        homogeneous_group_id=hg.pk,
    )
    return group
