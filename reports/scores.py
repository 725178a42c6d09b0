"""The one module that computes an organization's scores. Pages, charts, PDFs and exports all use it.

- A commitment score is the mean of the maturity levels (1-5) given to its indicators. Indicators marked
  not applicable (N/A) and indicators not yet answered are left out of the mean.
- The overall score is the mean of the commitment scores (each commitment weighs the same, whatever its
  number of applicable indicators).
- Completeness is the share of indicators answered (a level or N/A) among the indicators of the rubric that
  apply to the organization's type (Indicator.applies_to); the others are not shown, answered or counted.
- Each score says how many of its indicators were marked N/A, so that N/A never raises a score unseen.

Scores are shown with two decimals, rounded half up. They are computed exactly (fractions) and rounded
once at the end, so the overall score is not thrown off by rounding the commitment scores first.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import Count, Q, Sum

from assessments.models import Assessment, Organization, Response
from commitments.models import Indicator

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
    total: int  # indicators of the commitment in the rubric that apply to the organization's type
    not_applicable: int = 0  # indicators marked N/A (left out of the score)
    exact: Fraction | None = field(default=None, compare=False, repr=False)  # the score before rounding
    # How many indicators sit at each level, 1 to 5: a mean of 5, 5 and 1 reads "3 Defined" (issue 19).
    levels: tuple[int, ...] = (0, 0, 0, 0, 0)

    @property
    def level_sum(self) -> int:
        return sum(level * count for level, count in enumerate(self.levels, start=1))


@dataclass(frozen=True)
class AssessmentScores:
    assessment_id: int
    commitments: list[CommitmentScore]
    overall: Decimal | None
    completeness: Decimal  # 0..1
    overall_exact: Fraction | None = field(default=None, compare=False, repr=False)

    @property
    def not_applicable(self) -> int:
        """How many indicators were marked N/A: scores say it beside the mean they left them out of."""
        return sum(c.not_applicable for c in self.commitments)

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


@dataclass(frozen=True)
class _Commitment:
    pk: int
    slug: str
    name: str
    order: int
    applies_to: list  # of each of its indicators (an empty list: every type)

    def total(self, org_type: str) -> int:
        return sum(1 for types in self.applies_to if not types or org_type in types)


def scores_for_assessments(assessments: Iterable) -> dict[int, AssessmentScores]:
    """Scores of several assessments in two queries (load them with select_related("cycle")); a third
    only for assessments without answers whose organization is not loaded (its type sets the totals)."""
    assessments = list(assessments)
    if not assessments:
        return {}
    rubric_ids = {a.cycle.rubric_id for a in assessments}
    commitments: dict[int, _Commitment] = {}
    commitments_by_rubric: dict[int, list[_Commitment]] = {}
    for row in (
        Indicator.objects.filter(commitment__rubric_id__in=rubric_ids)
        .order_by("commitment__rubric_id", "commitment__order", "order")
        .values(
            "commitment_id",
            "commitment__rubric_id",
            "commitment__slug",
            "commitment__name",
            "commitment__order",
            "applies_to",
        )
    ):
        commitment = commitments.get(row["commitment_id"])
        if commitment is None:
            commitment = commitments[row["commitment_id"]] = _Commitment(
                row["commitment_id"],
                row["commitment__slug"],
                row["commitment__name"],
                row["commitment__order"],
                [],
            )
            commitments_by_rubric.setdefault(row["commitment__rubric_id"], []).append(commitment)
        commitment.applies_to.append(row["applies_to"])
    counts = {
        (row["assessment_id"], row["indicator__commitment_id"]): row
        for row in Response.objects.filter(assessment__in=[a.pk for a in assessments])
        .values("assessment_id", "indicator__commitment_id", "assessment__organization__org_type")
        .annotate(
            answered=Count("id", filter=Q(level__isnull=False) | Q(not_applicable=True)),
            applicable=Count("level"),
            not_applicable=Count("id", filter=Q(not_applicable=True)),
            level_sum=Sum("level"),
            **{f"at_{level}": Count("id", filter=Q(level=level)) for level in range(1, 6)},
        )
        .order_by()
    }
    org_types = _org_types(assessments, counts)
    result = {}
    for assessment in assessments:
        commitment_scores = []
        exact_scores = []
        org_type = org_types[assessment.pk]
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
                    total=commitment.total(org_type),
                    not_applicable=row.get("not_applicable", 0),
                    exact=exact,
                    levels=tuple(row.get(f"at_{level}", 0) for level in range(1, 6)),
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


def _org_types(assessments: list, counts: dict) -> dict[int, str]:
    """{assessment id: its organization's type}, read with the answers, else from a loaded organization."""
    org_types = {key[0]: row["assessment__organization__org_type"] for key, row in counts.items()}
    for assessment in assessments:
        if assessment.pk not in org_types and Assessment.organization.is_cached(assessment):
            org_types[assessment.pk] = assessment.organization.org_type
    missing = {a.organization_id for a in assessments if a.pk not in org_types}
    if missing:
        by_org = dict(Organization.objects.filter(pk__in=missing).values_list("pk", "org_type"))
        for assessment in assessments:
            org_types.setdefault(assessment.pk, by_org[assessment.organization_id])
    return org_types
