"""Legal requirements attested beside an assessment: yes / no / in progress, by type, never scored."""

import re
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments import selectors
from assessments.models import Assessment, ComplianceAnswer, OrgType
from assessments.services.compliance import compliance_answers_save
from commitments.loader import parse_file
from commitments.models import ComplianceItem
from commitments.services import rubric_load
from reports.scores import assessment_scores
from tests import factories as f

pytestmark = pytest.mark.django_db

RUBRICS = Path(settings.BASE_DIR) / "fixtures" / "rubric"


def login(client, user):
    client.force_login(user, backend="assessments.backends.PortalBackend")
    return client


def text(response) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


@pytest.fixture
def current(db):
    rubric_load(spec=parse_file(RUBRICS / "2026.1.yaml"), publish=True)
    rubric = rubric_load(spec=parse_file(RUBRICS / "2026.2.yaml"), publish=True).rubric
    return f.AssessmentCycleFactory(name="2026", rubric=rubric)


@pytest.fixture
def draft(current, org_a):
    return f.AssessmentFactory(organization=org_a, cycle=current)


def _item(code) -> ComplianceItem:
    return ComplianceItem.objects.get(rubric__version="2026.2", code=code)


def test_a_hospital_attests_seven_requirements_a_clinic_five(current, draft):
    clinic = f.OrganizationFactory(slug="bravo", org_type=OrgType.COMMUNITY_HEALTH_CENTER)
    clinic_draft = f.AssessmentFactory(organization=clinic, cycle=current)
    assert [r.item.code for r in selectors.compliance_rows(draft)] == [f"LAW-{n}" for n in range(1, 8)]
    assert [r.item.code for r in selectors.compliance_rows(clinic_draft)] == [
        "LAW-1",
        "LAW-2",
        "LAW-3",
        "LAW-5",
        "LAW-7",
    ]


def test_the_page_saves_answers_and_notes(client, draft, assessor_a):
    url = reverse("assessments:compliance", args=["alpha", "2026"])
    page = login(client, assessor_a).get(url)
    assert "LAW-1 A current, enterprise-wide HIPAA security risk analysis" in text(page)
    assert "not scored and not benchmarked" in text(page)
    law1, law4 = _item("LAW-1"), _item("LAW-4")
    saved = client.post(
        url,
        {
            f"status-{law1.pk}": "yes",
            f"status-{law4.pk}": "in_progress",
            f"note-{law4.pk}": " Posting in May. ",
        },
        follow=True,
    )
    assert "Legal requirements: saved (2 changed)." in text(saved)
    assert sorted(
        ComplianceAnswer.objects.filter(assessment=draft).values_list("item__code", "status", "note")
    ) == [
        ("LAW-1", "yes", ""),
        ("LAW-4", "in_progress", "Posting in May."),
    ]
    # Clearing an answer deletes it; the page keeps the other one.
    client.post(url, {f"status-{law4.pk}": "in_progress", f"note-{law4.pk}": "Posting in May."})
    assert list(ComplianceAnswer.objects.filter(assessment=draft).values_list("item__code", flat=True)) == [
        "LAW-4"
    ]


def test_a_bad_answer_changes_nothing(client, draft, assessor_a):
    law1 = _item("LAW-1")
    response = login(client, assessor_a).post(
        reverse("assessments:compliance", args=["alpha", "2026"]), {f"status-{law1.pk}": "maybe"}
    )
    assert response.status_code == 400
    assert "Choose Yes, No or In progress." in text(response)
    assert ComplianceAnswer.objects.count() == 0


def test_a_clinic_cannot_attest_a_hospital_requirement(current, assessor_a):
    clinic = f.OrganizationFactory(slug="bravo", org_type=OrgType.AMBULATORY)
    clinic_draft = f.AssessmentFactory(organization=clinic, cycle=current)
    with pytest.raises(ValidationError) as excinfo:
        compliance_answers_save(
            assessment=clinic_draft, user=assessor_a, answers={_item("LAW-4").pk: ("yes", "")}
        )
    assert excinfo.value.messages == [
        "A legal requirement is not part of this assessment; nothing was saved."
    ]
    assert ComplianceAnswer.objects.count() == 0


def test_a_submitted_assessment_is_read_only_and_outsiders_are_refused(client, draft, assessor_a, assessor_b):
    Assessment.objects.filter(pk=draft.pk).update(status=Assessment.Status.SUBMITTED)
    url = reverse("assessments:compliance", args=["alpha", "2026"])
    refused = login(client, assessor_a).post(url, {f"status-{_item('LAW-1').pk}": "yes"}, follow=True)
    assert "This assessment has been submitted and is waiting for NAM review" in text(refused)
    assert ComplianceAnswer.objects.count() == 0
    assert login(client, assessor_b).get(url).status_code == 404


def test_attestations_never_change_the_scores(draft, assessor_a):
    before = assessment_scores(draft)
    compliance_answers_save(assessment=draft, user=assessor_a, answers={_item("LAW-1").pk: ("no", "")})
    assert assessment_scores(draft) == before
