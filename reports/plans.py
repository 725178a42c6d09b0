"""Improvement plans read together with results: suggestions from the gaps, the plan page, the review of last
cycle's targets against what was achieved, and the field-wide view for NAM staff.

The learning loop: a cycle's results -> targets and actions (the plan of that cycle) -> the NEXT cycle's
results say whether each target was met. Every selector here runs a fixed number of queries, whatever the
number of targets, actions or organizations.
"""

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.utils import timezone

from assessments.models import (
    ActionNote,
    Assessment,
    AssessmentCycle,
    CommitmentTarget,
    ImprovementAction,
    Organization,
    Response,
)
from assessments.services.plans import SuggestedActionInput, SuggestedCommitmentInput
from commitments.models import Commitment, Indicator, LevelDescriptor, MaturityLevel, level_label

from .peer_groups import PeerGroup
from .scores import assessment_scores, level_for_score, scores_for_assessments, to_decimal
from .selectors import org_benchmark

CENT = Decimal("0.01")
OUTCOME_MET = "met"
OUTCOME_NOT_MET = "not_met"
OUTCOME_NO_RESULT = "no_result"
OUTCOME_LABELS = {OUTCOME_MET: "Met", OUTCOME_NOT_MET: "Not met", OUTCOME_NO_RESULT: "No result yet"}
OPEN_STATUSES = (ImprovementAction.Status.PLANNED, ImprovementAction.Status.IN_PROGRESS)


def as_decimal(value) -> Decimal | None:
    """Scores and peer statistics as two-decimal Decimals, as the pages show them (and compare them)."""
    return to_decimal(value, CENT)


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


def next_cycle_of(cycle: AssessmentCycle) -> AssessmentCycle | None:
    return AssessmentCycle.objects.filter(opens_on__gt=cycle.opens_on).order_by("opens_on").first()


def submitted_assessment(*, organization: Organization, cycle: AssessmentCycle | None) -> Assessment | None:
    if cycle is None:
        return None
    return (
        Assessment.objects.submitted()
        .filter(organization=organization, cycle=cycle)
        .select_related("cycle", "organization")
        .first()
    )


def default_plan_cycle(organization: Organization) -> AssessmentCycle | None:
    """The cycle whose plan a team works on now: its latest results, else its latest plan, else the latest
    cycle that opened."""
    latest_result = (
        Assessment.objects.submitted()
        .filter(organization=organization)
        .select_related("cycle")
        .order_by("-cycle__opens_on")
        .first()
    )
    if latest_result is not None:
        return latest_result.cycle
    planned = (
        AssessmentCycle.objects.filter(
            Q(targets__organization=organization) | Q(actions__organization=organization)
        )
        .order_by("-opens_on")
        .first()
    )
    return planned or AssessmentCycle.objects.exclude(status=AssessmentCycle.Status.UPCOMING).first()


def plan_cycles(organization: Organization) -> list[AssessmentCycle]:
    """Cycles worth offering in the plan's cycle picker: those with results or a plan of the organization."""
    return list(
        AssessmentCycle.objects.filter(
            Q(assessments__organization=organization, assessments__status__in=["submitted", "validated"])
            | Q(targets__organization=organization)
            | Q(actions__organization=organization)
        )
        .distinct()
        .order_by("-opens_on")
    )


# ---------------------------------------------------------------------------------------------------------
# Suggestions: "Build from results"


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


def suggestion_inputs(suggestions: PlanSuggestions, *, slugs) -> list[SuggestedCommitmentInput]:
    """What plan_start_from_suggestions needs for the chosen commitments: the suggested target and one
    action per indicator below it that the plan does not name yet. Unknown slugs are ignored."""
    chosen = set(slugs)
    picked = [s for s in suggestions.commitments if s.slug in chosen and s.suggested_target is not None]
    if not picked:
        return []
    rubric_id = suggestions.assessment.cycle.rubric_id
    commitments = Commitment.objects.in_bulk([s.commitment_id for s in picked])
    indicators = Indicator.objects.filter(commitment__rubric_id=rubric_id).in_bulk()
    return [
        SuggestedCommitmentInput(
            commitment=commitments[s.commitment_id],
            target_level=s.suggested_target,
            actions=[
                SuggestedActionInput(
                    indicator=indicators[i.indicator_id],
                    title=i.suggested_title,
                    description=i.next_descriptor,
                )
                for i in s.actionable_indicators
                if not i.in_plan
            ],
        )
        for s in picked
    ]


# ---------------------------------------------------------------------------------------------------------
# The plan page


@dataclass
class CommitmentPlan:
    commitment: Commitment
    target: CommitmentTarget | None
    score: Decimal | None  # the commitment's score in the plan's cycle (where the plan starts from)
    actions: list[ImprovementAction]
    actions_total: int  # before the owner/status filters
    actions_done: int

    @property
    def target_level(self) -> Decimal | None:
        return self.target.target_level if self.target else None

    @property
    def is_empty(self) -> bool:
        return self.target is None and self.actions_total == 0

    @property
    def key_actions(self) -> list[ImprovementAction]:
        """The actions worth printing: all but the dropped ones."""
        return [a for a in self.actions if a.status != ImprovementAction.Status.DROPPED]


@dataclass
class PlanOverview:
    organization: Organization
    cycle: AssessmentCycle
    has_results: bool
    commitments: list[CommitmentPlan]
    counts: dict[str, int]  # planned, in_progress, done, dropped, overdue, no_owner, total, targets
    owner_filter: int | None
    status_filter: str | None
    filtered_count: int
    upcoming: list[ImprovementAction] = field(default_factory=list)  # open actions due in the next 30 days

    @property
    def is_filtered(self) -> bool:
        return self.owner_filter is not None or bool(self.status_filter)

    @property
    def has_plan(self) -> bool:
        return self.counts["total"] > 0 or self.counts["targets"] > 0

    @property
    def planned_commitments(self) -> list[CommitmentPlan]:
        return [c for c in self.commitments if not c.is_empty]

    @property
    def unplanned_commitments(self) -> list[CommitmentPlan]:
        return [c for c in self.commitments if c.is_empty]


def plan_actions(*, organization: Organization, cycle: AssessmentCycle):
    """The plan's actions with everything a page or export shows, in three queries."""
    return (
        ImprovementAction.objects.filter(organization=organization, cycle=cycle)
        .select_related("owner", "commitment")
        .prefetch_related(
            Prefetch("indicators", queryset=Indicator.objects.order_by("order")),
            Prefetch("notes", queryset=ActionNote.objects.select_related("author")),
        )
        .order_by("commitment__order", "due_date", "pk")
    )


DUE_SOON_DAYS = 30


def _is_due_soon(action: ImprovementAction, today) -> bool:
    return bool(
        action.status in OPEN_STATUSES
        and action.due_date
        and today <= action.due_date <= today + datetime.timedelta(days=DUE_SOON_DAYS)
    )


def _matches(action: ImprovementAction, *, owner: int | None, status: str | None, today) -> bool:
    if owner is not None and (action.owner_id or 0) != owner:
        return False
    if status == "open":
        return action.status in OPEN_STATUSES
    if status == "overdue":
        return action.is_overdue
    if status == "due_soon":
        return _is_due_soon(action, today)
    return not status or action.status == status


def plan_overview(
    *, organization: Organization, cycle: AssessmentCycle, owner: int | None = None, status: str | None = None
) -> PlanOverview:
    """Targets and actions by commitment; `owner` is a user id (0: actions without an owner), `status` a
    status or "open", "overdue", "due_soon" (open and due in the next 30 days)."""
    commitments = list(Commitment.objects.filter(rubric_id=cycle.rubric_id).order_by("order"))
    targets = {
        t.commitment_id: t
        for t in CommitmentTarget.objects.filter(organization=organization, cycle=cycle).select_related(
            "updated_by"
        )
    }
    actions = list(plan_actions(organization=organization, cycle=cycle))
    assessment = submitted_assessment(organization=organization, cycle=cycle)
    scores = {}
    if assessment is not None:
        scores = {c.commitment_id: as_decimal(c.score) for c in assessment_scores(assessment).commitments}

    counts = dict.fromkeys(["planned", "in_progress", "done", "dropped", "overdue", "no_owner"], 0)
    by_commitment = defaultdict(list)
    done_by_commitment = defaultdict(int)
    total_by_commitment = defaultdict(int)
    filtered_count = 0
    today = timezone.localdate()
    upcoming = []
    for action in actions:
        counts[action.status] += 1
        counts["overdue"] += action.is_overdue
        counts["no_owner"] += action.owner_id is None and action.status in OPEN_STATUSES
        total_by_commitment[action.commitment_id] += 1
        done_by_commitment[action.commitment_id] += action.status == ImprovementAction.Status.DONE
        if _is_due_soon(action, today):
            upcoming.append(action)
        if _matches(action, owner=owner, status=status, today=today):
            by_commitment[action.commitment_id].append(action)
            filtered_count += 1
    counts["total"] = len(actions)
    counts["targets"] = len(targets)
    upcoming.sort(key=lambda a: (a.due_date, a.pk))
    return PlanOverview(
        organization=organization,
        cycle=cycle,
        has_results=assessment is not None,
        commitments=[
            CommitmentPlan(
                commitment=c,
                target=targets.get(c.pk),
                score=scores.get(c.pk),
                actions=by_commitment[c.pk],
                actions_total=total_by_commitment[c.pk],
                actions_done=done_by_commitment[c.pk],
            )
            for c in commitments
        ],
        counts=counts,
        owner_filter=owner,
        status_filter=status or None,
        filtered_count=filtered_count,
        upcoming=upcoming,
    )


# ---------------------------------------------------------------------------------------------------------
# The review: targets of a cycle's plan against the next cycle's results


@dataclass(frozen=True)
class TargetReviewRow:
    slug: str
    name: str
    order: int
    target: Decimal | None
    achieved: Decimal | None
    outcome: str  # met / not_met / no_result ("" when the commitment has actions but no target)
    actions_done: int
    actions_total: int
    done_titles: list[str]

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS.get(self.outcome, "No target set")

    @property
    def difference(self) -> Decimal | None:
        if self.target is None or self.achieved is None:
            return None
        return self.achieved - self.target


@dataclass(frozen=True)
class TargetReview:
    organization: Organization
    cycle: AssessmentCycle  # the plan's cycle
    next_cycle: AssessmentCycle | None  # where the results that judge it come from
    has_result: bool
    rows: list[TargetReviewRow]

    @property
    def met(self) -> int:
        return sum(r.outcome == OUTCOME_MET for r in self.rows)

    @property
    def not_met(self) -> int:
        return sum(r.outcome == OUTCOME_NOT_MET for r in self.rows)

    @property
    def targets(self) -> int:
        return sum(r.target is not None for r in self.rows)

    @property
    def actions_done(self) -> int:
        return sum(r.actions_done for r in self.rows)

    @property
    def actions_total(self) -> int:
        return sum(r.actions_total for r in self.rows)

    @property
    def is_empty(self) -> bool:
        return not self.rows


def outcome_for(target: Decimal | None, achieved: Decimal | None, *, has_result: bool) -> str:
    if target is None:
        return ""
    if not has_result or achieved is None:
        return OUTCOME_NO_RESULT
    return OUTCOME_MET if achieved >= target else OUTCOME_NOT_MET


def target_review(
    *,
    organization: Organization,
    cycle: AssessmentCycle,
    next_cycle: AssessmentCycle | None = None,
    achieved: dict[str, Decimal | None] | None = None,
) -> TargetReview:
    """For the plan of `cycle`: each commitment's target against the score achieved in the NEXT cycle, and
    which of its actions were done. Commitments are matched by slug, so a new rubric version compares too.

    A caller that already holds the later results (the dashboard: `next_cycle` and {slug: score}) passes them,
    which saves the three queries that would look them up again."""
    if achieved is None:
        next_cycle = next_cycle_of(cycle)
    # Plain values rather than model instances: this runs on every dashboard view with earlier results.
    commitment_fields = ("commitment_id", "commitment__slug", "commitment__name", "commitment__order")
    targets = list(
        CommitmentTarget.objects.filter(organization=organization, cycle=cycle).values_list(
            *commitment_fields, "target_level", named=True
        )
    )
    actions = list(
        ImprovementAction.objects.filter(organization=organization, cycle=cycle)
        .order_by("commitment__order", "due_date", "pk")
        .values_list(*commitment_fields, "status", "title", named=True)
    )
    if achieved is None:
        assessment = submitted_assessment(organization=organization, cycle=next_cycle)
        has_result = assessment is not None
        achieved = {}
        if assessment is not None:
            achieved = {c.slug: as_decimal(c.score) for c in assessment_scores(assessment).commitments}
    else:
        has_result = True

    commitments = {row.commitment_id: row for row in [*targets, *actions]}  # any row names its commitment
    target_by_commitment = {t.commitment_id: t.target_level for t in targets}
    actions_by_commitment = defaultdict(list)
    for action in actions:
        actions_by_commitment[action.commitment_id].append(action)
    rows = []
    for commitment in sorted(commitments.values(), key=lambda c: c.commitment__order):
        target = target_by_commitment.get(commitment.commitment_id)
        score = achieved.get(commitment.commitment__slug)
        its_actions = actions_by_commitment[commitment.commitment_id]
        done = [a.title for a in its_actions if a.status == ImprovementAction.Status.DONE]
        rows.append(
            TargetReviewRow(
                slug=commitment.commitment__slug,
                name=commitment.commitment__name,
                order=commitment.commitment__order,
                target=target,
                achieved=score,
                outcome=outcome_for(target, score, has_result=has_result),
                actions_done=len(done),
                actions_total=len(its_actions),
                done_titles=done,
            )
        )
    return TargetReview(
        organization=organization,
        cycle=cycle,
        next_cycle=next_cycle,
        has_result=has_result,
        rows=rows,
    )


# ---------------------------------------------------------------------------------------------------------
# NAM staff: the field's plans


@dataclass(frozen=True)
class FieldCommitmentRow:
    slug: str
    name: str
    order: int
    organizations_with_target: int
    met: int
    not_met: int
    no_result: int
    actions_total: int
    actions_done: int
    actions_dropped: int

    @property
    def completion_rate(self) -> Decimal | None:
        """Share of the commitment's actions that were done, in percent."""
        if not self.actions_total:
            return None
        return (Decimal(100) * self.actions_done / self.actions_total).quantize(Decimal("0.1"))

    @property
    def met_rate(self) -> Decimal | None:
        judged = self.met + self.not_met
        if not judged:
            return None
        return (Decimal(100) * self.met / judged).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class FieldPlanSummary:
    cycle: AssessmentCycle
    next_cycle: AssessmentCycle | None
    organizations_with_results: int
    organizations_with_plan: int
    organizations_with_targets: int
    organizations_with_actions: int
    targets_total: int
    targets_met: int
    targets_not_met: int
    actions_total: int
    actions_done: int
    actions_overdue: int
    commitments: list[FieldCommitmentRow]

    @property
    def targets_without_result(self) -> int:
        return self.targets_total - self.targets_met - self.targets_not_met

    @property
    def most_completed(self) -> list[FieldCommitmentRow]:
        """Commitments whose actions are most often completed first (those with none completed left out)."""
        rows = [r for r in self.commitments if r.actions_done]  # a zero is no rank: "1. Fair: 0.0% done"
        return sorted(rows, key=lambda r: (-r.completion_rate, -r.actions_done, r.order))


def field_plan_summary(*, cycle: AssessmentCycle) -> FieldPlanSummary:
    """How the field plans: who has a plan for `cycle`, which targets were met in the next cycle, which
    commitments' actions get done. Counts only; no organization is named."""
    next_cycle = next_cycle_of(cycle)
    commitments = list(Commitment.objects.filter(rubric_id=cycle.rubric_id).order_by("order"))
    targets = list(
        CommitmentTarget.objects.filter(cycle=cycle).values_list(
            "organization_id", "commitment_id", "target_level"
        )
    )
    actions = list(
        ImprovementAction.objects.filter(cycle=cycle).values_list(
            "organization_id", "commitment_id", "status", "due_date"
        )
    )
    with_results = Assessment.objects.submitted().filter(cycle=cycle).count()
    achieved = cycle_commitment_scores(cycle=next_cycle) if next_cycle else {}
    slug_of = {c.pk: c.slug for c in commitments}

    per_commitment = {
        c.pk: {"orgs": set(), "met": 0, "not_met": 0, "no_result": 0, "total": 0, "done": 0, "dropped": 0}
        for c in commitments
    }
    met = not_met = 0
    for organization_id, commitment_id, target_level in targets:
        row = per_commitment.get(commitment_id)
        if row is None:
            continue
        row["orgs"].add(organization_id)
        org_scores = achieved.get(organization_id)
        outcome = outcome_for(
            target_level,
            org_scores.get(slug_of[commitment_id]) if org_scores else None,
            has_result=org_scores is not None,
        )
        row[outcome] += 1
        met += outcome == OUTCOME_MET
        not_met += outcome == OUTCOME_NOT_MET
    today = timezone.localdate()
    overdue = done = 0
    for _organization_id, commitment_id, status, due_date in actions:
        row = per_commitment.get(commitment_id)
        if row is None:
            continue
        row["total"] += 1
        row["done"] += status == ImprovementAction.Status.DONE
        row["dropped"] += status == ImprovementAction.Status.DROPPED
        done += status == ImprovementAction.Status.DONE
        overdue += bool(due_date and status in OPEN_STATUSES and due_date < today)
    orgs_with_targets = {t[0] for t in targets}
    orgs_with_actions = {a[0] for a in actions}
    return FieldPlanSummary(
        cycle=cycle,
        next_cycle=next_cycle,
        organizations_with_results=with_results,
        organizations_with_plan=len(orgs_with_targets | orgs_with_actions),
        organizations_with_targets=len(orgs_with_targets),
        organizations_with_actions=len(orgs_with_actions),
        targets_total=len(targets),
        targets_met=met,
        targets_not_met=not_met,
        actions_total=len(actions),
        actions_done=done,
        actions_overdue=overdue,
        commitments=[
            FieldCommitmentRow(
                slug=c.slug,
                name=c.name,
                order=c.order,
                organizations_with_target=len(per_commitment[c.pk]["orgs"]),
                met=per_commitment[c.pk]["met"],
                not_met=per_commitment[c.pk]["not_met"],
                no_result=per_commitment[c.pk]["no_result"],
                actions_total=per_commitment[c.pk]["total"],
                actions_done=per_commitment[c.pk]["done"],
                actions_dropped=per_commitment[c.pk]["dropped"],
            )
            for c in commitments
        ],
    )


def cycle_commitment_scores(*, cycle: AssessmentCycle) -> dict[int, dict[str, Decimal | None]]:
    """{organization id: {commitment slug: score}} for every organization with results in the cycle."""
    assessments = list(Assessment.objects.submitted().filter(cycle=cycle).select_related("cycle"))
    scores = scores_for_assessments(assessments)
    return {a.organization_id: {c.slug: c.score for c in scores[a.pk].commitments} for a in assessments}


# ---------------------------------------------------------------------------------------------------------
# For the pages of others: the org dashboard and the PDF scorecard include the plan's snippets


def scorecard_plan_context(*, assessment: Assessment) -> dict:
    """Context of templates/reports/plans/snippets/scorecard_plan_page.html for a scorecard of `assessment`:
    the plan built on its results, and the previous cycle's plan judged by them."""
    previous = assessment.cycle.previous()
    return {
        "plan_overview": plan_overview(organization=assessment.organization, cycle=assessment.cycle),
        "target_review": target_review(organization=assessment.organization, cycle=previous)
        if previous
        else None,
    }
