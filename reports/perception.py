"""The perception gap: how each rater group sees a commitment beside the organization's official score.

From the assessment's latest closed rating round (assessments/raters). Per commitment of the round:
- the official score (reports.scores: the mean of the official levels);
- each rater group's median of its raters' levels on the commitment's indicators ("don't know" left out),
  with the interquartile range (Q1-Q3, inclusive quartiles: assessments/raters/selectors.py); only for the
  groups with at least settings.RATER_GROUP_MIN raters who rated in the round, the others by count only;
- the gap, group median minus official score; the widest gaps (at least FINDING_MIN_GAP) are findings.
Shown by the organization dashboard and the PDF scorecard (reports/perception/_gap*.html).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from assessments.models import Assessment
from assessments.raters.models import RaterGroup, Rating, RatingRound
from assessments.raters.selectors import Spread, group_respondents, round_commitments, spread_of

from .scores import assessment_scores

FINDING_MIN_GAP = Decimal("0.5")
MAX_FINDINGS = 5


@dataclass(frozen=True)
class GroupView:
    group: str
    spread: Spread
    gap: Decimal | None  # group median - official score

    @property
    def gap_text(self) -> str:
        return "" if self.gap is None else f"{self.gap:+.2f}"


@dataclass
class CommitmentView:
    name: str
    order: int
    official: Decimal | None
    groups: list[GroupView] = field(default_factory=list)
    row: list[GroupView | None] = field(default_factory=list)  # the table's cells, one per shown group

    def cells(self, names: list[str]) -> list[GroupView | None]:
        """One per shown group, in the table's column order (None: the group rated none of it)."""
        by_name = {g.group: g for g in self.groups}
        return [by_name.get(name) for name in names]


@dataclass(frozen=True)
class Finding:
    commitment: str
    view: GroupView
    official: Decimal

    @property
    def sentence(self) -> str:
        view = self.view
        direction = "above" if view.gap > 0 else "below"
        return (
            f"{view.group} rate {self.commitment} {abs(view.gap):.2f} {direction} the official score "
            f"(median {view.spread.median} against {self.official})."
        )


@dataclass
class PerceptionGap:
    rating_round: RatingRound
    minimum: int
    group_names: list[str]
    commitments: list[CommitmentView]
    findings: list[Finding]
    hidden: list[tuple[str, int]]  # groups too small to show: (name, raters)


def latest_closed_round(assessment: Assessment) -> RatingRound | None:
    closed = Q(status=RatingRound.Status.CLOSED) | Q(closes_on__lt=timezone.localdate())
    return (
        RatingRound.objects.filter(closed, assessment_id=assessment.pk)
        .select_related("assessment__cycle__rubric", "assessment__organization")
        .order_by("-opened_at")
        .first()
    )


def perception_gap(assessment: Assessment) -> PerceptionGap | None:
    """The perception gap of the assessment's latest closed rating round; None without one."""
    rating_round = latest_closed_round(assessment)
    if rating_round is None:
        return None
    minimum = settings.RATER_GROUP_MIN
    respondents = group_respondents(rating_round)
    if not respondents:
        return None
    groups = list(RaterGroup.objects.filter(pk__in=respondents))
    shown = [g for g in groups if respondents[g.pk] >= minimum]
    counts: dict = {}
    rows = (
        Rating.objects.filter(rater__round=rating_round, rater__group__in=shown, level__isnull=False)
        .values_list("indicator__commitment_id", "rater__group_id", "level")
        .annotate(n=Count("id"))
        .order_by()
    )
    for commitment_id, group_id, level, n in rows:
        counts.setdefault((commitment_id, group_id), {})[level] = n
    official = {c.commitment_id: c.score for c in assessment_scores(rating_round.assessment).commitments}
    views, findings = [], []
    for commitment in round_commitments(rating_round):
        score = official.get(commitment.pk)
        view = CommitmentView(name=commitment.name, order=commitment.order, official=score)
        for group in shown:
            spread = spread_of(counts.get((commitment.pk, group.pk), {}))
            if spread is None:
                continue
            gap = spread.median - score if score is not None else None
            view.groups.append(GroupView(group=group.name, spread=spread, gap=gap))
            if gap is not None and abs(gap) >= FINDING_MIN_GAP:
                findings.append(Finding(commitment.name, view.groups[-1], score))
        view.row = view.cells([g.name for g in shown])
        views.append(view)
    findings.sort(key=lambda f: -abs(f.view.gap))  # stable: rubric and group order within ties
    return PerceptionGap(
        rating_round=rating_round,
        minimum=minimum,
        group_names=[g.name for g in shown],
        commitments=views,
        findings=findings[:MAX_FINDINGS],
        hidden=[(g.name, respondents[g.pk]) for g in groups if g not in shown],
    )
