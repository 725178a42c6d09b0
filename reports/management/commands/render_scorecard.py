"""Render one scorecard PDF synchronously, for operators: no worker, no broker, nothing stored."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.models import Assessment, AssessmentCycle, Organization
from reports.exporters import chart_svg
from reports.exporters import scorecard as scorecards
from reports.peer_groups import PeerGroup


class Command(BaseCommand):
    help = "Render an organization's scorecard for a cycle to a PDF file."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="The organization's slug.")
        parser.add_argument("--cycle", required=True, help='The cycle\'s name or slug, such as "2026".')
        parser.add_argument("--out", required=True, help="The PDF file to write.")
        parser.add_argument(
            "--peer-group",
            default=PeerGroup.ALL,
            choices=PeerGroup.values,
            help="The peer group to compare with (default: all).",
        )

    def handle(self, *args, org, cycle, out, peer_group, **options):
        organization = Organization.objects.filter(slug=org).first()
        if organization is None:
            raise CommandError(f"No organization with the slug {org!r}.")
        found = (
            AssessmentCycle.objects.filter(name=cycle).first()
            or AssessmentCycle.objects.filter(slug=cycle).first()
        )
        if found is None:
            names = ", ".join(AssessmentCycle.objects.values_list("name", flat=True)) or "none yet"
            raise CommandError(f"No cycle named {cycle!r} (cycles: {names}).")
        assessment = (
            Assessment.objects.filter(organization=organization, cycle=found)
            .select_related("organization", "cycle__rubric")
            .first()
        )
        if assessment is None:
            raise CommandError(f"{organization.name} has no assessment in the {found.name} cycle.")
        out_path = Path(out)
        if not out_path.parent.is_dir():
            raise CommandError(f"The folder {str(out_path.parent)!r} does not exist.")
        try:
            document = scorecards.scorecard_document(assessment=assessment, peer_group=peer_group)
            content = scorecards.scorecard_pdf(document)
        except scorecards.ScorecardUnavailable as exc:
            raise CommandError(exc.messages[0]) from None
        except chart_svg.ChromiumNotFound as exc:
            raise CommandError(str(exc)) from None
        out_path.write_bytes(content)
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {out_path} ({len(content) // 1024} KB): {organization.name}, {found.name}."
            )
        )
