from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WikiConfig(AppConfig):
    name = "wikispiral.wiki"
    label = "wiki"
    verbose_name = _("Wiki")

    def ready(self) -> None:
        from wikispiral.wiki import jobs  # noqa: F401  (registers the search index job)
