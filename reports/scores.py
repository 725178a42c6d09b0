"""The one module that computes an organization's scores. Pages, charts, PDFs and exports all use it.

- A commitment score is the mean of the maturity levels (1-5) given to its indicators. Indicators marked
  not applicable (N/A) and indicators not yet answered are left out of the mean.
- The overall score is the mean of the commitment scores (each commitment weighs the same, whatever its
  number of applicable indicators).
- Completeness is the share of indicators answered (a level or N/A) among all indicators of the rubric.

Scores are shown with two decimals, rounded half up. They are computed exactly (fractions) and rounded
once at the end, so the overall score is not thrown off by rounding the commitment scores first.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import Count, Q, Sum

from assessments.models import Response
from commitments.models import Commitment

TWO_PLACES = Decimal("0.01")
# The key of the overall score beside the commitment slugs (in statistics and the benchmark table).
OVERALL = "overall"


@dataclass(frozen=True)
class CommitmentScore:
    commitment_id: int
    slug: str
    name: str
    order: int
    score: Decimal | None
    answered: int  # indicators with a level or N/A
    applicable: int  # indicators with a level (the ones the score averages)
    total: int  # indicators of the commitment in the rubric
    exact: Fraction | None = field(default=None, compare=False, repr=False)  # the score before rounding


@dataclass(frozen=True)
class AssessmentScores:
    assessment_id: int
    commitments: list[CommitmentScore]
    overall: Decimal | None
    completeness: Decimal  # 0..1
    overall_exact: Fraction | None = field(default=None, compare=False, repr=False)

    def by_slug(self) -> dict[str, CommitmentScore]:
        return {c.slug: c for c in self.commitments}

    def benchmark_values(self) -> dict[str, float]:
        """The scores peer statistics are computed from: commitment slug (and OVERALL) -> float.

        The float nearest to the exact score, so that a statistic rounds as the exact value would; a
        benchmark release (reports.models.ReleasedResult) stores exactly these, and an excluded
        organization's value is found in a peer group's sorted scores by equality."""
        values = {c.slug: float(c.exact) for c in self.commitments if c.exact is not None}
        if self.overall_exact is not None:
            values[OVERALL] = float(self.overall_exact)
        return values


def to_decimal(value, places: Decimal = TWO_PLACES) -> Decimal | None:
    """A number (float from the database, Fraction) as a Decimal rounded half up; None stays None."""
    if value is None:
        return None
    if isinstance(value, Fraction):
        exact = Decimal(value.numerator) / Decimal(value.denominator)
    else:
        # repr() gives the shortest decimal that round-trips, so 2.675 rounds up as a person expects.
        exact = Decimal(repr(float(value)))
    return exact.quantize(places, rounding=ROUND_HALF_UP)


def level_for_score(score: Decimal | None) -> int | None:
    """The maturity level a score has fully reached: 3.67 -> 3 ("3 Defined")."""
    if score is None:
        return None
    return max(1, min(5, math.floor(score)))


def assessment_scores(assessment) -> AssessmentScores:
    return scores_for_assessments([assessment])[assessment.pk]


def scores_for_assessments(assessments: Iterable) -> dict[int, AssessmentScores]:
    """Scores of several assessments in two queries (load them with select_related("cycle"))."""
    assessments = list(assessments)
    if not assessments:
        return {}
    rubric_ids = {a.cycle.rubric_id for a in assessments}
    commitments_by_rubric: dict[int, list] = {}
    for commitment in (
        Commitment.objects.filter(rubric_id__in=rubric_ids)
        .annotate(total=Count("indicators"))
        .order_by("rubric_id", "order")
    ):
        commitments_by_rubric.setdefault(commitment.rubric_id, []).append(commitment)
    counts = {
        (row["assessment_id"], row["indicator__commitment_id"]): row
        for row in Response.objects.filter(assessment__in=[a.pk for a in assessments])
        .values("assessment_id", "indicator__commitment_id")
        .annotate(
            answered=Count("id", filter=Q(level__isnull=False) | Q(not_applicable=True)),
            applicable=Count("level"),
            level_sum=Sum("level"),
        )
        .order_by()
    }
    result = {}
    for assessment in assessments:
        commitment_scores = []
        exact_scores = []
        for commitment in commitments_by_rubric.get(assessment.cycle.rubric_id, []):
            row = counts.get((assessment.pk, commitment.pk), {})
            applicable = row.get("applicable", 0)
            exact = Fraction(row["level_sum"], applicable) if applicable else None
            if exact is not None:
                exact_scores.append(exact)
            commitment_scores.append(
                CommitmentScore(
                    commitment_id=commitment.pk,
                    slug=commitment.slug,
                    name=commitment.name,
                    order=commitment.order,
                    score=to_decimal(exact),
                    answered=row.get("answered", 0),
                    applicable=applicable,
                    total=commitment.total,
                    exact=exact,
                )
            )
        total = sum(c.total for c in commitment_scores)
        answered = sum(c.answered for c in commitment_scores)
        overall = sum(exact_scores) / len(exact_scores) if exact_scores else None
        result[assessment.pk] = AssessmentScores(
            assessment_id=assessment.pk,
            commitments=commitment_scores,
            overall=to_decimal(overall),
            completeness=to_decimal(Fraction(answered, total) if total else Fraction(0), Decimal("0.001")),
            overall_exact=overall,
        )
    return result
