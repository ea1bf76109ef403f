"""Platforms of network projects: one coordination group per project and country, run by the
secretariat, where the project's participants answer the SPIRAL questions.

Their criteria are criteria like any other (same grid, same classification queue, same
syntheses): they add up to their country, its continent and the network as a country-level
platform does, and to the project's own synthesis (syntheses' project scope).
"""

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from territories.models import CoordinationGroup, Country
from territories.services import TerritoryError, coordination_group_create, network_id_next

# The start of each project's platform addresses (the country code follows).
PROJECT_SLUGS = {CoordinationGroup.Project.RIGHT_CHOICES: "right-choices"}
ATTEMPTS = 3


def project_platform_get(*, project: int, country: Country) -> CoordinationGroup | None:
    return CoordinationGroup.objects.filter(project=project, country=country).first()


def project_platform_ensure(*, project: int, country: Country) -> CoordinationGroup:
    """The project's platform in country, opened on first use (two people answering at once
    in a new country get the same one: the second sees the first's and uses it)."""
    if project not in PROJECT_SLUGS:
        raise TerritoryError(_("Unknown project."), "project")
    for _attempt in range(ATTEMPTS):
        platform = project_platform_get(project=project, country=country)
        if platform is not None:
            return platform
        # The platform's name and home page are written once, in the site's language.
        with translation.override(settings.LANGUAGE_CODE):
            label = str(CoordinationGroup.Project(project).label)
            try:
                with transaction.atomic():
                    return coordination_group_create(
                        actor=None,
                        name=f"{label} — {country.name}",
                        network_id=network_id_next(),
                        country=country,
                        slug=slugify(f"{PROJECT_SLUGS[project]}-{country.code}"),
                        language=settings.LANGUAGE_CODE,
                        kind=CoordinationGroup.Kind.CITIZENS_GROUP,
                        level=CoordinationGroup.Level.COUNTRY,
                        status=CoordinationGroup.Status.VALIDATED,
                        project=project,
                        actor_type=_("Network project"),
                        platform_description=_(
                            "The platform of the network's project in %(country)s: its "
                            "participants' answers to the SPIRAL questions, pooled in one "
                            "homogeneous group per kind of participant (citizens, collective "
                            "actors, territorial entities). The secretariat runs it."
                        )
                        % {"country": country.name},
                    )
            except TerritoryError:
                # Opened by someone else a moment ago (or its network id taken): look again.
                continue
    platform = project_platform_get(project=project, country=country)
    if platform is None:
        raise TerritoryError(_("The project's platform could not be opened. Try again."))
    return platform
