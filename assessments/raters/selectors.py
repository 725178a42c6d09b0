"""Reads of rating rounds: the round's indicators, the assessor's progress view, the consensus page.

Anonymity: a rater group's ratings are shown only when at least settings.RATER_GROUP_MIN of its raters
have rated in the round (rated anything: "don't know" counts); a smaller group shows its count only.
Spread is the interquartile range (Q1-Q3, quartiles by linear interpolation between the closest ranks,
Python's statistics.quantiles(method="inclusive"), the same as Excel's QUARTILE.INC); one rating has no
spread (Q1 = Q3 = the rating).
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count

from commitments.selectors import rubric_outline

from ..models import Response
from .models import ConsensusDecision, Rater, RaterGroup, Rating, RatingRound

LEVELS = (1, 2, 3, 4, 5)
TWO_PLACES = Decimal("0.01")


def _decimal(value) -> Decimal:
    return Decimal(repr(float(value))).quantize(TWO_PLACES, rounding=ROUND_HALF_UP).normalize()


@dataclass(frozen=True)
class Spread:
    count: int
    median: Decimal
    q1: Decimal
    q3: Decimal

    @property
    def iqr(self) -> Decimal:
        return self.q3 - self.q1


def spread_of(counts: dict[int, int]) -> Spread | None:
    """Median and quartiles of ratings given as level -> how many; None without any rating."""
    values = [level for level in sorted(counts) for _ in range(counts[level])]
    if not values:
        return None
    if len(values) == 1:
        q1 = q3 = values[0]
    else:
        q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return Spread(len(values), _decimal(statistics.median(values)), _decimal(q1), _decimal(q3))


# ---------------------------------------------------------------------------------------------------------
# The round's indicators


def round_commitments(rating_round: RatingRound) -> list:
    """The outline's commitments the round covers (all when none were chosen), indicators prefetched."""
    cached = getattr(rating_round, "_outline_commitments", None)
    if cached is not None:
        return cached
    assessment = rating_round.assessment
    outline = rubric_outline(assessment.cycle.rubric, org_type=assessment.organization.org_type)
    chosen = set(rating_round.commitments.values_list("pk", flat=True))
    cached = [c for c in outline.commitments if not chosen or c.pk in chosen]
    rating_round._outline_commitments = cached
    return cached


def round_indicator_ids(rating_round: RatingRound) -> list[int]:
    return [i.pk for c in round_commitments(rating_round) for i in c.indicators.all()]


def rater_ratings(rater: Rater) -> dict[int, Rating]:
    return {r.indicator_id: r for r in Rating.objects.filter(rater=rater)}


# ---------------------------------------------------------------------------------------------------------
# Progress (for the assessor, while the round is open: who has rated how much, never what)


@dataclass(frozen=True)
class RaterProgress:
    rater: Rater
    rated: int
    total: int

    @property
    def finished(self) -> bool:
        return self.rated >= self.total


def round_progress(rating_round: RatingRound) -> list[RaterProgress]:
    total = len(round_indicator_ids(rating_round))
    # Explicitly ordered: Django leaves Meta.ordering out of queries that aggregate.
    raters = (
        Rater.objects.filter(round=rating_round)
        .select_related("group")
        .annotate(rated=Count("ratings"))
        .order_by("group__order", "group__name", "email")
    )
    return [RaterProgress(rater=r, rated=r.rated, total=total) for r in raters]


def group_respondents(rating_round: RatingRound) -> dict[int, int]:
    """Group id -> how many of its raters rated anything in the round (the anonymity count)."""
    rows = (
        Rating.objects.filter(rater__round=rating_round)
        .values("rater__group_id")
        .annotate(n=Count("rater_id", distinct=True))
    )
    return {row["rater__group_id"]: row["n"] for row in rows}


# ---------------------------------------------------------------------------------------------------------
# Consensus (after the round closes)


@dataclass
class GroupDistribution:
    group: RaterGroup
    respondents: int  # the group's raters who rated anything in the round
    shown: bool
    counts: dict[int, int] = field(default_factory=dict)  # level -> raters (only when shown)
    dont_know: int = 0
    spread: Spread | None = None

    @property
    def level_counts(self) -> list[int]:
        return [self.counts.get(level, 0) for level in LEVELS]


@dataclass
class IndicatorConsensus:
    indicator: object
    commitment: object
    groups: list[GroupDistribution]
    overall: Spread | None  # every shown group's ratings together
    official_level: int | None
    official_na: bool
    version: int
    decision: ConsensusDecision | None

    @property
    def median_gap(self) -> Decimal:
        medians = [g.spread.median for g in self.groups if g.shown and g.spread]
        return max(medians) - min(medians) if medians else Decimal(0)

    @property
    def disagreement(self) -> tuple:
        """Widest first: the spread of all shown ratings, then how far apart the group medians are."""
        return (self.overall.iqr if self.overall else Decimal(-1), self.median_gap)


@dataclass
class Consensus:
    rating_round: RatingRound
    minimum: int
    indicators: list[IndicatorConsensus]
    hidden_groups: list[GroupDistribution]


def consensus(rating_round: RatingRound) -> Consensus:
    """Per indicator of the round, each group's distribution; the widest disagreement first."""
    minimum = settings.RATER_GROUP_MIN
    commitments = round_commitments(rating_round)
    indicator_ids = [i.pk for c in commitments for i in c.indicators.all()]
    groups = list(RaterGroup.objects.filter(organization_id=rating_round.assessment.organization_id))
    respondents = group_respondents(rating_round)
    shown = {g.pk for g in groups if respondents.get(g.pk, 0) >= minimum}
    counts: dict = defaultdict(lambda: defaultdict(dict))  # indicator -> group -> level|"dk" -> n
    rows = (
        Rating.objects.filter(rater__round=rating_round, rater__group_id__in=shown)
        .values_list("indicator_id", "rater__group_id", "level", "dont_know")
        .annotate(n=Count("id"))
        .order_by()
    )
    for indicator_id, group_id, level, dont_know, n in rows:
        counts[indicator_id][group_id]["dk" if dont_know else level] = n
    responses = {
        r["indicator_id"]: r
        for r in Response.objects.filter(
            assessment_id=rating_round.assessment_id, indicator_id__in=indicator_ids
        ).values("indicator_id", "level", "not_applicable", "version")
    }
    decisions = {d.indicator_id: d for d in ConsensusDecision.objects.filter(round=rating_round)}
    rated_groups = [g for g in groups if respondents.get(g.pk)]
    result = []
    for commitment in commitments:
        for indicator in commitment.indicators.all():
            distributions, pooled = [], defaultdict(int)
            for group in rated_groups:
                distribution = GroupDistribution(group, respondents[group.pk], group.pk in shown)
                if distribution.shown:
                    given = counts[indicator.pk][group.pk]
                    distribution.dont_know = given.pop("dk", 0)
                    distribution.counts = given
                    distribution.spread = spread_of(given)
                    for level, n in given.items():
                        pooled[level] += n
                distributions.append(distribution)
            response = responses.get(indicator.pk, {})
            result.append(
                IndicatorConsensus(
                    indicator=indicator,
                    commitment=commitment,
                    groups=[d for d in distributions if d.shown],
                    overall=spread_of(pooled),
                    official_level=response.get("level"),
                    official_na=response.get("not_applicable", False),
                    version=response.get("version", 0),
                    decision=decisions.get(indicator.pk),
                )
            )
    result.sort(key=lambda row: tuple(-x for x in row.disagreement))  # stable: rubric order within ties
    hidden = [GroupDistribution(g, respondents[g.pk], False) for g in rated_groups if g.pk not in shown]
    return Consensus(rating_round=rating_round, minimum=minimum, indicators=result, hidden_groups=hidden)
