import datetime
import re
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from assessments.models import Assessment
from commitments.models import Indicator
from reports.plans import selectors as plans
from tests import factories as f

from .conftest import SUBMITTED, levels, uniform

pytestmark = pytest.mark.django_db

# ---------------------------------------------------------------------------------------------------------
# The review across two cycles


def test_target_review_without_next_results(cycle, org_a, alpha_plan_2026, cycle_2027):
    f.answer_all(f.AssessmentFactory(organization=org_a, cycle=cycle_2027), 4)  # a draft: no result
    review = plans.target_review(organization=org_a, cycle=cycle)
    assert review.next_cycle == cycle_2027
    assert review.has_result is False
    assert [(r.slug, r.target, r.achieved, r.outcome, r.outcome_label) for r in review.rows] == [
        ("engaged", Decimal("2.50"), None, "no_result", "No result yet"),
        ("safe", None, None, "", "No target set"),
        ("effective", Decimal("3.00"), None, "no_result", "No result yet"),
        ("fair", Decimal("2.00"), None, "no_result", "No result yet"),
    ]


def test_target_review_met_and_not_met(cycle, org_a, alpha_plan_2026, cycle_2027):
    next_levels = dict(uniform(3))
    next_levels |= {"engaged": [2, 3, 3], "effective": [2, 3, 3], "fair": [2, 2, 2]}
    f.answer_all(
        f.AssessmentFactory(organization=org_a, cycle=cycle_2027), levels(next_levels), status=SUBMITTED
    )
    review = plans.target_review(organization=org_a, cycle=cycle)
    assert review.has_result is True
    assert [
        (
            r.slug,
            r.target,
            r.achieved,
            r.outcome,
            r.difference,
            r.actions_done,
            r.actions_total,
            r.done_titles,
        )
        for r in review.rows
    ] == [
        ("engaged", Decimal("2.50"), Decimal("2.67"), "met", Decimal("0.17"), 1, 2, ["PFAC charter"]),
        ("safe", None, Decimal("3.00"), "", None, 1, 1, ["Huddles"]),
        ("effective", Decimal("3.00"), Decimal("2.67"), "not_met", Decimal("-0.33"), 0, 0, []),
        ("fair", Decimal("2.00"), Decimal("2.00"), "met", Decimal("0.00"), 0, 0, []),
    ]
    assert (review.met, review.not_met, review.targets, review.actions_done, review.actions_total) == (
        2,
        1,
        3,
        2,
        3,
    )


def test_target_review_of_the_last_cycle_has_no_next_cycle(cycle, org_a, alpha_plan_2026):
    review = plans.target_review(organization=org_a, cycle=cycle)
    assert review.next_cycle is None
    assert {r.outcome for r in review.rows} == {"no_result", ""}


def test_target_review_ignores_other_organizations(cycle, org_a, org_b, alpha_plan_2026):
    assert plans.target_review(organization=org_b, cycle=cycle).rows == []


# ---------------------------------------------------------------------------------------------------------
# The plan page's overview


def test_plan_overview_groups_filters_and_flags_overdue(cycle, org_a, assessor_a, alpha_results):
    commitments = {c.slug: c for c in cycle.rubric.commitments.all()}
    today = timezone.localdate()
    f.CommitmentTargetFactory(organization=org_a, cycle=cycle, commitment=commitments["fair"], target_level=2)
    late = f.ImprovementActionFactory(
        organization=org_a,
        cycle=cycle,
        commitment=commitments["fair"],
        title="Late",
        owner=assessor_a,
        due_date=today - datetime.timedelta(days=3),
    )
    soon = f.ImprovementActionFactory(
        organization=org_a,
        cycle=cycle,
        commitment=commitments["fair"],
        title="Soon",
        status="in_progress",
        due_date=today + datetime.timedelta(days=10),
    )
    f.ImprovementActionFactory(
        organization=org_a,
        cycle=cycle,
        commitment=commitments["engaged"],
        title="Done late",
        status="done",
        owner=assessor_a,
        due_date=today - datetime.timedelta(days=30),
    )
    overview = plans.plan_overview(organization=org_a, cycle=cycle)
    assert overview.has_results is True
    assert overview.counts == {
        "planned": 1,
        "in_progress": 1,
        "done": 1,
        "dropped": 0,
        "overdue": 1,
        "no_owner": 1,
        "total": 3,
        "targets": 1,
    }
    assert [
        (c.commitment.slug, c.score, c.target_level, [a.title for a in c.actions])
        for c in overview.planned_commitments
    ] == [
        ("engaged", Decimal("1.67"), None, ["Done late"]),
        ("fair", Decimal("1.33"), Decimal("2.00"), ["Late", "Soon"]),
    ]
    assert len(overview.unplanned_commitments) == 8
    assert [a.pk for a in overview.upcoming] == [soon.pk]

    only_overdue = plans.plan_overview(organization=org_a, cycle=cycle, status="overdue")
    assert [a.pk for c in only_overdue.commitments for a in c.actions] == [late.pk]
    assert only_overdue.filtered_count == 1
    assert only_overdue.counts["total"] == 3  # the counts stay those of the whole plan
    no_owner = plans.plan_overview(organization=org_a, cycle=cycle, owner=0)
    assert [a.title for c in no_owner.commitments for a in c.actions] == ["Soon"]
    due_soon = plans.plan_overview(organization=org_a, cycle=cycle, status="due_soon")
    assert [a.title for c in due_soon.commitments for a in c.actions] == ["Soon"]
    mine_done = plans.plan_overview(organization=org_a, cycle=cycle, owner=assessor_a.pk, status="done")
    assert [a.title for c in mine_done.commitments for a in c.actions] == ["Done late"]


@pytest.mark.parametrize("size", [3, 30])
def test_plan_overview_query_count(cycle, org_a, assessor_a, alpha_results, size, django_assert_num_queries):
    indicator = Indicator.objects.of_rubric(cycle.rubric).first()
    for i in range(size):
        action = f.ImprovementActionFactory(
            organization=org_a, cycle=cycle, title=f"A{i}", owner=assessor_a, indicators=[indicator]
        )
        f.ActionNoteFactory(action=action, author=assessor_a)
    with django_assert_num_queries(8):
        overview = plans.plan_overview(organization=org_a, cycle=cycle)
        # what the templates read, inside the count
        for c in overview.commitments:
            for a in c.actions:
                _ = (a.owner.username, [i.code for i in a.indicators.all()], a.notes.all()[0].author)
    assert overview.counts["total"] == size


# ---------------------------------------------------------------------------------------------------------
# The snippets others include (org dashboard, PDF scorecard)


def _squash(html):
    return re.sub(r"\s+", " ", html).strip()


def test_target_vs_achieved_snippet(cycle, org_a, alpha_plan_2026, cycle_2027):
    next_levels = dict(uniform(3)) | {"engaged": [2, 3, 3], "effective": [2, 3, 3], "fair": [2, 2, 2]}
    f.answer_all(
        f.AssessmentFactory(organization=org_a, cycle=cycle_2027), levels(next_levels), status=SUBMITTED
    )
    html = _squash(
        render_to_string(
            "reports/plans/snippets/target_vs_achieved.html",
            {"target_review": plans.target_review(organization=org_a, cycle=cycle)},
        )
    )
    assert (
        "Targets set on the 2026 results, against the 2027 results: 2 of 3 targets met; 2 of 3 actions done."
        in html
    )
    assert (
        '<th scope="row">Effective</th> <td class="num">3.00</td> <td class="num">2.67</td> <td><span '
        'class="plan-outcome plan-outcome-not_met">✗ Not met</span> <span class="small">(-0.33)</span></td> '
        '<td class="num">0 / 0</td>'
    ) in html
    assert '<th scope="row">Safe</th> <td class="num">—</td> <td class="num">3.00</td>' in html
    assert "<script" not in html and "style=" not in html


def test_scorecard_plan_page_snippet(cycle, org_a, assessor_a, alpha_plan_2026, cycle_2027):
    assessor_a.first_name, assessor_a.last_name = "Alice", "Nguyen"
    assessor_a.save()
    f.answer_all(f.AssessmentFactory(organization=org_a, cycle=cycle_2027), 3, status=SUBMITTED)
    assessment_2027 = Assessment.objects.get(organization=org_a, cycle=cycle_2027)
    fair = cycle_2027.rubric.commitments.get(slug="fair")
    f.CommitmentTargetFactory(organization=org_a, cycle=cycle_2027, commitment=fair, target_level=4)
    f.ImprovementActionFactory(
        organization=org_a,
        cycle=cycle_2027,
        commitment=fair,
        title="Equity dashboard",
        owner=assessor_a,
        due_date=datetime.date(2027, 9, 30),
    )
    f.ImprovementActionFactory(
        organization=org_a, cycle=cycle_2027, commitment=fair, title="Gone", status="dropped"
    )
    context = plans.scorecard_plan_context(assessment=assessment_2027)
    assert context["target_review"].cycle == cycle
    html = _squash(render_to_string("reports/plans/snippets/scorecard_plan_page.html", context))
    assert "<h2>Our improvement plan</h2>" in html
    assert "Built on the 2027 results: 1 target, 2 actions (0 done, 0 in progress, 1 planned)." in html
    assert (
        '<th scope="row">Fair</th> <td class="num">3.00</td> <td class="num">4.00</td> '
        '<td class="num">0 / 2</td>'
    ) in html
    assert (
        '<h4>Fair</h4> <ul class="plan-print-actions"> <li><strong>Equity dashboard</strong> · '
        "Alice Nguyen · due Sep 30, 2027 · Planned</li> </ul>"
    ) in html
    assert "Gone" not in html
    assert "<h3>Last cycle's targets against what was achieved</h3>" in html
    assert html.startswith('<section class="scorecard-page plan-page">')
    assert "Targets set on the 2026 results, against the 2027 results: 3 of 3 targets met" in html
    assert "<script" not in html and "style=" not in html
