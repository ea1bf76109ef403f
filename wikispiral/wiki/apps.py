from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WikiConfig(AppConfig):
    name = "wikispiral.wiki"
    label = "wiki"
    verbose_name = _("Wiki")

    def ready(self) -> None:
        from wikispiral.notifications.registry import register_followable
        from wikispiral.wiki import jobs  # noqa: F401  (registers the search index job)
        from wikispiral.wiki.followables import PAGE_FOLLOWABLE

        # People follow pages (notifications engine); every revision records a change.
        register_followable(PAGE_FOLLOWABLE)
