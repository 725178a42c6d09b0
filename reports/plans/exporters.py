"""Improvement plans as tables for CSV/XLSX (reports.exporters.tabular turns them into bytes)."""

from assessments.models import AssessmentCycle, Organization

from ..exporters.tabular import Table
from .field_summary import FieldPlanSummary
from .models import CommitmentTarget
from .selectors import plan_actions

PLAN_HEADER = [
    "Commitment",
    "Target level",
    "Action",
    "Indicators",
    "Owner",
    "Due date",
    "Status",
    "Overdue",
    "Description",
    "Latest note date",
    "Latest note",
]
FIELD_HEADER = [
    "Commitment",
    "Organizations with a target",
    "Targets met",
    "Targets not met",
    "Targets without a result yet",
    "Actions",
    "Actions done",
    "Actions dropped",
    "Actions done (%)",
]


def _name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def plan_table(*, organization: Organization, cycle: AssessmentCycle) -> Table:
    """One row per action; a commitment with a target but no action gets a row of its own."""
    targets = {
        t.commitment_id: t
        for t in CommitmentTarget.objects.filter(organization=organization, cycle=cycle).select_related(
            "commitment"
        )
    }
    actions = list(plan_actions(organization=organization, cycle=cycle))
    with_actions = {a.commitment_id for a in actions}
    rows = []
    for target in sorted(targets.values(), key=lambda t: t.commitment.order):
        if target.commitment_id not in with_actions:
            rows.append((target.commitment.order, [target.commitment.name, target.target_level, *[""] * 9]))
    for action in actions:
        target = targets.get(action.commitment_id)
        notes = list(action.notes.all())
        latest = notes[0] if notes else None
        rows.append(
            (
                action.commitment.order,
                [
                    action.commitment.name,
                    target.target_level if target else "",
                    action.title,
                    " ".join(i.code for i in action.indicators.all()),
                    _name(action.owner),
                    action.due_date.isoformat() if action.due_date else "",
                    action.get_status_display(),
                    "Overdue" if action.is_overdue else "",
                    action.description,
                    latest.noted_on.isoformat() if latest else "",
                    latest.text if latest else "",
                ],
            )
        )
    rows.sort(key=lambda r: r[0])  # stable: within a commitment, actions keep their due-date order
    return Table(header=PLAN_HEADER, rows=[r[1] for r in rows], title=f"Improvement plan {cycle.name}")


def field_plan_table(*, summary: FieldPlanSummary) -> Table:
    rows = [
        [
            row.name,
            row.organizations_with_target,
            row.met,
            row.not_met,
            row.no_result,
            row.actions_total,
            row.actions_done,
            row.actions_dropped,
            row.completion_rate if row.completion_rate is not None else "",
        ]
        for row in summary.commitments
    ]
    return Table(header=FIELD_HEADER, rows=rows, title=f"Field plans {summary.cycle.name}")
