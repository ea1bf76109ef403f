"""Following and notifications (engine floor): a person follows a page, a coordination group,
a synthesis scope, an action or an event; each floor records what changed through
`change_record()` and registers its kinds of followable things (their titles, addresses and
who may see them); people see their notifications on the site and get an e-mail digest
(immediately, daily or weekly) built by a durable job, with a one-click unsubscribe."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "wikispiral.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from wikispiral.notifications import jobs  # noqa: F401  (registers the digest jobs)
        from wikispiral.notifications.letter import LETTER
        from wikispiral.notifications.registry import register_followable

        # The floors above register theirs (pages, groups, events, scopes, actions) in theirs.
        register_followable(LETTER)
