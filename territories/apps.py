from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerritoriesConfig(AppConfig):
    name = "territories"
    verbose_name = _("Territories")

    def ready(self) -> None:
        from territories.permissions import coordination_group_space_roles
        from territories.services.invitations import GROUP_INVITATIONS
        from wikispiral.invitations import register_kind
        from wikispiral.wiki.models import Space
        from wikispiral.wiki.permissions import register_space_roles

        register_space_roles(Space.Kind.COORDINATION_GROUP, coordination_group_space_roles)
        register_kind(GROUP_INVITATIONS)
