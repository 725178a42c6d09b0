"""E-mail about assessments, sent after the transaction commits: a rolled-back change e-mails no one."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from ..models import Assessment, Membership, Role


def _emails(organization_id: int, roles) -> list[str]:
    return list(
        Membership.objects.filter(organization_id=organization_id, role__in=roles, user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )


def _unique_sorted(addresses) -> list[str]:
    return sorted({a.strip().lower(): a.strip() for a in addresses if a and a.strip()}.values())


def _overview_url(assessment: Assessment) -> str:
    path = reverse("assessments:overview", args=[assessment.organization.slug, assessment.cycle.slug])
    return settings.SITE_URL + path


def _send(template: str, subject: str, recipients: list[str], context: dict) -> None:
    if recipients:
        send_mail(
            subject,
            render_to_string(template, context),
            settings.DEFAULT_FROM_EMAIL,
            recipients,
        )


def _load_for_mail(assessment_id: int) -> Assessment:
    return Assessment.objects.select_related("organization", "cycle", "submitted_by", "reviewed_by").get(
        pk=assessment_id
    )


def _notify_submitted(assessment_id: int) -> None:
    from ..review.selectors import latest_attestation  # the review package reads assessments' selectors

    assessment = _load_for_mail(assessment_id)
    attestation = latest_attestation(assessment)
    context = {"assessment": assessment, "attestation": attestation, "url": _overview_url(assessment)}
    org_recipients = _unique_sorted(
        [
            assessment.submitted_by.email if assessment.submitted_by else "",
            attestation.requested_by.email if attestation and attestation.requested_by else "",
            *_emails(assessment.organization_id, [Role.ORG_ADMIN]),
        ]
    )
    _send(
        "emails/assessment_submitted.txt",
        f"{assessment.organization.name}: {assessment.cycle.name} assessment received",
        org_recipients,
        context,
    )
    context["url"] = settings.SITE_URL + reverse("assessments:nam_review", args=[assessment.pk])
    _send(
        "emails/assessment_submitted_nam.txt",
        f"New submission to review: {assessment.organization.name} ({assessment.cycle.name})",
        _unique_sorted(settings.NAM_NOTIFY_EMAILS),
        context,
    )


def _notify_reviewed(assessment_id: int, outcome: str) -> None:
    assessment = _load_for_mail(assessment_id)
    subject = {
        "returned": f"{assessment.organization.name}: your {assessment.cycle.name} assessment needs changes",
        "validated": f"{assessment.organization.name}: your {assessment.cycle.name} assessment is validated",
    }[outcome]
    _send(
        f"emails/assessment_{outcome}.txt",
        subject,
        _unique_sorted(_emails(assessment.organization_id, [Role.ASSESSOR, Role.ORG_ADMIN])),
        {"assessment": assessment, "url": _overview_url(assessment)},
    )


def _load_attestation(attestation_id: int):
    from ..review.models import Attestation

    return Attestation.objects.select_related(
        "assessment__organization", "assessment__cycle", "requested_by", "executive"
    ).get(pk=attestation_id)


def notify_attestation_requested(attestation_id: int) -> None:
    """To the organization's executives: an assessment waits for their attestation."""
    attestation = _load_attestation(attestation_id)
    assessment = attestation.assessment
    path = reverse("assessments:attest", args=[assessment.organization.slug, assessment.cycle.slug])
    _send(
        "emails/attestation_requested.txt",
        f"{assessment.organization.name}: the {assessment.cycle.name} assessment awaits your attestation",
        _unique_sorted(_emails(assessment.organization_id, [Role.EXECUTIVE])),
        {"attestation": attestation, "assessment": assessment, "url": settings.SITE_URL + path},
    )


def notify_sent_back(attestation_id: int) -> None:
    """To the assessors: the executive sent the assessment back with a note."""
    attestation = _load_attestation(attestation_id)
    assessment = attestation.assessment
    _send(
        "emails/attestation_sent_back.txt",
        f"{assessment.organization.name}: your executive sent the {assessment.cycle.name} assessment back",
        _unique_sorted(
            [
                attestation.requested_by.email if attestation.requested_by else "",
                *_emails(assessment.organization_id, [Role.ASSESSOR]),
            ]
        ),
        {"attestation": attestation, "assessment": assessment, "url": _overview_url(assessment)},
    )
