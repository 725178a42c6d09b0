import pytest

from assessments import selectors
from assessments.models import Assessment, Response, ResponseChange
from commitments.models import Indicator, Rubric
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(cycle, org_a):
    return f.AssessmentFactory(organization=org_a, cycle=cycle)


def test_overview_counts_answered_per_commitment_and_latest_change(draft, rubric, assessor_a, admin_a):
    eng = Indicator.objects.filter(commitment__rubric=rubric, commitment__slug="engaged").order_by("order")
    first = Response.objects.create(assessment=draft, indicator=eng[0], level=2)
    Response.objects.create(
        assessment=draft, indicator=eng[1], not_applicable=True, na_justification="x" * 25
    )
    Response.objects.create(assessment=draft, indicator=eng[2], evidence_summary="draft notes only")
    old = ResponseChange.objects.create(
        response=first, changed_by=assessor_a, version=1, new_values={"level": 1}
    )
    new = ResponseChange.objects.create(
        response=first, changed_by=admin_a, version=2, new_values={"level": 2}
    )
    overview = selectors.assessment_overview(draft)
    assert (overview.answered, overview.total, overview.percent) == (2, 30, 7)
    engaged = overview.commitments[0]
    assert (engaged.commitment.slug, engaged.answered, engaged.total, engaged.last_change) == (
        "engaged",
        2,
        3,
        new,
    )
    assert old != new
    assert [(c.answered, c.last_change) for c in overview.commitments[1:]] == [(0, None)] * 9


def test_latest_change_is_the_latest_of_any_answer_of_the_commitment(draft, rubric, assessor_a, admin_a):
    from datetime import timedelta

    from django.utils import timezone

    def answer(code):
        return Response.objects.create(assessment=draft, indicator=Indicator.objects.get(code=code), level=3)

    now = timezone.now()

    def change(response, minutes_ago, version):
        at = now - timedelta(minutes=minutes_ago)
        return ResponseChange.objects.create(
            response=response, changed_by=admin_a, changed_at=at, version=version
        )

    eng1, eng2, saf1 = answer("ENG-1"), answer("ENG-2"), answer("SAF-1")
    change(eng1, 30, 1)
    change(eng1, 20, 2)  # ENG-1's latest, older than ENG-2's
    change(eng2, 50, 1)
    latest_engaged = change(eng2, 10, 2)
    change(eng2, 40, 3)  # a higher version written earlier: time decides
    first_tie = change(saf1, 5, 1)
    second_tie = change(saf1, 5, 2)  # the same instant: the later row wins
    other_assessment = f.AssessmentFactory(cycle=draft.cycle)
    change(answer_of(other_assessment, "ENG-3"), 0, 1)  # another organization's newer change

    overview = selectors.assessment_overview(draft)
    latest = {c.commitment.slug: c.last_change for c in overview.commitments}
    assert (latest["engaged"], latest["safe"], latest["effective"]) == (latest_engaged, second_tie, None)
    assert first_tie.changed_at == second_tie.changed_at and first_tie.pk < second_tie.pk


def answer_of(assessment, code):
    return Response.objects.create(assessment=assessment, indicator=Indicator.objects.get(code=code), level=1)


def test_review_issues(draft, org_a, rubric):
    previous_cycle = f.AssessmentCycleFactory(name="2025", rubric=rubric, status="closed")
    f.answer_all(f.AssessmentFactory(organization=org_a, cycle=previous_cycle), 3, status="validated")
    f.answer_all(draft, 3)
    updates = {
        "ENG-1": {"level": None},
        "ENG-2": {"level": 5, "evidence_summary": "Run charts"},  # up 2, has evidence
        "ENG-3": {"level": 1},  # down 2
        "SAF-1": {"level": 4},  # no evidence
        "SAF-2": {"level": None, "not_applicable": True, "na_justification": " None. "},
        "SAF-3": {
            "level": None,
            "not_applicable": True,
            "na_justification": "We have no emergency department.",
        },
    }
    for code, values in updates.items():
        Response.objects.filter(assessment=draft, indicator__code=code).update(**values)
    issues = selectors.review_issues(draft)
    assert [i.code for i in issues.unanswered] == ["ENG-1"] and not issues.can_submit
    assert [(w.indicator.code, w.message) for w in issues.warnings] == [
        (
            "ENG-2",
            "Up 2 levels since last cycle (3 Defined → 5 Learning): "
            "make sure the evidence explains the change.",
        ),
        (
            "ENG-3",
            "Down 2 levels since last cycle (3 Defined → 1 Initial): "
            "make sure the evidence explains the change.",
        ),
        (
            "SAF-1",
            "Level 4 Managed without evidence: say what shows the practice is measured and managed.",
        ),
        ("SAF-2", "Marked Not applicable with “None.” as the reason: say why the indicator does not apply."),
    ]


def test_previous_answers_are_crosswalked(org_a, rubric):
    old_cycle = f.AssessmentCycleFactory(name="2025", rubric=rubric, status="closed")
    old = f.answer_all(f.AssessmentFactory(organization=org_a, cycle=old_cycle), 2, status="submitted")
    new_rubric = f.build_rubric("2026.2", previous=rubric, publish=False)
    Indicator.objects.filter(commitment__rubric=new_rubric, code="SAF-3").update(continues=None)
    new_rubric.status = Rubric.Status.PUBLISHED
    new_rubric.save()
    new_cycle = f.AssessmentCycleFactory(name="2026", rubric=new_rubric)
    draft = f.AssessmentFactory(organization=org_a, cycle=new_cycle)
    previous = selectors.previous_answers(draft)
    new_ids = dict(Indicator.objects.of_rubric(new_rubric).values_list("code", "pk"))
    assert len(previous) == 29 and new_ids["SAF-3"] not in previous
    assert previous[new_ids["ENG-1"]].assessment_id == old.pk
    assert previous[new_ids["ENG-1"]].indicator.commitment.rubric_id == rubric.pk


def test_previous_answers_ignore_drafts_of_last_cycle(org_a, rubric, draft):
    old_cycle = f.AssessmentCycleFactory(name="2025", rubric=rubric, status="closed")
    f.answer_all(f.AssessmentFactory(organization=org_a, cycle=old_cycle), 2)
    assert selectors.previous_answers(draft) == {}


def test_change_lines():
    change = ResponseChange(
        version=2,
        old_values={"level": 2, "not_applicable": False, "evidence_links": ""},
        new_values={"level": None, "not_applicable": True, "evidence_links": "https://e.org"},
    )
    assert selectors.change_lines(change) == [
        ("Level", "2 Developing", "—"),
        ("Not applicable", "No", "Yes"),
        ("Evidence links", "—", "https://e.org"),
    ]


def test_cycles_with_counts(cycle, org_a, org_b):
    f.AssessmentFactory(organization=org_a, cycle=cycle, status=Assessment.Status.SUBMITTED)
    f.AssessmentFactory(organization=org_b, cycle=cycle)
    [row] = selectors.cycles_with_counts()
    assert (row.n_total, row.n_draft, row.n_submitted, row.n_returned, row.n_validated) == (2, 1, 1, 0, 0)
