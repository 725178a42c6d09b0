"""Improvement plans read together with results: the plan page, and the review of last cycle's targets against
what was achieved (also shown on the organization dashboard and in the PDF scorecard).

The learning loop: a cycle's results -> targets and actions (the plan of that cycle) -> the NEXT cycle's
results say whether each target was met. Every selector here runs a fixed number of queries, whatever the
number of targets, actions or organizations.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.utils import timezone

from assessments.models import Assessment, AssessmentCycle, Organization
from commitments.models import Commitment, Indicator

from ..scores import assessment_scores, to_decimal
from .models import ActionNote, CommitmentTarget, ImprovementAction

CENT = Decimal("0.01")
OUTCOME_MET = "met"
OUTCOME_NOT_MET = "not_met"
OUTCOME_NO_RESULT = "no_result"
OUTCOME_LABELS = {OUTCOME_MET: "Met", OUTCOME_NOT_MET: "Not met", OUTCOME_NO_RESULT: "No result yet"}
OPEN_STATUSES = (ImprovementAction.Status.PLANNED, ImprovementAction.Status.IN_PROGRESS)


def as_decimal(value) -> Decimal | None:
    """Scores and peer statistics as two-decimal Decimals, as the pages show them (and compare them)."""
    return to_decimal(value, CENT)


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
