"""What an uploaded workbook would change, per indicator, before anything is saved."""

from dataclasses import dataclass, field

from commitments.models import Indicator

from ..models import Assessment, Response, ResponseChange
from ..selectors import assessment_outline, change_lines
from ..services.workflow import ANSWER_FIELDS, EMPTY_ANSWER, Answer, Conflict
from .reader import WorkbookRefused
from .signature import HiddenCells


@dataclass(frozen=True)
class PreviewItem:
    indicator: Indicator
    changes: list[tuple[str, str, str]]  # (field label, saved, in the workbook), as in the history
    conflict: Conflict | None = None
    saved_version: int = 0


@dataclass
class Preview:
    items: list[PreviewItem] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changes(self) -> list[PreviewItem]:
        return [item for item in self.items if item.conflict is None]

    @property
    def conflicts(self) -> list[PreviewItem]:
        return [item for item in self.items if item.conflict is not None]


def check_belongs(hidden: HiddenCells, assessment: Assessment) -> None:
    """Refuse a workbook of another organization, cycle or rubric version, or for an assessment that can no
    longer change."""
    if hidden.organization_id != assessment.organization_id:
        raise WorkbookRefused(
            f"This workbook is another organization's assessment, not {assessment.organization.name}'s. "
            "Nothing was changed."
        )
    if hidden.cycle_id != assessment.cycle_id or hidden.assessment_id != assessment.pk:
        raise WorkbookRefused(
            f"This workbook is of another cycle's assessment, not the {assessment.cycle.name} one. "
            "Nothing was changed."
        )
    if hidden.rubric_version != assessment.cycle.rubric.version:
        raise WorkbookRefused(
            f"This workbook was made for rubric version {hidden.rubric_version}; the {assessment.cycle.name} "
            f"assessment now uses version {assessment.cycle.rubric.version}. Download a fresh workbook. "
            "Nothing was changed."
        )
    if not assessment.is_editable:
        raise WorkbookRefused(not_editable_message(assessment))


def not_editable_message(assessment: Assessment) -> str:
    if assessment.cycle.is_closed:
        return (
            f"The {assessment.cycle.name} cycle is closed: its assessment can no longer change. "
            "Nothing was changed."
        )
    return (
        f"This assessment is {assessment.get_status_display().lower()}: it can no longer be changed. "
        "Nothing was changed."
    )


def _values(response: Response | None) -> dict:
    if response is None:
        return dict(EMPTY_ANSWER)
    return {name: getattr(response, name) for name in ANSWER_FIELDS}


def workbook_preview(assessment: Assessment, answers: list[Answer]) -> Preview:
    """Per indicator of the workbook: the fields it changes, or the conflict with an answer saved since the
    download (the save service's rule: a stored answer at another version, and a different answer)."""
    indicators = {i.pk: i for c in assessment_outline(assessment).commitments for i in c.indicators.all()}
    unknown = [a.indicator_id for a in answers if a.indicator_id not in indicators]
    if unknown:
        raise WorkbookRefused(
            "The workbook has indicators that are not part of this assessment. Download a fresh workbook. "
            "Nothing was changed."
        )
    stored = {
        r.indicator_id: r for r in Response.objects.filter(assessment=assessment).select_related("updated_by")
    }
    preview = Preview()
    for answer in answers:
        response = stored.get(answer.indicator_id)
        old, new = _values(response), answer.values()
        if new == old:
            preview.unchanged += 1
            continue
        changed = [name for name in ANSWER_FIELDS if old[name] != new[name]]
        changes = change_lines(
            ResponseChange(
                old_values={name: old[name] for name in changed},
                new_values={name: new[name] for name in changed},
            )
        )
        indicator = indicators[answer.indicator_id]
        conflict = None
        if response is not None and answer.version != response.version:
            conflict = Conflict(indicator=indicator, mine=new, theirs=response)
        preview.items.append(
            PreviewItem(
                indicator=indicator,
                changes=changes,
                conflict=conflict,
                saved_version=response.version if response else 0,
            )
        )
    return preview
