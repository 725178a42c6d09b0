"""The errors the workflow raises and the lock that says whether an assessment may still change."""

from django.core.exceptions import ValidationError

from ..models import Assessment

MAX_COMMENT = 4000


class WorkflowError(ValidationError):
    """A request the assessment's state does not allow; the message says why."""


class NotEditable(WorkflowError):
    pass


class AlreadySubmitted(WorkflowError):
    pass


def _lock_editable(assessment: Assessment) -> Assessment:
    # The cycle and organization are read in the same statement; only the assessment row is locked.
    locked = (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("cycle__rubric", "organization")  # the organization's type decides the indicators
        .get(pk=assessment.pk)
    )
    if locked.cycle.is_closed:
        raise NotEditable(f"The {locked.cycle.name} cycle is closed: its assessments can no longer change.")
    if not locked.is_editable:
        raise NotEditable(
            f"This assessment is {locked.get_status_display().lower()} and can no longer be changed."
        )
    return locked
