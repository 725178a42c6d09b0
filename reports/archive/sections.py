"""What an organization's data archive holds, one section per kind of data.

Each section is a function (organization, writer) that adds its files; SECTIONS is the list the builder
runs, in order, and counts for progress. A new kind of data (evidence documents) is one more function
appended to SECTIONS.
"""

from collections.abc import Callable
from dataclasses import dataclass

from assessments.evidence.archive import safe_part, unique_name
from assessments.evidence.models import evidence_storage
from assessments.evidence.selectors import zip_entries
from assessments.models import (
    Assessment,
    AuditEvent,
    ComplianceAnswer,
    Invitation,
    Membership,
    Organization,
    ResponseChange,
)
from assessments.terms.models import TermsAcceptance, Withdrawal
from reports.exporters.assessment import assessment_table
from reports.exporters.tabular import Table
from reports.models import Scorecard
from reports.plans.exporters import plan_table
from reports.plans.models import CommitmentTarget, ImprovementAction

from .writer import ArchiveWriter


@dataclass(frozen=True)
class Section:
    title: str
    build: Callable[[Organization, ArchiveWriter], None]


def _iso(moment) -> str:
    return moment.isoformat() if moment else ""


def _user(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def organization_section(organization: Organization, writer: ArchiveWriter) -> None:
    o = organization
    writer.add_table(
        "organization",
        Table(
            header=[
                "Name",
                "Slug",
                "Type",
                "Size",
                "State",
                "Region",
                "Ownership",
                "Teaching",
                "Rural",
                "Parent",
                "Created",
            ],
            rows=[
                [
                    o.name,
                    o.slug,
                    o.get_org_type_display(),
                    o.get_size_band_display(),
                    o.state,
                    o.get_region_display(),
                    o.get_ownership_display(),
                    o.is_teaching,
                    o.is_rural,
                    o.parent.name if o.parent else "",
                    _iso(o.created_at),
                ]
            ],
            title="Organization",
        ),
    )
    acceptances = (
        TermsAcceptance.objects.filter(organization=o).select_related("terms").order_by("accepted_at")
    )
    writer.add_table(
        "terms_acceptances",
        Table(
            header=["Terms version", "Accepted at", "Accepted by", "SHA-256 of the text"],
            rows=[
                [a.terms.version, _iso(a.accepted_at), a.accepted_by_label, a.text_sha256]
                for a in acceptances
            ],
            title="Terms acceptances",
        ),
    )
    withdrawal = Withdrawal.objects.filter(organization=o).first()
    if withdrawal is not None:
        writer.add_table(
            "withdrawal",
            Table(
                header=["Asked at", "Asked by", "Reason", "Confirmed at"],
                rows=[
                    [
                        _iso(withdrawal.requested_at),
                        withdrawal.requested_by_label,
                        withdrawal.reason,
                        _iso(withdrawal.confirmed_at),
                    ]
                ],
                title="Withdrawal",
            ),
        )


def members_section(organization: Organization, writer: ArchiveWriter) -> None:
    members = (
        Membership.objects.filter(organization=organization).select_related("user").order_by("user__username")
    )
    writer.add_table(
        "members",
        Table(
            header=["Username", "Name", "E-mail", "Role", "Member since"],
            rows=[
                [
                    m.user.get_username(),
                    m.user.get_full_name(),
                    m.user.email,
                    m.get_role_display(),
                    _iso(m.created_at),
                ]
                for m in members
            ],
            title="Members",
        ),
    )
    invitations = Invitation.objects.filter(organization=organization).order_by("created_at")
    writer.add_table(
        "invitations",
        Table(
            header=["E-mail", "Role", "Sent", "Accepted", "Revoked"],
            rows=[
                [i.email, i.get_role_display(), _iso(i.sent_at), _iso(i.accepted_at), _iso(i.revoked_at)]
                for i in invitations
            ],
            title="Invitations",
        ),
    )


def _assessments(organization):
    return list(
        Assessment.objects.filter(organization=organization)
        .select_related("cycle__rubric", "organization", "submitted_by", "reviewed_by")
        .order_by("cycle__opens_on")
    )


def assessments_section(organization: Organization, writer: ArchiveWriter) -> None:
    assessments = _assessments(organization)
    writer.add_table(
        "assessments",
        Table(
            header=[
                "Cycle",
                "Rubric",
                "Status",
                "Submitted at",
                "Submitted by",
                "Affirmed by",
                "Affirmed title",
                "Reviewed at",
                "Reviewed by",
                "Reviewer comment",
            ],
            rows=[
                [
                    a.cycle.name,
                    a.cycle.rubric.version,
                    a.get_status_display(),
                    _iso(a.submitted_at),
                    _user(a.submitted_by),
                    a.affirmed_name,
                    a.affirmed_title,
                    _iso(a.reviewed_at),
                    _user(a.reviewed_by),
                    a.reviewer_comment,
                ]
                for a in assessments
            ],
            title="Assessments",
        ),
    )
    for assessment in assessments:
        folder = f"assessments/{assessment.cycle.slug}"
        writer.add_table(f"{folder}/responses", assessment_table(assessment))
        changes = (
            ResponseChange.objects.filter(response__assessment=assessment)
            .select_related("response__indicator", "changed_by")
            .order_by("changed_at", "pk")
        )
        writer.add_table(
            f"{folder}/history",
            Table(
                header=["Indicator code", "Changed at", "Changed by", "Version", "Old values", "New values"],
                rows=[
                    [
                        c.response.indicator.code,
                        _iso(c.changed_at),
                        _user(c.changed_by),
                        c.version,
                        _json(c.old_values),
                        _json(c.new_values),
                    ]
                    for c in changes
                ],
                title=f"History {assessment.cycle.name}",
            ),
        )
        compliance = ComplianceAnswer.objects.filter(assessment=assessment).select_related("item")
        writer.add_table(
            f"{folder}/legal_requirements",
            Table(
                header=["Code", "Requirement", "Status", "Note", "Updated at"],
                rows=[
                    [c.item.code, c.item.title, c.get_status_display(), c.note, _iso(c.updated_at)]
                    for c in compliance
                ],
                title=f"Legal requirements {assessment.cycle.name}",
            ),
        )


def _json(values) -> str:
    import json

    return json.dumps(values, sort_keys=True, ensure_ascii=False)


def plans_section(organization: Organization, writer: ArchiveWriter) -> None:
    cycles = {
        t.cycle for t in CommitmentTarget.objects.filter(organization=organization).select_related("cycle")
    }
    cycles |= {
        a.cycle for a in ImprovementAction.objects.filter(organization=organization).select_related("cycle")
    }
    for cycle in sorted(cycles, key=lambda c: c.opens_on):
        writer.add_table(f"plans/{cycle.slug}", plan_table(organization=organization, cycle=cycle))


def scorecards_section(organization: Organization, writer: ArchiveWriter) -> None:
    """The latest ready scorecard PDF of each submitted assessment; one rendered now where there is none."""
    from reports.exporters.scorecard import scorecard_document, scorecard_pdf

    for assessment in _assessments(organization):
        if assessment.status not in (Assessment.Status.SUBMITTED, Assessment.Status.VALIDATED):
            continue
        name = f"scorecards/{assessment.cycle.slug}.pdf"
        ready = (
            Scorecard.objects.filter(assessment=assessment, status=Scorecard.Status.READY)
            .exclude(file="")
            .order_by("-finished_at", "-pk")
            .first()
        )
        if ready is not None and ready.file.storage.exists(ready.file.name):
            with ready.file.open("rb") as pdf_file:
                writer.add_file(name, pdf_file.read())
            continue
        try:
            content = scorecard_pdf(scorecard_document(assessment=assessment, peer_group="all"))
        except Exception as exc:  # a scorecard that cannot be drawn must not lose the rest of the archive
            writer.note(
                f"The {assessment.cycle.name} scorecard could not be rendered ({exc}); "
                "request it on the scorecards page."
            )
        else:
            writer.add_file(name, content)


def evidence_section(organization: Organization, writer: ArchiveWriter) -> None:
    """Every evidence file of every assessment, in a folder per cycle and indicator (issue 18's documents)."""
    storage = evidence_storage()
    for assessment in _assessments(organization):
        taken: dict[str, set[str]] = {}
        for code, document in zip_entries(assessment):
            folder = f"evidence/{assessment.cycle.slug}/{safe_part(code, 'indicator')}"
            name = unique_name(
                safe_part(document.original_name, f"document-{document.pk}"), taken.setdefault(folder, set())
            )
            with storage.open(document.stored_name, "rb") as source:
                writer.add_stream(
                    f"{folder}/{name}", source, f"evidence file of {code}, {assessment.cycle.name}"
                )


def audit_section(organization: Organization, writer: ArchiveWriter) -> None:
    events = AuditEvent.objects.filter(organization=organization).order_by("created_at", "pk")
    writer.add_table(
        "audit_events",
        Table(
            header=["At", "Event", "Who", "Address", "Detail"],
            rows=[
                [_iso(e.created_at), e.get_kind_display(), e.actor_label, e.ip_address or "", e.detail]
                for e in events.iterator()
            ],
            title="Audit events",
        ),
    )


SECTIONS: list[Section] = [
    Section("Organization, terms acceptances and withdrawal", organization_section),
    Section("Members and roles", members_section),
    Section("Assessments with their history", assessments_section),
    Section("Improvement plans", plans_section),
    Section("Scorecards (PDF)", scorecards_section),
    Section("Evidence files", evidence_section),
    Section("Audit events about the organization", audit_section),
]
