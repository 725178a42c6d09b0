"""The submission path of tests: the assessor asks for attestation, the executive attests (submits)."""

from django.contrib.auth import get_user_model

from assessments.models import Membership, Role
from assessments.review.selectors import answers_sha256
from assessments.services.submission import assessment_attest, assessment_request_attestation


def executive_of(organization):
    """The organization's executive: the first one, or a new member named "<slug>.executive"."""
    membership = Membership.objects.filter(organization=organization, role=Role.EXECUTIVE).first()
    if membership is not None:
        return membership.user
    user = get_user_model().objects.create_user(
        username=f"{organization.slug}.executive",
        email=f"{organization.slug}.executive@example.org",
        first_name="Dana",
        last_name="Whitfield",
    )
    Membership.objects.create(user=user, organization=organization, role=Role.EXECUTIVE)
    return user


def submit_attested(assessment, assessor, executive=None):
    """Ask for attestation as `assessor`, attest as the executive; returns the attestation."""
    executive = executive or executive_of(assessment.organization)
    assessment_request_attestation(assessment=assessment, user=assessor)
    return assessment_attest(assessment=assessment, user=executive, answers_sha256=answers_sha256(assessment))


def attest_as_executive(assessment, executive=None):
    """The executive attests an assessment that awaits attestation; returns the attestation."""
    executive = executive or executive_of(assessment.organization)
    return assessment_attest(assessment=assessment, user=executive, answers_sha256=answers_sha256(assessment))
