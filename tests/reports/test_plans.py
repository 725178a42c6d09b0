import datetime
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone

from assessments.models import Assessment
from commitments.models import Indicator
from reports import plans
from tests import factories as f

pytestmark = pytest.mark.django_db

SUBMITTED = Assessment.Status.SUBMITTED
SLUGS = [slug for slug, _, _ in f.COMMITMENT_NAMES]

# Alpha's answers: 3 levels per commitment, in rubric order (None = not applicable).
ALPHA_LEVELS = {
    "engaged": [1, 2, 2],  # 1.67
    "safe": [3, 3, 3],  # 3.00
    "effective": [2, 2, 2],  # 2.00
    "efficient": [4, 4, 4],  # 4.00
    "fair": [1, 1, 2],  # 1.33
    "accessible": [3, 3, 3],
    "accountable": [3, 3, 3],
    "transparent": [3, None, 3],  # 3.00 (N/A left out)
    "secure": [3, 3, 3],
    "adaptive": [5, 5, 5],  # 5.00
}
# Overall: (5/3 + 3 + 2 + 4 + 4/3 + 3 + 3 + 3 + 3 + 5) / 10 = 2.90.


def levels(by_slug):
    return [level for slug in SLUGS for level in by_slug[slug]]


def uniform(level):
    return {slug: [level] * 3 for slug in SLUGS}


@pytest.fixture
def alpha_results(cycle, org_a):
    return f.answer_all(
        f.AssessmentFactory(organization=org_a, cycle=cycle), levels(ALPHA_LEVELS), status=SUBMITTED
    )


def add_peers(cycle, peer_levels):
    for level in peer_levels:
        f.answer_all(f.AssessmentFactory(cycle=cycle), levels(uniform(level)), status=SUBMITTED)


def test_suggestions_order_by_gap_against_the_peer_median(cycle, alpha_results):
    add_peers(cycle, [2, 3, 3, 4, 5])  # 5 peers: median 3.00 on every commitment
    result = plans.plan_suggestions(assessment=alpha_results, peer_group="all")
    assert result.peer_suppressed is False
    assert [(s.slug, s.score, s.reference, s.gap) for s in result.commitments] == [
        ("fair", Decimal("1.33"), Decimal("3.00"), Decimal("1.67")),
        ("engaged", Decimal("1.67"), Decimal("3.00"), Decimal("1.33")),
        ("effective", Decimal("2.00"), Decimal("3.00"), Decimal("1.00")),
        ("safe", Decimal("3.00"), Decimal("3.00"), Decimal("0.00")),
        ("accessible", Decimal("3.00"), Decimal("3.00"), Decimal("0.00")),
        ("accountable", Decimal("3.00"), Decimal("3.00"), Decimal("0.00")),
        ("transparent", Decimal("3.00"), Decimal("3.00"), Decimal("0.00")),
        ("secure", Decimal("3.00"), Decimal("3.00"), Decimal("0.00")),
        ("efficient", Decimal("4.00"), Decimal("3.00"), Decimal("-1.00")),
        ("adaptive", Decimal("5.00"), Decimal("3.00"), Decimal("-2.00")),
    ]
    assert [s.suggested_target for s in result.commitments[:3]] == [
        Decimal("2.00"),
        Decimal("2.00"),
        Decimal("3.00"),
    ]
    assert result.commitments[-1].suggested_target == Decimal("5.00")


def test_suggestions_against_the_own_mean_when_peers_are_suppressed(cycle, alpha_results):
    add_peers(cycle, [2, 4])  # 2 peers: fewer than BENCHMARK_MIN_PEERS
    result = plans.plan_suggestions(assessment=alpha_results)
    assert result.peer_suppressed is True
    assert result.overall == Decimal("2.90")
    assert [(s.slug, s.gap) for s in result.commitments] == [
        ("fair", Decimal("1.57")),
        ("engaged", Decimal("1.23")),
        ("effective", Decimal("0.90")),
        ("safe", Decimal("-0.10")),
        ("accessible", Decimal("-0.10")),
        ("accountable", Decimal("-0.10")),
        ("transparent", Decimal("-0.10")),
        ("secure", Decimal("-0.10")),
        ("efficient", Decimal("-1.10")),
        ("adaptive", Decimal("-2.10")),
    ]
    assert {s.reference for s in result.commitments} == {Decimal("2.90")}


def test_suggestions_give_the_next_level_descriptor(cycle, org_a, alpha_results):
    add_peers(cycle, [3, 3, 3, 3, 3])
    fai_1 = Indicator.objects.of_rubric(cycle.rubric).get(code="FAI-1")
    f.ImprovementActionFactory(
        organization=org_a, cycle=cycle, commitment=fai_1.commitment, indicators=[fai_1], title="Already"
    )
    result = plans.plan_suggestions(assessment=alpha_results)
    fair = result.commitments[0]
    assert fair.actions_in_plan == 1
    assert [
        (i.code, i.current_label, i.next_level, i.next_descriptor, i.in_plan, i.suggested_title)
        for i in fair.indicators
    ] == [
        ("FAI-1", "1 Initial", 2, "FAI-1 at level 2.", True, "FAI-1: reach level 2 Developing"),
        ("FAI-2", "1 Initial", 2, "FAI-2 at level 2.", False, "FAI-2: reach level 2 Developing"),
        ("FAI-3", "2 Developing", 3, "FAI-3 at level 3.", False, "FAI-3: reach level 3 Defined"),
    ]
    # Actions are suggested where an indicator is below the target (2.00): FAI-1 and FAI-2.
    assert [i.code for i in fair.actionable_indicators] == ["FAI-1", "FAI-2"]
    transparent = next(s for s in result.commitments if s.slug == "transparent")
    assert [(i.code, i.current_label, i.next_level, i.next_descriptor) for i in transparent.indicators] == [
        ("TRN-1", "3 Defined", 4, "TRN-1 at level 4."),
        ("TRN-2", "Not applicable", None, ""),
        ("TRN-3", "3 Defined", 4, "TRN-3 at level 4."),
    ]
    adaptive = next(s for s in result.commitments if s.slug == "adaptive")
    assert [(i.at_top, i.next_level) for i in adaptive.indicators] == [(True, None)] * 3


def test_suggestion_inputs_for_the_chosen_commitments(cycle, org_a, alpha_results):
    add_peers(cycle, [3, 3, 3, 3, 3])
    suggestions = plans.plan_suggestions(assessment=alpha_results)
    inputs = plans.suggestion_inputs(suggestions, slugs=["fair", "effective", "nonsense"])
    assert [(i.commitment.slug, i.target_level, [a.title for a in i.actions]) for i in inputs] == [
        ("fair", Decimal("2.00"), ["FAI-1: reach level 2 Developing", "FAI-2: reach level 2 Developing"]),
        (
            "effective",
            Decimal("3.00"),
            [
                "EFT-1: reach level 3 Defined",
                "EFT-2: reach level 3 Defined",
                "EFT-3: reach level 3 Defined",
            ],
        ),
    ]
    assert inputs[0].actions[1].description == "FAI-2 at level 2."


def test_suggestions_query_count_is_constant(cycle, org_a, alpha_results, django_assert_num_queries):
    add_peers(cycle, [3, 3, 3, 3, 3])
    with django_assert_num_queries(12) as few:
        plans.plan_suggestions(assessment=alpha_results)
    for i in range(30):
        f.ImprovementActionFactory(organization=org_a, cycle=cycle, title=f"A{i}")
    cache.clear()  # both measured with the peer group's scores not cached yet
    with django_assert_num_queries(len(few.captured_queries)):
        plans.plan_suggestions(assessment=alpha_results)


# ---------------------------------------------------------------------------------------------------------
# The review across two cycles


@pytest.fixture
def cycle_2027(rubric):
    return f.AssessmentCycleFactory(name="2027", rubric=rubric)


@pytest.fixture
def alpha_plan_2026(cycle, org_a, alpha_results):
    """Targets on the 2026 results: engaged 2.50, effective 3.00, fair 2.00; actions on engaged and safe."""
    commitments = {c.slug: c for c in cycle.rubric.commitments.all()}
    for slug, level in (("engaged", "2.50"), ("effective", "3.00"), ("fair", "2.00")):
        f.CommitmentTargetFactory(
            organization=org_a, cycle=cycle, commitment=commitments[slug], target_level=Decimal(level)
        )
    f.ImprovementActionFactory(
        organization=org_a,
        cycle=cycle,
        commitment=commitments["engaged"],
        title="PFAC charter",
        status="done",
    )
    f.ImprovementActionFactory(
        organization=org_a,
        cycle=cycle,
        commitment=commitments["engaged"],
        title="Partner log",
        status="dropped",
    )
    f.ImprovementActionFactory(
        organization=org_a, cycle=cycle, commitment=commitments["safe"], title="Huddles", status="done"
    )
    return commitments


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
# The field


def _field(cycle, cycle_2027, n_orgs):
    """n_orgs organizations with 2026 results; every one targets engaged 3.00 and safe 3.50, acts on engaged
    (one done, one planned); in 2027 the even ones score 3.00 everywhere, the odd ones 2.00; the last has no
    2027 result."""
    commitments = {c.slug: c for c in cycle.rubric.commitments.all()}
    for n in range(n_orgs):
        org = f.OrganizationFactory()
        f.answer_all(f.AssessmentFactory(organization=org, cycle=cycle), 2, status=SUBMITTED)
        f.CommitmentTargetFactory(
            organization=org, cycle=cycle, commitment=commitments["engaged"], target_level=3
        )
        f.CommitmentTargetFactory(
            organization=org, cycle=cycle, commitment=commitments["safe"], target_level=Decimal("3.5")
        )
        f.ImprovementActionFactory(
            organization=org, cycle=cycle, commitment=commitments["engaged"], status="done"
        )
        f.ImprovementActionFactory(organization=org, cycle=cycle, commitment=commitments["engaged"])
        if n < n_orgs - 1:
            f.answer_all(
                f.AssessmentFactory(organization=org, cycle=cycle_2027),
                3 if n % 2 == 0 else 2,
                status=SUBMITTED,
            )
    # One organization with results and no plan.
    f.answer_all(f.AssessmentFactory(cycle=cycle), 2, status=SUBMITTED)


def test_field_plan_summary(cycle, cycle_2027):
    _field(cycle, cycle_2027, 4)  # orgs 0 and 2 reach 3.00, org 1 stays at 2.00, org 3 has no 2027 result
    f.ImprovementActionFactory(
        cycle=cycle,
        commitment=cycle.rubric.commitments.get(slug="fair"),
        organization=f.OrganizationFactory(),
        status="done",
    )
    summary = plans.field_plan_summary(cycle=cycle)
    assert summary.next_cycle == cycle_2027
    assert (
        summary.organizations_with_results,
        summary.organizations_with_plan,
        summary.organizations_with_targets,
        summary.organizations_with_actions,
    ) == (5, 5, 4, 5)
    assert (
        summary.targets_total,
        summary.targets_met,
        summary.targets_not_met,
        summary.targets_without_result,
    ) == (
        8,
        2,
        4,
        2,
    )
    assert (summary.actions_total, summary.actions_done) == (9, 5)
    rows = {r.slug: r for r in summary.commitments}
    assert (
        rows["engaged"].organizations_with_target,
        rows["engaged"].met,
        rows["engaged"].not_met,
        rows["engaged"].no_result,
    ) == (4, 2, 1, 1)
    assert (rows["safe"].met, rows["safe"].not_met, rows["safe"].no_result) == (0, 3, 1)
    assert (rows["engaged"].actions_total, rows["engaged"].actions_done, rows["engaged"].completion_rate) == (
        8,
        4,
        Decimal("50.0"),
    )
    assert [(r.slug, r.completion_rate) for r in summary.most_completed] == [
        ("fair", Decimal("100.0")),
        ("engaged", Decimal("50.0")),
    ]


def test_field_plan_summary_ranks_no_commitment_without_a_completed_action(cycle):
    organization = f.OrganizationFactory()
    for slug, status in [("fair", "planned"), ("fair", "in_progress"), ("safe", "done"), ("safe", "planned")]:
        f.ImprovementActionFactory(
            cycle=cycle,
            commitment=cycle.rubric.commitments.get(slug=slug),
            organization=organization,
            status=status,
        )
    summary = plans.field_plan_summary(cycle=cycle)
    assert [(r.slug, r.completion_rate, r.actions_done) for r in summary.most_completed] == [
        ("safe", Decimal("50.0"), 1)
    ]


@pytest.mark.parametrize("size", [3, 30])
def test_field_plan_summary_query_count(cycle, cycle_2027, size, django_assert_num_queries):
    _field(cycle, cycle_2027, size)
    with django_assert_num_queries(8):
        plans.field_plan_summary(cycle=cycle)


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
