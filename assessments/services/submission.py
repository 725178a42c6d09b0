"""Submission and NAM's review of an assessment: submit, return, validate."""

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from commitments.models import Indicator
from commitments.selectors import rubric_outline

from ..audit import audit_record
from ..models import Assessment, AssessmentCycle, AuditEvent, NaReview, Response
from ..permissions import is_nam_staff
from .notifications import _notify_reviewed, _notify_submitted
from .state import MAX_COMMENT, AlreadySubmitted, WorkflowError, _lock_editable


def unanswered_indicators(assessment: Assessment):
    answered = Response.objects.filter(assessment=assessment).exclude(
        level__isnull=True, not_applicable=False
    )
    applicable = rubric_outline(
        assessment.cycle.rubric, org_type=assessment.organization.org_type
    ).indicator_ids
    return (
        Indicator.objects.filter(pk__in=applicable)
        .exclude(pk__in=answered.values("indicator_id"))
        .select_related("commitment")
        .order_by("commitment__order", "order")
    )


@transaction.atomic
def assessment_submit(
    *, assessment: Assessment, user, affirmed_name: str, affirmed_title: str, affirmed: bool
) -> Assessment:
    """Submit a complete draft or returned assessment with leadership's affirmation; notifies by e-mail."""
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    locked.cycle = AssessmentCycle.objects.select_related("rubric").get(pk=locked.cycle_id)
    if locked.status in (Assessment.Status.SUBMITTED, Assessment.Status.VALIDATED):
        when = (
            date_format(timezone.localtime(locked.submitted_at), "F j, Y, H:i") if locked.submitted_at else ""
        )
        raise AlreadySubmitted(
            f"This assessment was already submitted{' on ' + when if when else ''}; nothing was changed."
        )
    locked = _lock_editable(locked)
    affirmed_name, affirmed_title = affirmed_name.strip(), affirmed_title.strip()
    errors = {}
    if not affirmed_name:
        errors["affirmed_name"] = "Give the name of the leader who affirms the assessment."
    if not affirmed_title:
        errors["affirmed_title"] = "Give their title."
    if len(affirmed_name) > 200 or len(affirmed_title) > 200:
        errors["affirmed_name"] = "Names and titles have at most 200 characters."
    if not affirmed:
        errors["affirmed"] = "Leadership must affirm the assessment before it can be submitted."
    if errors:
        raise ValidationError(errors)
    missing = unanswered_indicators(locked).count()
    if missing:
        raise ValidationError(
            f"{missing} indicator{'s are' if missing != 1 else ' is'} still unanswered: "
            "answer every indicator (a level or Not applicable) before submitting."
        )
    now = timezone.now()
    locked.status = Assessment.Status.SUBMITTED
    locked.submitted_by = user
    locked.submitted_at = now
    locked.affirmed_name = affirmed_name
    locked.affirmed_title = affirmed_title
    locked.affirmed_at = now
    locked.save()
    transaction.on_commit(lambda: _notify_submitted(locked.pk))
    return locked


def _lock_submitted_for_review(assessment: Assessment, user) -> Assessment:
    if not is_nam_staff(user):
        raise PermissionDenied("Only NAM staff review assessments.")
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.status != Assessment.Status.SUBMITTED:
        raise WorkflowError(
            f"Only a submitted assessment can be reviewed; this one is {locked.get_status_display().lower()}."
        )
    return locked


def _audit_decision(kind: str, outcome: str, assessment: Assessment, user, comment: str, request) -> None:
    audit_record(
        kind=kind,
        request=request,
        actor=user,
        organization=assessment.organization,
        detail=f"{assessment.cycle.name} assessment {outcome}" + (f": {comment}" if comment else ""),
    )


@transaction.atomic
def assessment_return(
    *, assessment: Assessment, user, comment: str, rejected_na: Sequence[int] = (), request=None
) -> Assessment:
    """Send a submitted assessment back to the organization with the reviewer's comment; notifies them.

    rejected_na: ids of the assessment's N/A responses whose reason NAM does not accept (marked so)."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "Say what the organization should change before resubmitting."})
    if len(comment) > MAX_COMMENT:
        raise ValidationError({"comment": f"A comment has at most {MAX_COMMENT} characters."})
    locked = _lock_submitted_for_review(assessment, user)
    if rejected_na:
        rejected = Response.objects.filter(assessment=locked, not_applicable=True, pk__in=rejected_na)
        if rejected.count() != len(set(rejected_na)):
            raise ValidationError("Only this assessment's N/A answers can be rejected; nothing was changed.")
        rejected.update(na_review=NaReview.REJECTED)
    locked.status = Assessment.Status.RETURNED
    locked.reviewer_comment = comment
    locked.reviewed_by = user
    locked.reviewed_at = timezone.now()
    locked.save()
    _audit_decision(AuditEvent.Kind.ASSESSMENT_RETURNED, "returned", assessment, user, comment, request)
    transaction.on_commit(lambda: _notify_reviewed(locked.pk, "returned"))
    return locked


@transaction.atomic
def assessment_validate(*, assessment: Assessment, user, comment: str = "", request=None) -> Assessment:
    """Accept a submitted assessment as the organization's result for the cycle; notifies them."""
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ValidationError({"comment": f"A comment has at most {MAX_COMMENT} characters."})
    locked = _lock_submitted_for_review(assessment, user)
    # Validating accepts every N/A reason (a rejected one returns the assessment instead).
    Response.objects.filter(assessment=locked, not_applicable=True).update(na_review=NaReview.ACCEPTED)
    locked.status = Assessment.Status.VALIDATED
    locked.reviewer_comment = comment
    locked.reviewed_by = user
    locked.reviewed_at = timezone.now()
    locked.save()
    _audit_decision(AuditEvent.Kind.ASSESSMENT_VALIDATED, "validated", assessment, user, comment, request)
    transaction.on_commit(lambda: _notify_reviewed(locked.pk, "validated"))
    return locked
