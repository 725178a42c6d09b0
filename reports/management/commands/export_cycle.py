"""Export a cycle's benchmarks or identified responses to a CSV or XLSX file (for NAM staff)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.audit import audit_record
from assessments.models import AssessmentCycle, AuditEvent
from reports.exporters import benchmarks, tabular


class Command(BaseCommand):
    help = "Export a cycle's peer-group benchmarks or every response, as CSV or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("--cycle", required=True, help='The cycle name, such as "2026".')
        parser.add_argument("--what", required=True, choices=["responses", "benchmarks"])
        parser.add_argument("--format", required=True, choices=sorted(tabular.CONTENT_TYPES))
        parser.add_argument("--out", required=True, help="The file to write.")

    def handle(self, *, cycle, what, out, **options):
        fmt = options["format"]
        found = AssessmentCycle.objects.filter(name=cycle).first()
        if found is None:
            names = ", ".join(AssessmentCycle.objects.order_by("-opens_on").values_list("name", flat=True))
            raise CommandError(f"No cycle named {cycle!r}. Cycles: {names or 'none yet'}.")
        path = Path(out)
        if not path.parent.is_dir():
            raise CommandError(f"The folder {path.parent} does not exist.")
        make_table = benchmarks.benchmarks_table if what == "benchmarks" else benchmarks.responses_table
        rows = []
        table = make_table(cycle=found)
        # Count the rows as they stream past, without holding them twice.
        counted = tabular.Table(header=table.header, rows=_counting(table.rows, rows), title=table.title)
        path.write_bytes(benchmarks.render(counted, fmt))
        audit_record(
            kind=AuditEvent.Kind.EXPORT,
            actor_label="manage.py export_cycle",
            detail=f"{what} of cycle {found.name} as {fmt.upper()} to {path}",
        )
        self.stdout.write(f"Wrote {len(rows)} {what} rows of cycle {found.name} to {path}.")


def _counting(rows, counter: list):
    for row in rows:
        counter.append(None)
        yield row
