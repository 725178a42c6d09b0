from decimal import Decimal

import pytest
from django.core.cache import cache

from commitments.models import Indicator
from reports.plans import suggestions as plans
from tests import factories as f

from .conftest import add_peers

pytestmark = pytest.mark.django_db


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


def test_chosen_suggestions_and_their_actions_to_add(cycle, org_a, alpha_results):
    add_peers(cycle, [3, 3, 3, 3, 3])
    suggestions = plans.plan_suggestions(assessment=alpha_results)
    inputs = plans.chosen_suggestions(suggestions, slugs=["fair", "effective", "nonsense"])
    assert [(i.slug, i.suggested_target, [a.suggested_title for a in i.actions_to_add]) for i in inputs] == [
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
    assert inputs[0].actions_to_add[1].next_descriptor == "FAI-2 at level 2."


def test_suggestions_query_count_is_constant(cycle, org_a, alpha_results, django_assert_num_queries):
    add_peers(cycle, [3, 3, 3, 3, 3])
    # 14: the cycles' latest releases, the viewer's live and released affiliates and the release's results
    # (not cached yet) among them.
    with django_assert_num_queries(14) as few:
        plans.plan_suggestions(assessment=alpha_results)
    for i in range(30):
        f.ImprovementActionFactory(organization=org_a, cycle=cycle, title=f"A{i}")
    cache.clear()  # both measured with the peer group's scores not cached yet
    with django_assert_num_queries(len(few.captured_queries)):
        plans.plan_suggestions(assessment=alpha_results)
