from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Together let's learn to make the right choices")

    def ready(self) -> None:
        from projects import jobs  # noqa: F401  (registers the summaries job)
        from projects.permissions import participant_space_roles
        from projects.services import territory_visibility_follow
        from projects.services.invitations import PARTICIPANT_INVITATIONS
        from territories.hooks import register_group_visibility_changed
        from wikispiral.invitations import register_kind
        from wikispiral.wiki.models import Space
        from wikispiral.wiki.permissions import register_space_roles

        register_space_roles(Space.Kind.PARTICIPANT, participant_space_roles)
        # A territorial entity follows its coordination group when the secretariat hides it.
        register_group_visibility_changed(territory_visibility_follow)
        register_kind(PARTICIPANT_INVITATIONS)
