"""Build a plan from results: the commitments of an assessment, biggest gap against the peer median first,
with the target to aim for and, per indicator, what the next level asks for."""

import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from assessments.models import Assessment, Response
from commitments.models import Indicator, LevelDescriptor, MaturityLevel, level_label

from ..peer_groups import PeerGroup
from ..scores import assessment_scores, level_for_score
from ..selectors import org_benchmark
from .models import CommitmentTarget, ImprovementAction
from .selectors import CENT, as_decimal


def suggested_target(score: Decimal | None) -> Decimal | None:
    """One whole level up from where the commitment stands (2.33 -> 3.00), at most 5.00."""
    if score is None:
        return None
    return min(Decimal(math.floor(score) + 1), Decimal(5)).quantize(CENT)


def level_name(value: Decimal | None) -> str:
    """'3 Defined' for 3.00 or 3.40: the level a score has fully reached."""
    if value is None:
        return ""
    return level_label(level_for_score(value))


@dataclass(frozen=True)
class IndicatorSuggestion:
    indicator_id: int
    code: str
    title: str
    current_level: int | None
    not_applicable: bool
    next_level: int | None
    next_descriptor: str
    in_plan: bool  # an action of the plan already names this indicator

    @property
    def current_label(self) -> str:
        if self.not_applicable:
            return "Not applicable"
        return level_label(self.current_level) if self.current_level else "Not answered"

    @property
    def next_label(self) -> str:
        return level_label(self.next_level) if self.next_level else ""

    @property
    def at_top(self) -> bool:
        return self.current_level == MaturityLevel.LEARNING

    @property
    def suggested_title(self) -> str:
        return f"{self.code}: reach level {self.next_label}" if self.next_level else ""


@dataclass(frozen=True)
class CommitmentSuggestion:
    commitment_id: int
    slug: str
    name: str
    order: int
    score: Decimal | None
    reference: Decimal | None  # the peer median, or the organization's own overall mean
    gap: Decimal | None  # reference - score: how far behind (positive) or ahead (negative)
    suggested_target: Decimal | None
    current_target: Decimal | None
    actions_in_plan: int
    indicators: list[IndicatorSuggestion]

    @property
    def score_label(self) -> str:
        return level_name(self.score)

    @property
    def suggested_target_label(self) -> str:
        return level_name(self.suggested_target)

    @property
    def actionable_indicators(self) -> list[IndicatorSuggestion]:
        """Indicators with a next level below the suggested target: where the actions should go."""
        if self.suggested_target is None:
            return []
        return [
            i
            for i in self.indicators
            if i.next_level is not None and (i.current_level or 0) < self.suggested_target
        ]

    @property
    def actions_to_add(self) -> list[IndicatorSuggestion]:
        """The actionable indicators that no action of the plan names yet: one action each."""
        return [i for i in self.actionable_indicators if not i.in_plan]


@dataclass(frozen=True)
class PlanSuggestions:
    assessment: Assessment
    peer_group: str
    peer_group_label: str
    peer_suppressed: bool  # too few peers: gaps are against the organization's own overall mean
    reference_label: str
    overall: Decimal | None
    commitments: list[CommitmentSuggestion]


def plan_suggestions(*, assessment: Assessment, peer_group: str = PeerGroup.ALL) -> PlanSuggestions:
    """The commitments of an assessment, biggest gap against the peer median first, with what to aim for.

    If the peer group is too small to show (suppressed), the gap is measured against the organization's own
    overall mean instead, so the suggestions still point at its weakest commitments.
    """
    if peer_group not in PeerGroup.values:
        peer_group = PeerGroup.ALL
    benchmark = org_benchmark(assessment=assessment, peer_group=peer_group)
    scores = assessment_scores(assessment)
    overall = as_decimal(scores.overall)
    by_slug = {c.slug: c for c in benchmark.commitments}
    peer_suppressed = benchmark.suppressed
    reference_label = f"your overall mean ({overall})" if peer_suppressed else "the peer median"

    responses = {
        r.indicator_id: r
        for r in Response.objects.filter(assessment=assessment).only(
            "indicator_id", "level", "not_applicable"
        )
    }
    indicators = list(
        Indicator.objects.of_rubric(assessment.cycle.rubric_id).order_by("commitment__order", "order")
    )
    descriptors = {
        (d.indicator_id, d.level): d.text
        for d in LevelDescriptor.objects.filter(indicator__commitment__rubric_id=assessment.cycle.rubric_id)
    }
    targets = dict(
        CommitmentTarget.objects.filter(
            organization_id=assessment.organization_id, cycle_id=assessment.cycle_id
        ).values_list("commitment_id", "target_level")
    )
    # One row per (action, indicator) pair; an action without indicators gives one row with None.
    action_rows = ImprovementAction.objects.filter(
        organization_id=assessment.organization_id, cycle_id=assessment.cycle_id
    ).values_list("pk", "commitment_id", "indicators")
    actions_of_commitment = defaultdict(set)
    planned_indicators = set()
    for action_id, commitment_id, indicator_id in action_rows:
        actions_of_commitment[commitment_id].add(action_id)
        planned_indicators.add(indicator_id)

    indicators_by_commitment = defaultdict(list)
    for indicator in indicators:
        response = responses.get(indicator.pk)
        level = response.level if response else None
        not_applicable = bool(response and response.not_applicable)
        next_level = None if not_applicable or level == 5 else (level or 0) + 1
        indicators_by_commitment[indicator.commitment_id].append(
            IndicatorSuggestion(
                indicator_id=indicator.pk,
                code=indicator.code,
                title=indicator.title,
                current_level=level,
                not_applicable=not_applicable,
                next_level=next_level,
                next_descriptor=descriptors.get((indicator.pk, next_level), "") if next_level else "",
                in_plan=indicator.pk in planned_indicators,
            )
        )

    suggestions = []
    for commitment_score in scores.commitments:
        score = as_decimal(commitment_score.score)
        bench = by_slug.get(commitment_score.slug)
        if peer_suppressed:
            reference = overall
        else:
            reference = as_decimal(bench.peer.median) if bench is not None and bench.peer else None
        gap = reference - score if reference is not None and score is not None else None
        suggestions.append(
            CommitmentSuggestion(
                commitment_id=commitment_score.commitment_id,
                slug=commitment_score.slug,
                name=commitment_score.name,
                order=commitment_score.order,
                score=score,
                reference=reference,
                gap=gap,
                suggested_target=suggested_target(score),
                current_target=targets.get(commitment_score.commitment_id),
                actions_in_plan=len(actions_of_commitment[commitment_score.commitment_id]),
                indicators=indicators_by_commitment[commitment_score.commitment_id],
            )
        )
    # Biggest gap first; commitments without a gap (no score, no peers) last, in rubric order.
    suggestions.sort(key=lambda s: (s.gap is None, -(s.gap or 0), s.order))
    return PlanSuggestions(
        assessment=assessment,
        peer_group=peer_group,
        peer_group_label=PeerGroup(peer_group).label,
        peer_suppressed=peer_suppressed,
        reference_label=reference_label,
        overall=overall,
        commitments=suggestions,
    )


def chosen_suggestions(suggestions: PlanSuggestions, *, slugs) -> list[CommitmentSuggestion]:
    """The commitments ticked to start the plan with (those with a target to suggest); unknown slugs are
    ignored. services.plan_start_from_suggestions sets their targets and adds their `actions_to_add`."""
    chosen = set(slugs)
    return [s for s in suggestions.commitments if s.slug in chosen and s.suggested_target is not None]
