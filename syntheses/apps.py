from django.apps import AppConfig


class SynthesesConfig(AppConfig):
    name = "syntheses"

    def ready(self) -> None:
        from syntheses import jobs  # noqa: F401  (registers the recompute and report jobs)
