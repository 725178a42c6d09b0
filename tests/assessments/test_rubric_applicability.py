"""Rubric 2026.2 in assessments: a clinic sees, answers and is scored on the indicators that apply to it,
and a 2026.2 cycle continues the trends of a 2026.1 cycle through the crosswalk."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments import selectors
from assessments.models import Assessment, OrgType, Response
from assessments.services import workflow
from commitments.loader import parse_file
from commitments.models import Indicator
from commitments.services import rubric_load
from reports.scores import assessment_scores
from reports.selectors import org_benchmark
from tests import factories as f

pytestmark = pytest.mark.django_db

RUBRICS = Path(settings.BASE_DIR) / "fixtures" / "rubric"
SAFE_FOR_A_CLINIC = ["SAF-1", "SAF-2-AMB", "SAF-3"]
SAFE_FOR_A_HOSPITAL = ["SAF-1", "SAF-2", "SAF-3"]


@pytest.fixture
def rubrics(db):
    old = rubric_load(spec=parse_file(RUBRICS / "2026.1.yaml"), publish=True).rubric
    new = rubric_load(spec=parse_file(RUBRICS / "2026.2.yaml"), publish=True).rubric
    return old, new


@pytest.fixture
def cycles(rubrics):
    old, new = rubrics
    return (
        f.AssessmentCycleFactory(name="2025", rubric=old, status="closed"),
        f.AssessmentCycleFactory(name="2026", rubric=new),
    )


@pytest.fixture
def clinic(db):
    return f.OrganizationFactory(
        name="Bravo Community Clinic", slug="bravo", org_type=OrgType.COMMUNITY_HEALTH_CENTER
    )


def _answer(assessment, levels_by_code: dict | None = None, *, default=3, status=None):
    """Answer every indicator the assessment shows; levels_by_code: {code: level or None for N/A}."""
    levels_by_code = levels_by_code or {}
    rows = selectors.assessment_rows(assessment)
    Response.objects.bulk_create(
        Response(
            assessment=assessment,
            indicator=row.indicator,
            level=levels_by_code.get(row.indicator.code, default),
            not_applicable=levels_by_code.get(row.indicator.code, default) is None,
            na_justification="We run no such service at any site."
            if levels_by_code.get(row.indicator.code, 0) is None
            else "",
        )
        for row in rows
    )
    if status:
        Assessment.objects.filter(pk=assessment.pk).update(status=status)
        assessment.refresh_from_db()
    return assessment


def test_a_clinic_sees_only_the_indicators_that_apply_to_it(cycles, clinic, org_a):
    _, current = cycles
    clinic_draft = f.AssessmentFactory(organization=clinic, cycle=current)
    hospital_draft = f.AssessmentFactory(organization=org_a, cycle=current)
    safe = Indicator.objects.of_rubric(current.rubric).filter(code="SAF-1").get().commitment

    assert [r.indicator.code for r in selectors.commitment_rows(clinic_draft, safe)] == SAFE_FOR_A_CLINIC
    assert [r.indicator.code for r in selectors.commitment_rows(hospital_draft, safe)] == SAFE_FOR_A_HOSPITAL
    clinic_codes = [r.indicator.code for r in selectors.assessment_rows(clinic_draft)]
    assert len(clinic_codes) == 30
    assert {"SAF-2-AMB", "EFC-2-AMB", "ACC-2-AMB"} <= set(clinic_codes)
    assert {"SAF-2", "EFC-2", "ACC-2"} & set(clinic_codes) == set()
    overview = selectors.assessment_overview(clinic_draft, with_changes=False)
    assert (overview.answered, overview.total) == (0, 30)
    assert [c.total for c in overview.commitments] == [3] * 10


def test_a_clinic_cannot_answer_a_hospital_indicator(cycles, clinic, django_user_model):
    _, current = cycles
    draft = f.AssessmentFactory(organization=clinic, cycle=current)
    saf2 = Indicator.objects.of_rubric(current.rubric).get(code="SAF-2")
    user = f.UserFactory(username="clara")
    with pytest.raises(ValidationError) as excinfo:
        workflow.responses_save(
            assessment=draft, user=user, answers=[workflow.Answer(indicator_id=saf2.pk, level=3)]
        )
    assert "not part of this assessment" in str(excinfo.value)
    assert Response.objects.filter(assessment=draft).count() == 0


def test_a_clinic_that_answered_its_30_indicators_has_nothing_missing(cycles, clinic):
    _, current = cycles
    draft = _answer(f.AssessmentFactory(organization=clinic, cycle=current))
    assert list(workflow.unanswered_indicators(draft)) == []
    assert selectors.review_issues(draft).can_submit is True


def test_scores_count_applicable_indicators_and_say_how_many_were_na(cycles, clinic):
    _, current = cycles
    assessment = _answer(
        f.AssessmentFactory(organization=clinic, cycle=current),
        {"ENG-1": 5, "ENG-2": None, "ENG-3": 4, "SAF-2-AMB": None},
    )
    scores = assessment_scores(assessment)
    engaged, safe = scores.commitments[0], scores.commitments[1]
    assert (engaged.score, engaged.applicable, engaged.not_applicable, engaged.total) == (
        Decimal("4.50"),
        2,
        1,
        3,
    )
    assert (safe.score, safe.applicable, safe.not_applicable, safe.total) == (Decimal("3.00"), 2, 1, 3)
    assert scores.not_applicable == 2
    assert scores.completeness == Decimal("1.000")
    assert [c.total for c in scores.commitments] == [3] * 10


def test_a_2026_2_cycle_shows_the_trend_from_a_2026_1_cycle(cycles, org_a):
    previous_cycle, current = cycles
    f.answer_all(f.AssessmentFactory(organization=org_a, cycle=previous_cycle), 2, status="validated")
    assessment = _answer(
        f.AssessmentFactory(organization=org_a, cycle=current), default=3, status="submitted"
    )

    benchmark = org_benchmark(assessment=assessment, peer_group="all")
    assert [(p.cycle_name, p.overall) for p in benchmark.trend] == [
        ("2025", Decimal("2.00")),
        ("2026", Decimal("3.00")),
    ]
    assert benchmark.previous_overall == Decimal("2.00")
    assert benchmark.trend[0].commitments["safe"] == Decimal("2.00")

    # Last cycle's answers are offered again on the 2026.2 indicators continuing them (30 for a hospital).
    previous = selectors.previous_answers(assessment)
    codes = dict(Indicator.objects.of_rubric(current.rubric).values_list("pk", "code"))
    assert len(previous) == 30
    assert sorted(codes[pk] for pk in previous) == sorted(
        r.indicator.code for r in selectors.assessment_rows(assessment)
    )


def test_a_clinic_copying_last_cycle_gets_no_answers_for_hospital_indicators(cycles, clinic):
    previous_cycle, current = cycles
    f.answer_all(f.AssessmentFactory(organization=clinic, cycle=previous_cycle), 3, status="validated")
    draft = f.AssessmentFactory(organization=clinic, cycle=current)
    user = f.UserFactory(username="clara")
    copied = workflow.assessment_copy_previous(assessment=draft, user=user)
    # 2026.1's SAF-2, EFC-2 and ACC-2 carry on into hospital-only indicators: 27 of 30 are copied.
    assert copied == 27
    assert (
        Response.objects.filter(assessment=draft, indicator__code__in=["SAF-2", "EFC-2", "ACC-2"]).count()
        == 0
    )


def test_the_commitment_page_of_a_clinic_shows_the_ambulatory_indicator(client, cycles, clinic):
    _, current = cycles
    f.AssessmentFactory(organization=clinic, cycle=current)
    user = f.MembershipFactory(organization=clinic, user=f.UserFactory(username="clara")).user
    client.force_login(user, backend="assessments.backends.PortalBackend")
    html = client.get(reverse("assessments:commitment", args=["bravo", "2026", "safe"])).content.decode()
    assert "Medication safety in ambulatory care" in html
    assert "Medication safety at administration (inpatient)" not in html
    assert "Levels are cumulative: choose the highest level whose description is fully true" in html
