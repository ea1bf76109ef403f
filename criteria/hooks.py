"""What criteria tells the floors above it: criteria changed, a grid version arrived.

Criteria sits below syntheses and projects, so it never imports them (not even inside a
function). Apps that follow criteria register a hook here from their `AppConfig.ready()`, as the
wiki's `register_space_roles` does, and criteria calls every registered hook where the change
happens: inside the caller's transaction, so a hook that records work (after the commit) is
undone with the change it follows.
"""

from collections.abc import Sequence
from typing import Protocol

from criteria.models import GridVersion
from territories.models import CoordinationGroup, HomogeneousGroup


class CriteriaChanged(Protocol):
    def __call__(
        self,
        *,
        tenant: CoordinationGroup,
        groups: Sequence[HomogeneousGroup | int] | None = None,
    ) -> None: ...


class GridVersionArrived(Protocol):
    def __call__(self, *, version: GridVersion) -> None: ...


_criteria_changed: list[CriteriaChanged] = []
_grid_version_arrived: list[GridVersionArrived] = []


def register_criteria_changed(hook: CriteriaChanged) -> None:
    """Call hook(tenant=..., groups=...) whenever criteria of a tenant change (from ready())."""
    if hook not in _criteria_changed:
        _criteria_changed.append(hook)


def register_grid_version_arrived(hook: GridVersionArrived) -> None:
    """Call hook(version=...) once a new grid version is current (from ready())."""
    if hook not in _grid_version_arrived:
        _grid_version_arrived.append(hook)


def criteria_changed(
    *, tenant: CoordinationGroup, groups: Sequence[HomogeneousGroup | int] | None = None
) -> None:
    """Tell every registered hook that criteria of tenant changed: in groups, or in any of its
    groups when groups is None."""
    for hook in _criteria_changed:
        hook(tenant=tenant, groups=groups)


def grid_version_arrived(*, version: GridVersion) -> None:
    """Tell every registered hook that version is now the current grid."""
    for hook in _grid_version_arrived:
        hook(version=version)
