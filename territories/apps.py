from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerritoriesConfig(AppConfig):
    name = "territories"
    verbose_name = _("Territories")

    def ready(self) -> None:
        # The events' reminders job, and the Celery task beat sends for it (Celery's
        # autodiscovery reads territories/tasks.py only).
        from territories.events import jobs as event_jobs  # noqa: F401
        from territories.events import tasks as event_tasks  # noqa: F401
        from territories.events.follow import EVENTS
        from territories.followables import GROUP_FOLLOWABLE, coordination_group_space_members
        from territories.letters import jobs as letter_jobs  # noqa: F401  (the letter's job)
        from territories.permissions import coordination_group_space_roles
        from territories.services.invitations import GROUP_INVITATIONS
        from wikispiral.invitations import register_kind
        from wikispiral.notifications.registry import register_followable
        from wikispiral.wiki.models import Space
        from wikispiral.wiki.permissions import register_space_members, register_space_roles

        register_space_roles(Space.Kind.COORDINATION_GROUP, coordination_group_space_roles)
        register_kind(GROUP_INVITATIONS)
        register_followable(EVENTS)
        register_followable(GROUP_FOLLOWABLE)
        register_space_members(Space.Kind.COORDINATION_GROUP, coordination_group_space_members)
