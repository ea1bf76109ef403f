"""Where the visible coordination groups are: the places that have groups under them (to browse
the syntheses from the network down) and each group's place and position (for the map).

One query reads the visible groups under a place with the names of their places; what lies
directly under the place is then counted in memory. Hidden groups never appear, whoever asks:
these lists are what any visitor may see, as in the directory.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import get_language

from territories.directory.selectors import visible_groups
from territories.models import CoordinationGroup, HomogeneousGroup
from wikispiral.tenancy import tenant_scope

# What a place is, as groups_under takes it; "project": a network project's platforms.
LEVELS = ("network", "continent", "country", "region", "locality", "project")
# What lies directly under each level: a place level, or "group" (a coordination group).
_BELOW = {
    "network": "continent",
    "continent": "country",
    "country": "region",
    "region": "locality",
    "locality": "group",
    "project": "group",
}
_FILTERS = {
    "continent": "country__continent_id",
    "country": "country_id",
    "region": "region_id",
    "locality": "locality_id",
    "project": "project",
}
_FIELDS = (
    "pk",
    "name",
    "slug",
    "latitude",
    "longitude",
    "country_id",
    "country__code",
    "country__name",
    "country__names",
    "country__continent_id",
    "country__continent__name",
    "country__continent__names",
    "region_id",
    "region__name",
    "region__names",
    "locality_id",
    "locality__name",
    "locality__names",
)


@dataclass(frozen=True)
class Place:
    pk: int
    name: str


@dataclass(frozen=True)
class GroupPlace:
    """A visible coordination group, its places (names in the reader's language) and its
    position when its facilitators gave one."""

    pk: int
    name: str
    slug: str
    continent: Place
    country: Place
    country_code: str
    region: Place | None
    locality: Place | None
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class Below:
    """Something directly under a place: a place ("continent", "country", "region",
    "locality") or a coordination group ("group"), with its visible coordination groups."""

    level: str
    pk: int
    name: str
    groups: int


def _label(name: str, names: dict | None, language: str) -> str:
    # As _Named.label, from the values a query read.
    return (names or {}).get(language) or name


def _place(pk: int | None, name: str, names: dict | None, language: str) -> Place | None:
    return Place(pk, _label(name, names, language)) if pk is not None else None


def _float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def groups_under(*, level: str, pk: int = 0) -> list[GroupPlace]:
    """The visible coordination groups under a place (level: one of LEVELS; pk: the place's id,
    the project's number; none for the network), by name, with their places: one query."""
    if level not in LEVELS:
        raise ValueError(f"Unknown level: {level}")
    groups = visible_groups()
    if level != "network":
        groups = groups.filter(Q(**{_FILTERS[level]: pk}))
    language = get_language() or "en"
    found = []
    for row in groups.order_by("name", "pk").values(*_FIELDS):
        continent = _place(
            row["country__continent_id"],
            row["country__continent__name"],
            row["country__continent__names"],
            language,
        )
        country = _place(row["country_id"], row["country__name"], row["country__names"], language)
        assert continent is not None and country is not None  # both are required columns
        found.append(
            GroupPlace(
                pk=row["pk"],
                name=row["name"],
                slug=row["slug"],
                continent=continent,
                country=country,
                country_code=row["country__code"],
                region=_place(
                    row["region_id"], row["region__name"], row["region__names"], language
                ),
                locality=_place(
                    row["locality_id"], row["locality__name"], row["locality__names"], language
                ),
                latitude=_float(row["latitude"]),
                longitude=_float(row["longitude"]),
            )
        )
    return found


def _directly_under(group: GroupPlace, level: str) -> tuple[str, Place]:
    """What lies directly under a place of level on the way down to group: the next place, or
    the group itself where it has none (a country's group with no region, say)."""
    below = _BELOW[level]
    place = {
        "continent": group.continent,
        "country": group.country,
        "region": group.region,
        "locality": group.locality,
    }.get(below)
    if place is None:
        return "group", Place(group.pk, group.name)
    return below, place


def places_below(groups: list[GroupPlace], *, level: str) -> list[Below]:
    """What lies directly under a place of level, among these groups (groups_under's): the
    network's continents, a continent's countries, a country's regions and its groups with no
    region, a region's localities and its groups with no locality, a locality's or a project's
    groups; each with how many visible groups it holds, by name (places first)."""
    counts: dict[tuple[str, int], int] = {}
    names: dict[tuple[str, int], str] = {}
    for group in groups:
        kind, place = _directly_under(group, level)
        counts[(kind, place.pk)] = counts.get((kind, place.pk), 0) + 1
        names[(kind, place.pk)] = place.name
    return sorted(
        (Below(kind, pk, names[(kind, pk)], count) for (kind, pk), count in counts.items()),
        key=lambda below: (below.level == "group", below.name.casefold(), below.pk),
    )


def homogeneous_groups_of(*, tenant: CoordinationGroup) -> list[Place]:
    """A coordination group's homogeneous groups, by name (its synthesis lists them)."""
    with tenant_scope(tenant):
        rows = HomogeneousGroup.objects.filter(tenant=tenant).order_by("name", "pk")
        return [Place(pk, name) for pk, name in rows.values_list("pk", "name")]
