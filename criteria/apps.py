from django.apps import AppConfig


class CriteriaConfig(AppConfig):
    name = "criteria"

    def ready(self) -> None:
        from criteria import jobs  # noqa: F401  (registers the import job)
