from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Together let's learn to make the right choices")

    def ready(self) -> None:
        from projects import jobs  # noqa: F401  (registers the summaries job)
        from projects.evaluations import jobs as evaluation_jobs  # noqa: F401
        from projects.evaluations.rollup import (
            evaluations_follow_places,
            evaluations_follow_visibility,
        )
        from projects.followables import ACTION_FOLLOWABLE, participant_space_members
        from projects.highlights import group_progress_facts
        from projects.impact import jobs as impact_jobs  # noqa: F401
        from projects.indicators.views import synthesis_scope_links
        from projects.permissions import participant_space_roles
        from projects.services import territory_visibility_follow
        from projects.services.invitations import PARTICIPANT_INVITATIONS
        from syntheses.hooks import register_scope_links
        from territories.hooks import (
            register_group_page_facts,
            register_group_places_changed,
            register_group_visibility_changed,
        )
        from wikispiral.invitations import register_kind
        from wikispiral.notifications.registry import register_followable
        from wikispiral.wiki.models import Space
        from wikispiral.wiki.permissions import register_space_members, register_space_roles

        register_space_roles(Space.Kind.PARTICIPANT, participant_space_roles)
        # A territorial entity follows its coordination group when the secretariat hides it.
        register_group_visibility_changed(territory_visibility_follow)
        # Evaluations add up over places, as syntheses do: they follow the groups' moves.
        register_group_places_changed(evaluations_follow_places)
        register_group_visibility_changed(evaluations_follow_visibility)
        register_group_page_facts(group_progress_facts)
        # A coordination group's synthesis page leads on to its progress indicators.
        register_scope_links(synthesis_scope_links)
        register_kind(PARTICIPANT_INVITATIONS)
        # People follow co-responsibility actions (notifications engine).
        register_followable(ACTION_FOLLOWABLE)
        register_space_members(Space.Kind.PARTICIPANT, participant_space_members)
