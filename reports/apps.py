from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Benchmarks and scorecards"

    def ready(self):
        # Wrong anonymity minimums would show members figures that single out a peer: refuse to start.
        from .disclosure import validate_settings

        validate_settings()
