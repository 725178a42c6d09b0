"""manage.py prune_retention [--dry-run]: delete audit events and answer history past their retention."""

from django.core.management.base import BaseCommand

from assessments.terms.retention import retention_plan, retention_prune

SHOWN = 50  # rows listed per kind in a dry run


class Command(BaseCommand):
    help = (
        "Delete audit events older than AUDIT_RETENTION_DAYS and answer history older than "
        "RESPONSE_HISTORY_RETENTION_DAYS (the scheduled task does the same daily). --dry-run lists them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be deleted, delete nothing"
        )

    def handle(self, *args, dry_run, **options):
        plan = retention_plan()
        if not dry_run:
            record = retention_prune()
            for label, n in record.counts.items():
                self.stdout.write(f"{label}: {n} deleted")
            return
        self.stdout.write("Dry run: nothing is deleted.")
        sections = [
            (
                "Audit events",
                plan.audit_cutoff,
                plan.audit_events,
                lambda e: f"{e.created_at:%Y-%m-%d %H:%M} {e.get_kind_display()} {e.actor_label}".rstrip(),
            ),
            (
                "Answer history",
                plan.history_cutoff,
                plan.response_changes.select_related("response__indicator", "response__assessment"),
                lambda c: f"{c.changed_at:%Y-%m-%d %H:%M} change v{c.version} of answer {c.response_id}",
            ),
        ]
        for title, cutoff, queryset, describe in sections:
            total = queryset.count()
            self.stdout.write(f"{title} before {cutoff:%Y-%m-%d %H:%M}: {total} would be deleted")
            for row in queryset[:SHOWN]:
                self.stdout.write(f"  #{row.pk} {describe(row)}")
            if total > SHOWN:
                self.stdout.write(f"  ... and {total - SHOWN} more")
