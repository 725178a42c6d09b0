"""`manage.py refresh_benchmarks`: rebuild the benchmark table from every result's responses.

The portal keeps the table up to date by itself (reports/benchmark_scores.py); this is for data changed
outside it: a restore into a database without the table, responses edited in the Django admin, SQL by hand.
"""

from django.core.management.base import BaseCommand

from reports.benchmark_scores import refresh_all


class Command(BaseCommand):
    help = "Recompute every submitted and validated assessment's benchmark scores."

    def handle(self, *args, **options):
        written = refresh_all()
        self.stdout.write(f"Benchmark scores rebuilt: {written} rows.")
