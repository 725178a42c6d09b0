"""`manage.py publish_benchmarks --cycle NAME [--include submitted|validated]`: publish a cycle's next
benchmark release (reports/services/releases.py), as NAM staff do from the cycle page.

`--all-cycles --if-none` publishes a first release of every cycle that has none (make run, after seed_demo:
the demo shows peer figures); a cycle whose release is refused is reported and skipped."""

from django.core.management.base import BaseCommand, CommandError

from assessments.models import AssessmentCycle
from reports.services.releases import ReleaseRefused, default_inclusion, release_publish


class Command(BaseCommand):
    help = "Publish the next benchmark release of a cycle (refused when too few results changed)."

    def add_arguments(self, parser):
        parser.add_argument("--cycle", help="The cycle's name or slug, e.g. 2026.")
        parser.add_argument("--all-cycles", action="store_true", help="Every cycle (with --if-none).")
        parser.add_argument("--if-none", action="store_true", help="Only cycles without any release yet.")
        parser.add_argument(
            "--include",
            choices=["validated", "submitted"],
            default=None,
            help="Which results count (default: BENCHMARK_INCLUDE_SUBMITTED's choice).",
        )

    def handle(self, *args, cycle, all_cycles, if_none, include, **options):
        if all_cycles:
            cycles = AssessmentCycle.objects.order_by("opens_on")
        elif cycle:
            found = AssessmentCycle.objects.filter(name=cycle).first()
            found = found or AssessmentCycle.objects.filter(slug=cycle).first()
            if found is None:
                names = ", ".join(
                    AssessmentCycle.objects.order_by("-opens_on").values_list("name", flat=True)
                )
                raise CommandError(f"No cycle named {cycle!r}. Cycles: {names or 'none yet'}.")
            cycles = [found]
        else:
            raise CommandError("Say which cycle: --cycle NAME, or --all-cycles.")
        for each in cycles:
            if if_none and each.benchmark_releases.exists():
                continue
            try:
                release = release_publish(cycle=each, inclusion=include or default_inclusion())
            except ReleaseRefused as refused:
                if all_cycles:
                    self.stdout.write(f"{each.name}: {refused.messages[0]}")
                    continue
                raise CommandError(refused.messages[0]) from refused
            self.stdout.write(
                f"{release.description}; {release.n_added} added, {release.n_changed} changed, "
                f"{release.n_withdrawn} withdrawn."
            )
