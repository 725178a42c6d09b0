from decimal import Decimal

import pytest

from reports.plans import field_summary as plans
from tests import factories as f

from .conftest import SUBMITTED

pytestmark = pytest.mark.django_db


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
