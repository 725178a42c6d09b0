"""Writes of the review per indicator and of carried-over answers.

Every write locks the assessment first, checks everything and writes nothing when anything is wrong;
e-mails go after the transaction commits."""

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from commitments.selectors import rubric_outline

from ..models import Assessment, Organization, Response, Role
from ..permissions import is_nam_staff
from ..services.notifications import _emails, _send, _unique_sorted
from ..services.state import MAX_COMMENT, NotEditable, WorkflowError, _lock_editable
from .models import CarriedAnswer, ReviewMessage, ReviewThread

# NAM comments while it reviews (submitted) or after returning; never on a draft it cannot see, and
# never once the assessment is validated.
COMMENTABLE = (Assessment.Status.SUBMITTED, Assessment.Status.RETURNED)


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Write the comment first."})
    if len(body) > MAX_COMMENT:
        raise ValidationError({"body": f"A comment has at most {MAX_COMMENT} characters."})
    return body


def _lock(assessment_id: int) -> Assessment:
    return (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("cycle__rubric", "organization")
        .get(pk=assessment_id)
    )


@transaction.atomic
def thread_open(
    *, assessment: Assessment, indicator_id: int, user, kind: str, body: str, blocking: bool = False
) -> ReviewThread:
    """A reviewer's comment on one indicator (a new open thread); e-mails the organization's assessors."""
    if not is_nam_staff(user):
        raise PermissionDenied("Only NAM reviewers comment on indicators.")
    body = _clean_body(body)
    if kind not in ReviewThread.Kind.values:
        raise ValidationError({"kind": "Choose a question, a request for evidence or a note."})
    locked = _lock(assessment.pk)
    if locked.cycle.is_closed or locked.status not in COMMENTABLE:
        raise WorkflowError(
            f"This assessment is {locked.get_status_display().lower()}: reviewers comment only on a "
            "submitted or returned assessment of an open cycle. Nothing was saved."
        )
    outline = rubric_outline(locked.cycle.rubric, org_type=locked.organization.org_type)
    if indicator_id not in set(outline.indicator_ids):
        raise ValidationError(
            {"indicator": "That indicator is not part of this assessment. Nothing was saved."}
        )
    now = timezone.now()
    thread = ReviewThread.objects.create(
        assessment=locked,
        indicator_id=indicator_id,
        kind=kind,
        blocking=bool(blocking),
        created_by=user,
        created_at=now,
    )
    ReviewMessage.objects.create(thread=thread, author=user, from_nam=True, body=body, created_at=now)
    transaction.on_commit(lambda: notify_comment(thread.pk))
    return thread


@transaction.atomic
def thread_reply(*, thread: ReviewThread, organization: Organization, user, body: str) -> ReviewMessage:
    """An assessor's reply in a thread of their organization's assessment; e-mails the thread's reviewers."""
    if thread.assessment.organization_id != organization.pk:
        # The view found the organization by the URL: a thread of another organization is not "there".
        raise PermissionDenied("That thread belongs to another organization's assessment.")
    body = _clean_body(body)
    locked = _lock(thread.assessment_id)
    if locked.cycle.is_closed or locked.status == Assessment.Status.VALIDATED:
        raise NotEditable(f"This assessment is {locked.get_status_display().lower()}: replies are closed.")
    thread = ReviewThread.objects.select_for_update().get(pk=thread.pk)
    if not thread.is_open:
        raise WorkflowError("This thread is resolved: nothing to reply to.")
    message = ReviewMessage.objects.create(thread=thread, author=user, from_nam=False, body=body)
    thread.awaiting_reply = False
    thread.save(update_fields=["awaiting_reply"])
    transaction.on_commit(lambda: notify_reply(message.pk))
    return message


@transaction.atomic
def thread_resolve(*, thread: ReviewThread, user) -> ReviewThread:
    """A reviewer closes a thread (resolved); a resolved thread never blocks resubmission."""
    if not is_nam_staff(user):
        raise PermissionDenied("Only NAM reviewers resolve threads.")
    locked = _lock(thread.assessment_id)
    if locked.status == Assessment.Status.VALIDATED:
        raise WorkflowError("This assessment is validated: its threads can no longer change.")
    thread = ReviewThread.objects.select_for_update().get(pk=thread.pk)
    if not thread.is_open:
        raise WorkflowError("This thread is already resolved.")
    thread.status = ReviewThread.Status.RESOLVED
    thread.resolved_by = user
    thread.resolved_at = timezone.now()
    thread.save(update_fields=["status", "resolved_by", "resolved_at"])
    return thread


# ---------------------------------------------------------------------------------------------------------
# Carried-over answers


def carried_record(*, responses: Iterable[Response], from_cycle) -> None:
    """Mark answers just copied from `from_cycle` as carried over (called by assessment_copy_previous)."""
    CarriedAnswer.objects.bulk_create(CarriedAnswer(response=r, from_cycle=from_cycle) for r in responses)


def carried_changed(*, response_ids: Iterable[int], user, at) -> None:
    """A saved change confirms a carried-over answer (called by responses_save)."""
    CarriedAnswer.objects.filter(response_id__in=list(response_ids), confirmed_at__isnull=True).update(
        confirmed_at=at, confirmed_by=user, outcome=CarriedAnswer.Outcome.CHANGED
    )


@transaction.atomic
def carried_confirm(*, assessment: Assessment, user, indicator_ids: Iterable[int]) -> int:
    """An assessor confirms carried-over answers as they stand; returns how many were confirmed."""
    locked = _lock_editable(assessment)
    ids = set(indicator_ids)
    carried = CarriedAnswer.objects.filter(
        response__assessment=locked, response__indicator_id__in=ids, confirmed_at__isnull=True
    )
    return carried.update(
        confirmed_at=timezone.now(), confirmed_by=user, outcome=CarriedAnswer.Outcome.CONFIRMED
    )


# ---------------------------------------------------------------------------------------------------------
# E-mail


def _commitment_url(thread: ReviewThread) -> str:
    assessment = thread.assessment
    path = reverse(
        "assessments:commitment",
        args=[assessment.organization.slug, assessment.cycle.slug, thread.indicator.commitment.slug],
    )
    return f"{settings.SITE_URL}{path}#indicator-{thread.indicator.code}"


def _load_thread(thread_id: int) -> ReviewThread:
    return ReviewThread.objects.select_related(
        "assessment__organization", "assessment__cycle", "indicator__commitment"
    ).get(pk=thread_id)


def notify_comment(thread_id: int) -> None:
    thread = _load_thread(thread_id)
    assessment = thread.assessment
    _send(
        "emails/review_comment.txt",
        f"{assessment.organization.name}: NAM commented on {thread.indicator.code} ({assessment.cycle.name})",
        _unique_sorted(_emails(assessment.organization_id, [Role.ASSESSOR])),
        {"thread": thread, "message": thread.messages.first(), "url": _commitment_url(thread)},
    )


def notify_reply(message_id: int) -> None:
    message = ReviewMessage.objects.select_related("author").get(pk=message_id)
    thread = _load_thread(message.thread_id)
    reviewers = (
        ReviewMessage.objects.filter(thread=thread, from_nam=True, author__is_active=True)
        .exclude(author__email="")
        .values_list("author__email", flat=True)
    )
    path = reverse("assessments:nam_review", args=[thread.assessment_id])
    _send(
        "emails/review_reply.txt",
        f"Reply from {thread.assessment.organization.name} on {thread.indicator.code}",
        _unique_sorted(reviewers),
        {
            "thread": thread,
            "message": message,
            "url": f"{settings.SITE_URL}{path}#answer-{thread.indicator.code}",
        },
    )
