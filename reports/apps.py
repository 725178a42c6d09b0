from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Benchmarks and scorecards"

    def ready(self):
        # Keeps the benchmark table in step with assessments' results (its receivers connect on import).
        from . import benchmark_scores  # noqa: F401
