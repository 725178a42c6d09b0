from decimal import Decimal

import pytest

from assessments.models import Response
from commitments.models import Indicator
from reports.scores import assessment_scores, level_for_score, scores_for_assessments
from tests import factories as f


def test_commitment_scores_exclude_na_and_overall_uses_exact_scores(cycle):
    assessment = f.AssessmentFactory(cycle=cycle)
    levels = [3] * 30
    levels[0:3] = [4, 3, 4]  # engaged: 11/3 = 3.67
    levels[3:6] = [4, 2, None]  # safe: N/A excluded -> 3.00
    levels[6:9] = [5, 4, 4]  # effective: 13/3 = 4.33
    f.answer_all(assessment, levels)

    scores = assessment_scores(assessment)

    by_slug = scores.by_slug()
    assert [c.slug for c in scores.commitments][:3] == ["engaged", "safe", "effective"]
    assert (by_slug["engaged"].score, by_slug["engaged"].applicable, by_slug["engaged"].answered) == (
        Decimal("3.67"),
        3,
        3,
    )
    assert (by_slug["safe"].score, by_slug["safe"].applicable, by_slug["safe"].answered) == (
        Decimal("3.00"),
        2,
        3,
    )
    assert by_slug["effective"].score == Decimal("4.33")
    # (11/3 + 3 + 13/3 + 7 * 3) / 10 = 3.2
    assert scores.overall == Decimal("3.20")
    assert scores.completeness == Decimal("1.000")


def test_overall_is_the_mean_of_commitment_scores_not_of_levels(cycle):
    assessment = f.AssessmentFactory(cycle=cycle)
    levels = [1] * 30
    levels[0:3] = [5, None, None]  # engaged: one applicable indicator at 5
    f.answer_all(assessment, levels)
    scores = assessment_scores(assessment)
    # Mean of commitment scores: (5 + 9 * 1) / 10 = 1.40; a mean of the 28 levels would give 1.14.
    assert scores.overall == Decimal("1.40")
    assert scores.commitments[0].score == Decimal("5.00")


def test_unanswered_and_all_na_commitments(cycle):
    assessment = f.AssessmentFactory(cycle=cycle)
    indicators = list(Indicator.objects.of_rubric(cycle.rubric).order_by("commitment__order", "order"))
    # Engaged all N/A, safe one level, nothing else answered.
    Response.objects.bulk_create(
        [
            Response(
                assessment=assessment, indicator=i, not_applicable=True, na_justification="No such service."
            )
            for i in indicators[0:3]
        ]
        + [Response(assessment=assessment, indicator=indicators[3], level=2)]
    )
    scores = assessment_scores(assessment)
    engaged, safe, effective = scores.commitments[:3]
    assert (engaged.score, engaged.answered, engaged.applicable, engaged.total) == (None, 3, 0, 3)
    assert (safe.score, safe.answered, safe.applicable) == (Decimal("2.00"), 1, 1)
    assert (effective.score, effective.answered) == (None, 0)
    assert scores.overall == Decimal("2.00")
    assert scores.completeness == Decimal("0.133")  # 4 of 30


def test_no_answers_at_all(cycle):
    assessment = f.AssessmentFactory(cycle=cycle)
    scores = assessment_scores(assessment)
    assert (scores.overall, scores.completeness, len(scores.commitments)) == (None, Decimal("0.000"), 10)


def test_scores_of_many_assessments_in_two_queries(cycle, django_assert_num_queries):
    assessments = []
    for level in (1, 2, 3, 4, 5):
        assessment = f.AssessmentFactory(cycle=cycle)
        f.answer_all(assessment, level)
        assessments.append(assessment)
    loaded = list(
        type(assessments[0]).objects.filter(pk__in=[a.pk for a in assessments]).select_related("cycle")
    )
    with django_assert_num_queries(2):
        scores = scores_for_assessments(loaded)
    assert sorted(s.overall for s in scores.values()) == [Decimal(f"{n}.00") for n in range(1, 6)]


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (None, None),
        (Decimal("1.00"), 1),
        (Decimal("3.67"), 3),
        (Decimal("3.99"), 3),
        (Decimal("4.00"), 4),
        (Decimal("5.00"), 5),
    ],
)
def test_level_for_score(score, level):
    assert level_for_score(score) == level
