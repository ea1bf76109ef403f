from django.apps import AppConfig


class SynthesesConfig(AppConfig):
    name = "syntheses"

    def ready(self) -> None:
        from criteria.hooks import register_criteria_changed, register_grid_version_arrived
        from criteria.models import GridVersion
        from syntheses import jobs  # noqa: F401  (registers the recompute and report jobs)
        from syntheses.followables import SCOPE_FOLLOWABLE
        from syntheses.services import syntheses_mark_changed, syntheses_recompute_all_enqueue
        from wikispiral.notifications.registry import register_followable

        def grid_version_arrived(*, version: GridVersion) -> None:
            # Every criterion may have moved: the nightly job's full recompute, now.
            syntheses_recompute_all_enqueue()

        # Criteria is the floor below and never imports syntheses: it calls these hooks.
        register_criteria_changed(syntheses_mark_changed)
        register_grid_version_arrived(grid_version_arrived)
        _follow_territories()
        # People follow synthesis scopes (notifications engine): new figures are a change.
        register_followable(SCOPE_FOLLOWABLE)


def _follow_territories() -> None:
    """Territories is the floor below and never imports syntheses: it calls these hooks."""
    from syntheses.models import Scope
    from syntheses.services import places_of, scopes_mark, syntheses_mark_changed
    from territories.hooks import (
        register_group_places_changed,
        register_group_visibility_changed,
        register_homogeneous_group_changed,
    )
    from territories.models import CoordinationGroup, HomogeneousGroup

    def group_places_changed(
        *, group: CoordinationGroup, region_id_before: int | None, locality_id_before: int | None
    ) -> None:
        # The group's criteria leave the places it was in and join the new ones.
        before = [(Scope.LOCALITY, locality_id_before), (Scope.REGION, region_id_before)]
        scopes_mark([(scope, pk) for scope, pk in before if pk] + places_of(group))

    def group_visibility_changed(*, group: CoordinationGroup) -> None:
        # The places above the group count its criteria only while it is visible.
        syntheses_mark_changed(tenant=group, groups=[])

    def homogeneous_group_changed(
        *, tenant: CoordinationGroup, homogeneous_group: HomogeneousGroup, fields: frozenset[str]
    ) -> None:
        # Syntheses count by profile and add up participants.
        if {"profile", "participants"} & fields:
            syntheses_mark_changed(tenant=tenant, groups=[homogeneous_group])

    register_group_places_changed(group_places_changed)
    register_group_visibility_changed(group_visibility_changed)
    register_homogeneous_group_changed(homogeneous_group_changed)
