"""What territories tells the floors above it, and what they add to its group pages.

Territories sits below criteria, syntheses and projects, so it never imports them (not even
inside a function). Apps that follow territories register a hook here from their
`AppConfig.ready()`, as the wiki's `register_space_roles` and `criteria.hooks` do. Territories
calls every registered hook where the change happens, inside the caller's transaction, so work
a hook records is undone with the change it follows. Hooks run in the order they were
registered, which is the order of INSTALLED_APPS.
"""

from typing import Protocol

from territories.models import CoordinationGroup, HomogeneousGroup
from wikispiral.wiki.permissions import AnyUser


class GroupPlacesChanged(Protocol):
    def __call__(
        self,
        *,
        group: CoordinationGroup,
        region_id_before: int | None,
        locality_id_before: int | None,
    ) -> None: ...


class GroupVisibilityChanged(Protocol):
    def __call__(self, *, group: CoordinationGroup) -> None: ...


class HomogeneousGroupChanged(Protocol):
    def __call__(
        self,
        *,
        tenant: CoordinationGroup,
        homogeneous_group: HomogeneousGroup,
        fields: frozenset[str],
    ) -> None: ...


class GroupPageFacts(Protocol):
    def __call__(
        self,
        *,
        user: AnyUser,
        tenant: CoordinationGroup,
        homogeneous_group: HomogeneousGroup | None,
        role: str | None,
    ) -> dict[str, object]: ...


_group_places_changed: list[GroupPlacesChanged] = []
_group_visibility_changed: list[GroupVisibilityChanged] = []
_homogeneous_group_changed: list[HomogeneousGroupChanged] = []
_group_page_facts: list[GroupPageFacts] = []


def register_group_places_changed(hook: GroupPlacesChanged) -> None:
    """Call hook(group=..., region_id_before=..., locality_id_before=...) when a coordination
    group moves to another region or locality (from ready())."""
    if hook not in _group_places_changed:
        _group_places_changed.append(hook)


def register_group_visibility_changed(hook: GroupVisibilityChanged) -> None:
    """Call hook(group=...) when the secretariat hides or shows a group again (from ready())."""
    if hook not in _group_visibility_changed:
        _group_visibility_changed.append(hook)


def register_homogeneous_group_changed(hook: HomogeneousGroupChanged) -> None:
    """Call hook(tenant=..., homogeneous_group=..., fields=...) when a homogeneous group's
    details change (from ready())."""
    if hook not in _homogeneous_group_changed:
        _homogeneous_group_changed.append(hook)


def register_group_page_facts(provider: GroupPageFacts) -> None:
    """Have provider add entries to the context of a group's and a homogeneous group's page
    (from ready())."""
    if provider not in _group_page_facts:
        _group_page_facts.append(provider)


def group_places_changed(
    *, group: CoordinationGroup, region_id_before: int | None, locality_id_before: int | None
) -> None:
    """Tell every registered hook that group (its new places already set) left these places."""
    for hook in _group_places_changed:
        hook(group=group, region_id_before=region_id_before, locality_id_before=locality_id_before)


def group_visibility_changed(*, group: CoordinationGroup) -> None:
    """Tell every registered hook that group was hidden or shown (group.is_hidden says which)."""
    for hook in _group_visibility_changed:
        hook(group=group)


def homogeneous_group_changed(
    *, tenant: CoordinationGroup, homogeneous_group: HomogeneousGroup, fields: frozenset[str]
) -> None:
    """Tell every registered hook which fields of homogeneous_group changed."""
    for hook in _homogeneous_group_changed:
        hook(tenant=tenant, homogeneous_group=homogeneous_group, fields=fields)


def group_page_facts(
    *,
    user: AnyUser,
    tenant: CoordinationGroup,
    homogeneous_group: HomogeneousGroup | None = None,
    role: str | None,
) -> dict[str, object]:
    """What the apps above add to the page of tenant (or of one of its homogeneous groups) for
    user, whose membership role in tenant is role (None for none, or not looked up for staff)."""
    facts: dict[str, object] = {}
    for provider in _group_page_facts:
        facts.update(
            provider(user=user, tenant=tenant, homogeneous_group=homogeneous_group, role=role)
        )
    return facts
