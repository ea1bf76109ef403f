from django.apps import AppConfig


class SynthesesConfig(AppConfig):
    name = "syntheses"
