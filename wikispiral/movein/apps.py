from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MoveInConfig(AppConfig):
    name = "wikispiral.movein"
    label = "movein"
    verbose_name = _("Moving in from Tiki")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wikispiral.movein import jobs  # noqa: F401  (registers the job kind)
