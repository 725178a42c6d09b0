"""Submission and NAM's review: ask for attestation, attest (submits) or send back, return, validate."""

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from commitments.models import Indicator
from commitments.selectors import rubric_outline

from ..audit import audit_record
from ..models import Assessment, AssessmentCycle, AuditEvent, Membership, NaReview, Response, Role
from ..permissions import is_nam_staff
from ..review import selectors as review_selectors
from ..review.models import Attestation
from ..terms.services import terms_block_reason
from .notifications import _notify_reviewed, _notify_submitted, notify_attestation_requested, notify_sent_back
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


PEOPLE_HINT = (
    "An organization admin adds one on the People page ({url}): invite them with the role Executive."
)


def _already_submitted(locked: Assessment) -> AlreadySubmitted:
    when = date_format(timezone.localtime(locked.submitted_at), "F j, Y, H:i") if locked.submitted_at else ""
    return AlreadySubmitted(
        f"This assessment was already submitted{' on ' + when if when else ''}; nothing was changed."
    )


@transaction.atomic
def assessment_request_attestation(*, assessment: Assessment, user) -> Attestation:
    """The assessor has finished: the assessment waits (read-only) for an executive's attestation."""
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    locked.cycle = AssessmentCycle.objects.select_related("rubric").get(pk=locked.cycle_id)
    if locked.status in (Assessment.Status.SUBMITTED, Assessment.Status.VALIDATED):
        raise _already_submitted(locked)
    if locked.status == Assessment.Status.AWAITING_ATTESTATION:
        raise AlreadySubmitted(
            "This assessment already awaits the executive's attestation; nothing was changed."
        )
    locked = _lock_editable(locked)
    # Participation terms (issue 25): the current version is accepted before the first submission.
    if terms_reason := terms_block_reason(locked.organization):
        raise ValidationError(terms_reason)
    missing = unanswered_indicators(locked).count()
    if missing:
        raise ValidationError(
            f"{missing} indicator{'s are' if missing != 1 else ' is'} still unanswered: "
            "answer every indicator (a level or Not applicable) before submitting."
        )
    blocking = review_selectors.blocking_unanswered(locked)
    if blocking:
        raise ValidationError(
            "Reply to the reviewer's blocking comments before submitting again: "
            + "; ".join(f"{t.indicator.code} ({t.get_kind_display().lower()})" for t in blocking)
            + ". Nothing was changed."
        )
    if not review_selectors.executives(locked.organization_id).exists():
        url = reverse("assessments:members", args=[locked.organization.slug])
        raise ValidationError(
            "Your organization has no executive member to attest the assessment. "
            + PEOPLE_HINT.format(url=url)
        )
    attestation = Attestation.objects.create(
        assessment=locked, status_before=locked.status, requested_by=user
    )
    locked.status = Assessment.Status.AWAITING_ATTESTATION
    locked.save(update_fields=["status", "updated_at"])
    transaction.on_commit(lambda: notify_attestation_requested(attestation.pk))
    return attestation


def _lock_for_executive(assessment: Assessment, user) -> tuple[Assessment, Attestation]:
    locked = (
        Assessment.objects.select_for_update().select_related("organization", "cycle").get(pk=assessment.pk)
    )
    if not Membership.objects.filter(
        user=user, organization=locked.organization, role=Role.EXECUTIVE
    ).exists():
        raise PermissionDenied(f"Only an executive of {locked.organization.name} attests its assessment.")
    if locked.status in (Assessment.Status.SUBMITTED, Assessment.Status.VALIDATED):
        raise _already_submitted(locked)
    attestation = (
        Attestation.objects.select_for_update()
        .filter(assessment=locked, status=Attestation.Status.PENDING)
        .first()
    )
    if locked.status != Assessment.Status.AWAITING_ATTESTATION or attestation is None:
        raise WorkflowError(
            f"This assessment is {locked.get_status_display().lower()}: no attestation was asked for. "
            "Nothing was changed."
        )
    return locked, attestation


@transaction.atomic
def assessment_attest(*, assessment: Assessment, user, answers_sha256: str, request=None) -> Attestation:
    """The executive attests what they read (the answers' hash must be the one shown): submits to NAM."""
    locked, attestation = _lock_for_executive(assessment, user)
    # New terms may have been published while the assessment waited for its executive.
    if terms_reason := terms_block_reason(locked.organization):
        raise ValidationError(terms_reason)
    summary = review_selectors.attestation_summary(locked)
    if answers_sha256 != summary.answers_sha256:
        raise WorkflowError(
            "The answers changed since you opened the summary: read it again. Nothing was changed."
        )
    now = timezone.now()
    attestation.status = Attestation.Status.ATTESTED
    attestation.executive = user
    attestation.executive_name = user.get_full_name() or user.get_username()
    attestation.decided_at = now
    attestation.answers_sha256 = summary.answers_sha256
    attestation.seen = summary.as_json()
    attestation.save()
    locked.status = Assessment.Status.SUBMITTED
    locked.submitted_by = user
    locked.submitted_at = now
    locked.save(update_fields=["status", "submitted_by", "submitted_at", "updated_at"])
    audit_record(
        kind=AuditEvent.Kind.ASSESSMENT_ATTESTED,
        request=request,
        actor=user,
        organization=locked.organization,
        detail=f"{locked.cycle.name} assessment attested (answers SHA-256 {summary.answers_sha256})",
    )
    transaction.on_commit(lambda: _notify_submitted(locked.pk))
    return attestation


@transaction.atomic
def assessment_send_back(*, assessment: Assessment, user, note: str) -> Attestation:
    """The executive sends the assessment back to the assessors with a note, unsubmitted."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Say what the assessors should look at again."})
    if len(note) > MAX_COMMENT:
        raise ValidationError({"note": f"A note has at most {MAX_COMMENT} characters."})
    locked, attestation = _lock_for_executive(assessment, user)
    attestation.status = Attestation.Status.SENT_BACK
    attestation.executive = user
    attestation.executive_name = user.get_full_name() or user.get_username()
    attestation.decided_at = timezone.now()
    attestation.note = note
    attestation.save()
    locked.status = attestation.status_before
    locked.save(update_fields=["status", "updated_at"])
    transaction.on_commit(lambda: notify_sent_back(attestation.pk))
    return attestation


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
    if len(comment) > MAX_COMMENT:
        raise ValidationError({"comment": f"A comment has at most {MAX_COMMENT} characters."})
    locked = _lock_submitted_for_review(assessment, user)
    # "Return with comments": the open threads say what to change; without any, the comment must.
    if not comment and not review_selectors.thread_counts(locked).open:
        raise ValidationError({"comment": "Say what the organization should change before resubmitting."})
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
