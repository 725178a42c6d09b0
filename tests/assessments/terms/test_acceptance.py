"""Accepting the participation terms, and the submission check (terms_block_reason)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assessments.models import Assessment
from assessments.services.submission import assessment_request_attestation
from assessments.terms.models import TermsAcceptance
from assessments.terms.services import terms_accept, terms_block_reason
from tests import factories as f
from tests.assessments.review.helpers import attest_as_executive, executive_of

pytestmark = pytest.mark.django_db


def _acceptances():
    return list(
        TermsAcceptance.objects.values_list("organization_id", "terms_id", "accepted_by_id", "accepted_at")
    )


def _submit(assessment, user):
    """The assessor finishes (asks for attestation) and the executive attests, which submits."""
    executive = executive_of(assessment.organization)
    assessment_request_attestation(assessment=assessment, user=user)
    attest_as_executive(assessment, executive)
    assessment.refresh_from_db()
    return assessment


@pytest.fixture
def complete_a(cycle, org_a):
    return f.answer_all(f.AssessmentFactory(organization=org_a, cycle=cycle), 3)


def test_no_terms_loaded_nothing_to_accept(org_a):
    assert terms_block_reason(org_a) == ""


def test_an_admin_accepts_the_current_version(terms, org_a, admin_a):
    acceptance = terms_accept(organization=org_a, terms=terms, user=admin_a)
    assert (acceptance.organization, acceptance.terms, acceptance.accepted_by) == (org_a, terms, admin_a)
    assert acceptance.accepted_by_label == "adam"
    assert (
        acceptance.text_sha256
        == terms.sha256
        == __import__("hashlib").sha256(terms.text.encode()).hexdigest()
    )
    assert terms_block_reason(org_a) == ""


@pytest.mark.parametrize("who", ["assessor_a", "executive_a", "assessor_b", "nam_staff"])
def test_only_an_admin_of_the_organization_accepts(who, terms, org_a, request):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied) as error:
        terms_accept(organization=org_a, terms=terms, user=user)
    assert str(error.value) == (
        "Only an organization admin can accept the participation terms for the organization; "
        "nothing was recorded."
    )
    assert _acceptances() == []


def test_an_old_version_cannot_be_accepted(terms, load_version, org_a, admin_a):
    newer = load_version("2027.1")
    with pytest.raises(ValidationError) as error:
        terms_accept(organization=org_a, terms=terms, user=admin_a)
    assert error.value.messages == [
        "Version 2026.1 is not the current version of the participation terms: "
        "the version in effect is 2027.1. Nothing was recorded."
    ]
    assert _acceptances() == []
    terms_accept(organization=org_a, terms=newer, user=admin_a)
    assert TermsAcceptance.objects.get().terms == newer


def test_accepting_twice_says_so_and_changes_nothing(terms, org_a, admin_a):
    terms_accept(organization=org_a, terms=terms, user=admin_a)
    before = _acceptances()
    with pytest.raises(ValidationError) as error:
        terms_accept(organization=org_a, terms=terms, user=admin_a)
    assert "Alpha Regional Hospital accepted version 2026.1 already, on" in error.value.messages[0]
    assert error.value.messages[0].endswith("(adam). Nothing was changed.")
    assert _acceptances() == before


def test_a_version_not_yet_in_effect_is_not_current(terms, load_version, org_a, admin_a):
    load_version("2099.1", effective="2099-01-01")
    assert terms_block_reason(org_a).startswith(
        "Alpha Regional Hospital has not accepted the participation terms (2026.1)"
    )


def test_submission_is_refused_until_the_terms_are_accepted(terms, complete_a, org_a, admin_a, assessor_a):
    with pytest.raises(ValidationError) as error:
        _submit(complete_a, assessor_a)
    assert error.value.messages == [
        "Alpha Regional Hospital has not accepted the participation terms (2026.1): an organization admin "
        "must accept them on the Participation terms page before the assessment can be submitted. "
        "Nothing was submitted."
    ]
    complete_a.refresh_from_db()
    assert (complete_a.status, complete_a.submitted_at, complete_a.affirmed_name) == ("draft", None, "")
    terms_accept(organization=org_a, terms=terms, user=admin_a)
    assert _submit(complete_a, assessor_a).status == Assessment.Status.SUBMITTED


def test_a_new_version_must_be_accepted_before_the_next_submission(
    terms, load_version, cycle, org_a, admin_a
):
    terms_accept(organization=org_a, terms=terms, user=admin_a)
    load_version("2027.1")
    assert terms_block_reason(org_a) == (
        "Alpha Regional Hospital has not accepted a new version of the participation terms (2027.1): an "
        "organization admin must accept them on the Participation terms page before the assessment can be "
        "submitted. Nothing was submitted."
    )
