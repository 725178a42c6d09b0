"""NAM staff's export of who attested each assessment of a cycle, when, and what they saw."""

from assessments.models import Assessment
from assessments.review.models import Attestation

from ..selectors import organizations_filtered
from .tabular import Table

ATTESTATION_HEADER = [
    "Organization",
    "Status",
    "Attested by",
    "Attested at",
    "Asked for by",
    "Answers SHA-256",
    "Warnings seen",
    "Unconfirmed carried-over answers seen",
    "Open review threads seen",
    "Typed affirmation (before attestation existed)",
]


def attestations_table(*, cycle, filters: dict | None = None) -> Table:
    """One row per assessment of the cycle: its latest attestation (empty when none)."""
    assessments = (
        Assessment.objects.filter(cycle=cycle, organization__in=organizations_filtered(filters))
        .select_related("organization")
        .order_by("organization__name")
    )
    latest = {}
    for attestation in (
        Attestation.objects.filter(assessment__in=assessments, status=Attestation.Status.ATTESTED)
        .select_related("requested_by")
        .order_by("decided_at", "pk")
    ):
        latest[attestation.assessment_id] = attestation  # the last one wins
    rows = []
    for assessment in assessments:
        attestation = latest.get(assessment.pk)
        seen = attestation.seen if attestation else {}
        typed = f"{assessment.affirmed_name}, {assessment.affirmed_title}" if assessment.affirmed_name else ""
        rows.append(
            [
                assessment.organization.name,
                assessment.get_status_display(),
                attestation.executive_name if attestation else "",
                attestation.decided_at.isoformat() if attestation else "",
                (attestation.requested_by.get_username() if attestation and attestation.requested_by else ""),
                attestation.answers_sha256 if attestation else "",
                len(seen.get("warnings", [])) if attestation else "",
                len(seen.get("unconfirmed", [])) if attestation else "",
                len(seen.get("open_threads", [])) if attestation else "",
                typed,
            ]
        )
    return Table(header=ATTESTATION_HEADER, rows=rows, title="Attestations")
