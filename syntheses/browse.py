"""Browsing the syntheses from the network down: what lies directly under a scope (the
network's continents, a continent's countries, a country's regions and its groups with no
region, and so on down to a locality's coordination groups and a group's homogeneous groups),
each with its published figures; and a country's groups on the map.

Only what any visitor may see: places, and coordination groups that are not hidden
(territories' places selectors leave hidden groups out, whoever asks), each with the counts of
its snapshot, which count published criteria only. A hidden group's members still reach its
synthesis from the group. Two queries a page: the groups under the scope with their places
(for a coordination group: its homogeneous groups), then the snapshots of what lies under it.
"""

from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from syntheses.charts import count_text
from syntheses.models import Scope, Snapshot
from syntheses.selectors import ScopeRef
from territories.directory.map import MapGroup, WorldMap, world_map
from territories.directory.places import (
    GroupPlace,
    groups_under,
    homogeneous_groups_of,
    places_below,
)
from territories.models import Country

# territories' places levels as synthesis scopes ("group": a coordination group).
_SCOPES = {
    "continent": Scope.CONTINENT,
    "country": Scope.COUNTRY,
    "region": Scope.REGION,
    "locality": Scope.LOCALITY,
    "group": Scope.COORDINATION_GROUP,
}
# The scopes whose groups territories can list (the network has no id).
_LEVELS = {
    Scope.NETWORK: "network",
    Scope.CONTINENT: "continent",
    Scope.COUNTRY: "country",
    Scope.REGION: "region",
    Scope.LOCALITY: "locality",
    Scope.PROJECT: "project",
}


@dataclass(frozen=True)
class ChildScope:
    """A scope directly under another, with its published figures (0 before it is computed)."""

    scope: str
    scope_id: int
    name: str
    criteria: int = 0
    # Visible coordination groups under a place; None for a group.
    coordination_groups: int | None = None
    # Homogeneous groups with published criteria; None for a homogeneous group.
    homogeneous_groups: int | None = None

    @property
    def key(self) -> str:
        return f"{self.scope}-{self.scope_id}"

    @property
    def label(self) -> str:
        return str(Scope(self.scope).label)

    @property
    def facts(self) -> list[str]:
        """Its figures in words: "146 criteria", "3 coordination groups", "5 homogeneous
        groups"."""
        facts = [
            ngettext("%(count)s criterion", "%(count)s criteria", self.criteria)
            % {"count": count_text(self.criteria)}
        ]
        if self.coordination_groups is not None:
            facts.append(
                ngettext(
                    "%(count)s coordination group",
                    "%(count)s coordination groups",
                    self.coordination_groups,
                )
                % {"count": count_text(self.coordination_groups)}
            )
        if self.homogeneous_groups is not None:
            facts.append(
                ngettext(
                    "%(count)s homogeneous group",
                    "%(count)s homogeneous groups",
                    self.homogeneous_groups,
                )
                % {"count": count_text(self.homogeneous_groups)}
            )
        return facts


@dataclass(frozen=True)
class Browse:
    """What a synthesis page lists under its scope, and the visible groups under it."""

    children: list[ChildScope] = field(default_factory=list)
    groups: list[GroupPlace] = field(default_factory=list)

    @property
    def heading(self) -> str:
        kinds = frozenset(str(child.scope) for child in self.children)
        headings: dict[frozenset[str], str] = {
            frozenset({Scope.CONTINENT}): _("Continents"),
            frozenset({Scope.COUNTRY}): _("Countries"),
            frozenset({Scope.REGION}): _("Regions"),
            frozenset({Scope.LOCALITY}): _("Localities"),
            frozenset({Scope.COORDINATION_GROUP}): _("Coordination groups"),
            frozenset({Scope.HOMOGENEOUS_GROUP}): _("Homogeneous groups"),
            frozenset({Scope.REGION, Scope.COORDINATION_GROUP}): _(
                "Regions and coordination groups"
            ),
            frozenset({Scope.LOCALITY, Scope.COORDINATION_GROUP}): _(
                "Localities and coordination groups"
            ),
        }
        return headings.get(kinds, _("Places and coordination groups"))

    @property
    def mixed(self) -> bool:
        """Places and groups side by side: each item then says what it is."""
        return len({child.scope for child in self.children}) > 1


def scopes_below(ref: ScopeRef) -> tuple[list[ChildScope], list[GroupPlace]]:
    """The scopes directly under ref that any visitor may see (places first, by name; their
    figures not read yet), and the visible coordination groups under ref. Pages that add up
    other things over the same scopes (the evaluations) list them the same way."""
    if ref.scope == Scope.COORDINATION_GROUP and ref.tenant is not None:
        below = [
            ChildScope(Scope.HOMOGENEOUS_GROUP, place.pk, place.name)
            for place in homogeneous_groups_of(tenant=ref.tenant)
        ]
        return below, []
    if ref.scope not in _LEVELS:
        return [], []
    level = _LEVELS[Scope(ref.scope)]
    groups = groups_under(level=level, pk=ref.scope_id)
    below = [
        ChildScope(
            _SCOPES[item.level],
            item.pk,
            item.name,
            coordination_groups=item.groups if item.level != "group" else None,
        )
        for item in places_below(groups, level=level)
    ]
    return below, groups


def scopes_condition(children: list[ChildScope]) -> Q:
    """A filter on (scope, scope_id) rows matching children (children must not be empty)."""
    wanted: dict[str, list[int]] = {}
    for child in children:
        wanted.setdefault(child.scope, []).append(child.scope_id)
    condition = Q()
    for scope, ids in wanted.items():
        condition |= Q(scope=scope, scope_id__in=ids)
    return condition


def scope_browse(ref: ScopeRef) -> Browse:
    """What lies directly under ref that any visitor may see, with the figures of its
    snapshots, by name (places first); and the visible coordination groups under ref."""
    below, groups = scopes_below(ref)
    if not below:
        return Browse([], groups)
    figures = {
        (scope, scope_id): (criteria, homogeneous)
        for scope, scope_id, criteria, homogeneous in Snapshot.objects.filter(
            scopes_condition(below)
        )
        .order_by()
        .values_list("scope", "scope_id", "criteria_count", "groups_count")
    }
    children = []
    for child in below:
        criteria, homogeneous = figures.get((child.scope, child.scope_id), (0, 0))
        children.append(
            ChildScope(
                child.scope,
                child.scope_id,
                child.name,
                criteria=criteria,
                coordination_groups=child.coordination_groups,
                homogeneous_groups=homogeneous if child.scope != Scope.HOMOGENEOUS_GROUP else None,
            )
        )
    return Browse(children, groups)


def country_map(ref: ScopeRef, browse: Browse) -> WorldMap | None:
    """A country's visible coordination groups on the map, framed on the country, each point
    leading to the group's synthesis (None for other scopes, or a country with no group)."""
    if ref.scope != Scope.COUNTRY or not isinstance(ref.obj, Country) or not browse.groups:
        return None
    return world_map(
        [
            MapGroup(
                name=group.name,
                href=reverse(
                    "syntheses:synthesis", kwargs={"key": f"{Scope.COORDINATION_GROUP}-{group.pk}"}
                ),
                country=group.country.name,
                country_code=group.country_code,
                latitude=group.latitude,
                longitude=group.longitude,
            )
            for group in browse.groups
        ],
        country_code=ref.obj.code,
    )
