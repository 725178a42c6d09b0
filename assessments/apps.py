from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Organizations and assessments"

    def ready(self):
        from . import signals  # noqa: F401  (connects the audit receivers)
        from .signin import receivers  # noqa: F401  (second-factor events)
