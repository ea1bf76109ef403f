from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "wikispiral.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        # The engine's own kinds (mail); the apps above register theirs in their ready().
        from wikispiral.jobs import mail  # noqa: F401
