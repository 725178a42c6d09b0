"""NAM staff: how the field plans. Who has a plan for a cycle, which targets were met in the next cycle, which
commitments' actions get done; counts only, no organization named."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from assessments.models import Assessment, AssessmentCycle
from commitments.models import Commitment

from ..scores import scores_for_assessments
from .models import CommitmentTarget, ImprovementAction
from .selectors import OPEN_STATUSES, OUTCOME_MET, OUTCOME_NOT_MET, next_cycle_of, outcome_for


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
