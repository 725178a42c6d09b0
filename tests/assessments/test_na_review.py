"""N/A cannot raise a score unseen: NAM accepts or rejects each N/A reason at review; a rejected N/A
returns the assessment and the organization answers it again."""

import re
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments.models import Assessment, NaReview, Response
from assessments.services import workflow
from tests import factories as f

pytestmark = pytest.mark.django_db

REASON = "We provide no such service."  # tests/factories.answer_all's


def login(client, user):
    client.force_login(user, backend="assessments.backends.PortalBackend")
    return client


def text(response) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


@pytest.fixture
def submitted(cycle, org_a):
    """Alpha's assessment, submitted, with SAF-2 and SAF-3 marked N/A (answer_all's reason)."""
    levels = [3] * 30
    levels[4:6] = [None, None]
    return f.answer_all(f.AssessmentFactory(organization=org_a, cycle=cycle), levels, status="submitted")


def _na(assessment, code) -> Response:
    return Response.objects.get(assessment=assessment, indicator__code=code)


def test_the_review_form_lists_each_na_with_its_reason(client, submitted, nam_staff):
    page = text(login(client, nam_staff).get(reverse("assessments:nam_review", args=[submitted.pk])))
    assert "N/A reasons NAM does not accept" in page
    assert f"SAF-2 Safe indicator 2: “{REASON}”" in page
    assert f"SAF-3 Safe indicator 3: “{REASON}”" in page


def test_a_rejected_na_cannot_be_validated(client, submitted, nam_staff):
    saf2 = _na(submitted, "SAF-2")
    page = login(client, nam_staff).post(
        reverse("assessments:nam_review_decision", args=[submitted.pk]),
        {"decision": "validate", "rejected_na": [saf2.pk]},
    )
    assert "A rejected N/A returns the assessment: choose Return, or accept every N/A reason." in text(page)
    submitted.refresh_from_db()
    assert submitted.status == "submitted"
    assert _na(submitted, "SAF-2").na_review == NaReview.PENDING


def test_a_rejected_na_returns_the_assessment_and_the_organization_sees_why(
    client, submitted, nam_staff, assessor_a
):
    saf2 = _na(submitted, "SAF-2")
    login(client, nam_staff).post(
        reverse("assessments:nam_review_decision", args=[submitted.pk]),
        {"decision": "return", "rejected_na": [saf2.pk], "comment": "SAF-2 applies to every hospital."},
    )
    submitted.refresh_from_db()
    assert submitted.status == Assessment.Status.RETURNED
    assert [
        (r.indicator.code, r.na_review)
        for r in Response.objects.filter(assessment=submitted, not_applicable=True).order_by(
            "indicator__order"
        )
    ] == [
        ("SAF-2", "rejected"),
        ("SAF-3", ""),
    ]
    page = text(
        login(client, assessor_a).get(reverse("assessments:commitment", args=["alpha", "2026", "safe"]))
    )
    assert page.count("NAM did not accept this N/A reason at review") == 1

    # A new answer waits for the next review.
    workflow.responses_save(
        assessment=submitted,
        user=assessor_a,
        answers=[workflow.Answer(indicator_id=saf2.indicator_id, level=2, version=saf2.version)],
    )
    saf2.refresh_from_db()
    assert (saf2.level, saf2.not_applicable, saf2.na_review) == (2, False, NaReview.PENDING)


def test_validating_accepts_every_na_reason(submitted, nam_staff):
    workflow.assessment_validate(assessment=submitted, user=nam_staff)
    assert sorted(Response.objects.filter(assessment=submitted).values_list("na_review", flat=True)) == (
        [""] * 28 + ["accepted", "accepted"]
    )


def test_only_the_assessments_own_na_answers_can_be_rejected(submitted, nam_staff):
    level_answer = _na(submitted, "ENG-1")
    with pytest.raises(ValidationError) as excinfo:
        workflow.assessment_return(
            assessment=submitted, user=nam_staff, comment="Check ENG-1.", rejected_na=[level_answer.pk]
        )
    assert excinfo.value.messages == [
        "Only this assessment's N/A answers can be rejected; nothing was changed."
    ]
    submitted.refresh_from_db()
    assert submitted.status == "submitted"
