"""reports/score_notes.py: levels beside a mean, the lowest indicator, and changes said in indicator levels
(issue 19 items 10 and 11), with exact values."""

import re
from decimal import Decimal
from fractions import Fraction

import pytest
from django.urls import reverse

from assessments.models import Assessment
from commitments.models import Indicator
from reports.score_notes import (
    Change,
    commitment_change,
    levels_phrase,
    levels_text,
    lowest_of,
    overall_change,
)
from reports.scores import AssessmentScores, CommitmentScore
from tests import factories as f


def commitment(slug, *levels, not_applicable=0):
    counts = tuple(levels.count(level) for level in range(1, 6))
    exact = Fraction(sum(levels), len(levels)) if levels else None
    return CommitmentScore(
        commitment_id=hash(slug) % 1000,
        slug=slug,
        name=slug.title(),
        order=1,
        score=None,
        answered=len(levels) + not_applicable,
        applicable=len(levels),
        total=len(levels) + not_applicable,
        not_applicable=not_applicable,
        exact=exact,
        levels=counts,
    )


def assessment(*commitments):
    exact = [c.exact for c in commitments if c.exact is not None]
    overall = sum(exact) / len(exact) if exact else None
    return AssessmentScores(
        assessment_id=1,
        commitments=list(commitments),
        overall=None,
        completeness=Decimal("1.000"),
        overall_exact=overall,
    )


def test_five_five_one_is_shown_with_its_levels_and_its_lowest_indicator():
    safe = commitment("safe", 5, 5, 1)
    assert safe.exact == Fraction(11, 3) and safe.level_sum == 11
    assert levels_text(safe.levels) == "5, 5, 1"
    lowest = lowest_of(
        [("safe", "SAF-1", "Harm", 5), ("safe", "SAF-2", "Falls", 1), ("safe", "SAF-3", "Culture", 5)]
    )
    assert lowest["safe"].code == "SAF-2"
    assert (lowest["safe"].level, lowest["safe"].others_at_level, lowest["safe"].all_equal) == (1, 0, False)
    assert lowest["safe"].level_label == "1 Initial"


def test_lowest_ties_take_the_first_in_rubric_order_and_count_the_others():
    rows = [
        ("fair", "FAI-1", "a", 3),
        ("fair", "FAI-2", "b", 2),
        ("fair", "FAI-3", "c", 2),
        ("fair", "FAI-4", "d", None),
    ]
    lowest = lowest_of(rows)["fair"]
    assert (lowest.code, lowest.level, lowest.others_at_level, lowest.all_equal) == ("FAI-2", 2, 1, False)
    assert lowest_of([("x", "X-1", "a", 4), ("x", "X-2", "b", 4)])["x"].all_equal is True
    assert lowest_of([("x", "X-1", "a", None)]) == {}


def test_more_than_six_levels_are_counted():
    assert levels_text((2, 0, 3, 0, 2)) == "2 at 5, 3 at 3, 2 at 1"
    assert levels_text((0, 0, 0, 0, 0)) == ""


@pytest.mark.parametrize(
    ("net", "words"),
    [
        (0, "no change"),
        (1, "one indicator up one level"),
        (-1, "one indicator down one level"),
        (3, "three indicator levels up"),
        (-2, "two indicator levels down"),
        (12, "12 indicator levels up"),
    ],
)
def test_levels_phrase(net, words):
    assert levels_phrase(net) == words


def test_one_indicator_one_level_over_thirty_is_plus_0_03_and_said_so():
    before = assessment(*[commitment(f"c{i}", 3, 3, 3) for i in range(10)])
    now = assessment(commitment("c0", 4, 3, 3), *[commitment(f"c{i}", 3, 3, 3) for i in range(1, 10)])
    change = overall_change(now, before)
    assert change == Change(Decimal("0.03"), "one indicator up one level")
    assert change.direction == 1 and not change.is_no_change
    assert commitment_change(now.commitments[0], before.commitments[0]) == Change(
        Decimal("0.33"), "one indicator up one level"
    )
    assert commitment_change(now.commitments[1], before.commitments[1]) == Change(
        Decimal("0.00"), "no change"
    )


def test_changes_are_net():
    before = assessment(commitment("a", 2, 3, 3), commitment("b", 3, 3, 3))
    now = assessment(commitment("a", 3, 3, 4), commitment("b", 3, 3, 2))  # +2 in a, -1 in b
    assert overall_change(now, before) == Change(Decimal("0.17"), "one indicator up one level")


def test_a_change_smaller_than_one_level_step_is_no_change():
    # Safe had 4 rated indicators and has 3 now (one marked N/A): 3.25 -> 3.33 moves by 1/12 < 1/3.
    before = commitment("safe", 4, 3, 3, 3)
    now = commitment("safe", 4, 3, 3, not_applicable=1)
    change = commitment_change(now, before)
    assert change == Change(Decimal("0.00"), "no change") and change.direction == 0


def test_a_different_number_of_rated_indicators_is_said():
    before = commitment("safe", 3, 3)
    now = commitment("safe", 3, 3, 5)
    assert commitment_change(now, before) == Change(Decimal("0.67"), "3 indicators rated now, 2 before")
    overall = overall_change(assessment(now), assessment(before))
    assert overall == Change(Decimal("0.67"), "3 indicators rated now, 2 before")


def test_levels_moved_between_commitments_of_different_sizes():
    # a: 2 indicators, b: 4. One level up in a (+0.5) and one down in b (-0.25): overall +0.125.
    before = assessment(commitment("a", 3, 3), commitment("b", 3, 3, 3, 3))
    now = assessment(commitment("a", 4, 3), commitment("b", 2, 3, 3, 3))
    assert overall_change(now, before) == Change(
        Decimal("0.13"), "as many indicator levels up as down, in commitments of different sizes"
    )


def test_no_change_without_two_scores():
    assert commitment_change(commitment("a", 3), None) is None
    assert commitment_change(commitment("a"), commitment("a", 3)) is None
    assert overall_change(assessment(commitment("a", 3)), None) is None


# ---------------------------------------------------------------------------------------------------------
# On the organization dashboard


def _cells(content, name, table=0):
    """The cells of a commitment's row in the page's first table (table=-1: the scores-by-cycle table)."""
    row = re.findall(rf"<th scope=\"row\">{name}</th>(.*?)</tr>", content, re.S)[table]
    return [
        " ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]


@pytest.mark.django_db
def test_dashboard_shows_levels_lowest_indicator_and_changes_in_levels(
    client, executive_a, rubric, cycle, org_a
):
    earlier = f.AssessmentCycleFactory(name="2025", rubric=rubric, status="closed")
    f.answer_all(
        f.AssessmentFactory(organization=org_a, cycle=earlier), [3] * 30, status=Assessment.Status.VALIDATED
    )
    # Engaged 5, 5, 1 (3.67, "3 Defined"); Safe one level up on its first indicator; the rest unchanged.
    f.answer_all(
        f.AssessmentFactory(organization=org_a, cycle=cycle),
        [5, 5, 1, 4, 3, 3] + [3] * 24,
        status=Assessment.Status.VALIDATED,
    )
    engaged_low = Indicator.objects.filter(commitment__rubric=rubric).order_by("commitment__order", "order")[
        2
    ]
    client.force_login(executive_a)

    content = client.get(reverse("reports:org_dashboard", args=["alpha"])).content.decode()

    engaged = _cells(content, "Engaged")
    assert engaged[:3] == [
        "3.67",
        "3 Defined",
        f"5, 5, 1 lowest: {engaged_low.code} {engaged_low.title} (1)",
    ]
    assert (
        _cells(content, "Safe")[2]
        == f"4, 3, 3 lowest: {_code(rubric, 1, 1)} {_title(rubric, 1, 1)} (3), and 1 more at 3"
    )
    assert _cells(content, "Fair")[2] == "3, 3, 3"  # all at one level: no "lowest"
    # Overall: (11/3 + 10/3 + 8 * 3) / 10 = 31/10 = 3.10 against 3.00: Engaged +2 and Safe +1 levels.
    trend = {name: _cells(content, name, table=-1)[-1] for name in ("Engaged", "Safe", "Fair")}
    assert trend == {
        "Engaged": "+0.67: two indicator levels up",
        "Safe": "+0.33: one indicator up one level",
        "Fair": "No change",
    }
    assert "up +0.10 since 2025: three indicator levels up" in " ".join(content.split())


def _indicator(rubric, commitment_index, indicator_index):
    indicators = Indicator.objects.filter(commitment__rubric=rubric).order_by("commitment__order", "order")
    return indicators[commitment_index * 3 + indicator_index]


def _code(rubric, c, i):
    return _indicator(rubric, c, i).code


def _title(rubric, c, i):
    return _indicator(rubric, c, i).title
