"""PDF scorecards: request (or reuse) one, render it in a worker, sweep the stuck ones, batches for NAM staff.

A scorecard is identified by the SHA-256 of everything its PDF shows (reports.exporters.scorecard). Asking
again for unchanged data returns the finished file; anything that changes what the PDF would show gives a new
scorecard.

Rendering runs in Celery (reports.tasks.render_scorecard) and must survive a worker killed mid-render:
the task is acknowledged late, so the broker redelivers it, and the render below is idempotent: a ready
scorecard is never rendered again, a half-written file is overwritten, and only one run marks it ready.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from assessments.models import Assessment, AssessmentCycle
from reports.exporters import chart_svg
from reports.exporters.scorecard import (
    ScorecardDocument,
    ScorecardUnavailable,
    scorecard_document,
    scorecard_pdf,
)
from reports.models import Scorecard, ScorecardBatch
from reports.peer_groups import PeerGroup

logger = logging.getLogger(__name__)

# A queued scorecard whose task never reached the broker is queued again after this long.
UNSENT_GRACE = datetime.timedelta(minutes=1)
RETRY_BASE_SECONDS = 5
BATCH_CHUNK = 200  # assessments loaded at a time while a batch is filled


class ScorecardRetry(Exception):
    """The render failed for a reason that may pass: the task should try again after `countdown` s."""

    def __init__(self, message: str, countdown: int):
        super().__init__(message)
        self.countdown = countdown


# ---------------------------------------------------------------------------------------------------------
# Requesting, queueing, retrying


@dataclass(frozen=True)
class ScorecardRequest:
    scorecard: Scorecard
    reused: bool  # a finished PDF of exactly this data already existed


def _file_exists(scorecard: Scorecard) -> bool:
    return bool(scorecard.file) and default_storage.exists(scorecard.file.name)


def scorecard_enqueue(scorecard_id: int) -> bool:
    """Hand the render to the broker; False (and the scorecard stays queued for the sweep) if it is down."""
    from reports.tasks import render_scorecard  # the tasks module imports this one

    # queued_at is set before publishing, while no worker can be touching the row, and cleared on failure.
    Scorecard.objects.filter(pk=scorecard_id, queued_at__isnull=True).update(queued_at=timezone.now())
    try:
        render_scorecard.apply_async(kwargs={"scorecard_id": scorecard_id}, retry=True)
    except Exception:  # kombu OperationalError, redis ConnectionError, socket errors...
        logger.warning(
            "Broker unreachable: scorecard %s stays queued for the sweep", scorecard_id, exc_info=True
        )
        Scorecard.objects.filter(pk=scorecard_id, status=Scorecard.Status.QUEUED).update(queued_at=None)
        return False
    return True


def _queue_on_commit(scorecard: Scorecard) -> None:
    scorecard_id = scorecard.pk
    transaction.on_commit(lambda: scorecard_enqueue(scorecard_id))


def _reset_to_queued(scorecard: Scorecard, *, user=None) -> None:
    scorecard.status = Scorecard.Status.QUEUED
    scorecard.attempts = 0
    scorecard.error_message = ""
    scorecard.queued_at = None  # set once the broker has the task
    scorecard.started_at = None
    scorecard.finished_at = None
    if user is not None:
        scorecard.requested_by = user
    scorecard.save()


@transaction.atomic
def scorecard_request(
    *, assessment: Assessment, peer_group: str, user=None, batch: ScorecardBatch | None = None
) -> ScorecardRequest:
    """Reuse the finished scorecard of unchanged data, or create (or reset a failed) one and queue it."""
    document = scorecard_document(assessment=assessment, peer_group=peer_group)
    scorecard, created = Scorecard.objects.select_for_update().get_or_create(
        assessment=assessment,
        peer_group=peer_group,
        inputs_hash=document.inputs_hash,
        defaults={"requested_by": user, "release": document.benchmark.release},
    )
    if batch is not None:
        scorecard.batches.add(batch)
    if created:
        _queue_on_commit(scorecard)
        return ScorecardRequest(scorecard, reused=False)
    if scorecard.status == Scorecard.Status.READY and _file_exists(scorecard):
        return ScorecardRequest(scorecard, reused=True)
    if scorecard.status in (Scorecard.Status.FAILED, Scorecard.Status.READY):  # failed, or its file is gone
        _reset_to_queued(scorecard, user=user)
        _queue_on_commit(scorecard)
    # queued or rendering: already on its way.
    return ScorecardRequest(scorecard, reused=False)


@transaction.atomic
def scorecard_retry(*, scorecard: Scorecard, user) -> Scorecard:
    """Queue a failed scorecard again, from a fresh count of attempts."""
    scorecard = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    if scorecard.status != Scorecard.Status.FAILED:
        raise ValidationError("Only a scorecard that failed can be tried again.")
    _reset_to_queued(scorecard, user=user)
    _queue_on_commit(scorecard)
    return scorecard


# ---------------------------------------------------------------------------------------------------------
# Rendering (called by the Celery task)


def storage_name(scorecard: Scorecard) -> str:
    assessment = scorecard.assessment
    return (
        f"scorecards/{assessment.organization.slug}-{slugify(assessment.cycle.slug)}-"
        f"{scorecard.peer_group}-{scorecard.inputs_hash[:12]}.pdf"
    )


def download_filename(scorecard: Scorecard) -> str:
    """A name a person can read: 'Alpha Regional Hospital - 2026 scorecard (All participants).pdf'."""
    assessment = scorecard.assessment
    group = scorecard.get_peer_group_display()
    name = f"{assessment.organization.name} - {assessment.cycle.name} scorecard ({group})"
    safe = "".join(ch if ch.isalnum() or ch in " -_.,()&'" else "_" for ch in name)
    return f"{safe.strip()[:150]}.pdf"


def _fail(scorecard_id: int, message: str) -> Scorecard:
    with transaction.atomic():
        scorecard = Scorecard.objects.select_for_update().get(pk=scorecard_id)
        if scorecard.status != Scorecard.Status.READY:
            scorecard.status = Scorecard.Status.FAILED
            scorecard.error_message = message[:2000]
            scorecard.finished_at = timezone.now()
            scorecard.save()
    return scorecard


@transaction.atomic
def _claim(scorecard_id: int, *, redelivered: bool = False) -> Scorecard | None:
    """Mark the scorecard rendering and count the attempt, unless it is gone (None), failed, already done,
    or being rendered right now by another process (None: a second message for it, the sweep's or a copy)."""
    scorecard = (
        Scorecard.objects.select_for_update()
        .select_related("assessment__organization", "assessment__cycle__rubric")
        .filter(pk=scorecard_id)
        .first()
    )
    if scorecard is None:
        logger.info("Scorecard %s is gone: nothing to render", scorecard_id)
        return None
    if scorecard.status == Scorecard.Status.FAILED:
        return scorecard
    if scorecard.status == Scorecard.Status.READY and _file_exists(scorecard):
        return scorecard  # a redelivered or duplicate task: the PDF exists
    if scorecard.status == Scorecard.Status.RENDERING and not redelivered and not _render_over(scorecard):
        logger.info("Scorecard %s is being rendered by another process: not twice", scorecard_id)
        return None  # nothing for this run to do
    scorecard.status = Scorecard.Status.RENDERING
    scorecard.attempts += 1
    scorecard.started_at = timezone.now()
    scorecard.save(update_fields=["status", "attempts", "started_at", "updated_at"])
    return scorecard


def _render_over(scorecard: Scorecard) -> bool:
    # No render outlives the task's hard time limit: one started longer ago was killed or its worker lost.
    limit = datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    return scorecard.started_at is None or scorecard.started_at < timezone.now() - limit


def scorecard_render(*, scorecard_id: int, redelivered: bool = False) -> Scorecard | None:
    """Render a queued scorecard to its PDF and mark it ready; a ready or failed one is left as it is.

    `redelivered`: the broker hands out again a message whose worker died (or whose pool process was
    killed), so the "rendering" the row shows is that dead run's and this one takes over.

    Raises ScorecardRetry for a failure that may pass while attempts remain; after the last attempt, or for
    a failure no retry can fix (no Chromium, assessment no longer submitted), the scorecard is failed.
    """
    try:
        scorecard = _claim(scorecard_id, redelivered=redelivered)
    except DatabaseError as exc:  # the database is unreachable or busy: nothing was counted, try later
        raise ScorecardRetry(f"The database did not answer ({exc})", countdown=RETRY_BASE_SECONDS) from exc
    if scorecard is None or scorecard.status != Scorecard.Status.RENDERING:
        return scorecard

    try:
        document = scorecard_document(
            assessment=scorecard.assessment, peer_group=scorecard.peer_group, release=scorecard.release
        )
        return _store(scorecard_id, document, scorecard_pdf(document))
    except (chart_svg.ChromiumNotFound, ScorecardUnavailable) as exc:
        return _fail(scorecard_id, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
    except Exception as exc:
        logger.warning("Scorecard %s: attempt %s failed", scorecard_id, scorecard.attempts, exc_info=True)
        message = f"The scorecard could not be produced ({type(exc).__name__}: {exc})"
        if scorecard.attempts >= settings.SCORECARD_MAX_ATTEMPTS:
            return _fail(scorecard_id, f"{message}. We tried {scorecard.attempts} times.")
        Scorecard.objects.filter(pk=scorecard_id, status=Scorecard.Status.RENDERING).update(
            status=Scorecard.Status.QUEUED, error_message=message[:2000], queued_at=timezone.now()
        )
        raise ScorecardRetry(message, countdown=RETRY_BASE_SECONDS * 2 ** (scorecard.attempts - 1)) from exc


@transaction.atomic
def _store(scorecard_id: int, document: ScorecardDocument, content: bytes) -> Scorecard:
    """Save the PDF under its deterministic name and mark the scorecard ready, unless another run did."""
    scorecard = (
        Scorecard.objects.select_for_update().select_related("assessment__organization").get(pk=scorecard_id)
    )
    if scorecard.status == Scorecard.Status.READY and _file_exists(scorecard):
        return scorecard  # another run finished first: keep its file
    # The data may have moved on since the request: the hash names what this PDF shows.
    if (
        document.inputs_hash != scorecard.inputs_hash
        and not Scorecard.objects.filter(
            assessment_id=scorecard.assessment_id,
            peer_group=scorecard.peer_group,
            inputs_hash=document.inputs_hash,
        ).exists()
    ):
        scorecard.inputs_hash = document.inputs_hash
    name = storage_name(scorecard)
    if default_storage.exists(name):
        default_storage.delete(name)  # a partial file of a killed run, or a stale one
    scorecard.file.name = default_storage.save(name, ContentFile(content))
    scorecard.status = Scorecard.Status.READY
    scorecard.error_message = ""
    scorecard.finished_at = timezone.now()
    scorecard.save()
    return scorecard


# ---------------------------------------------------------------------------------------------------------
# The sweep (periodic task) and batches


def scorecards_sweep(*, now: datetime.datetime | None = None) -> list[int]:
    """Queue again the scorecards whose task was lost; fail those out of attempts. Returns the ids queued."""
    now = now or timezone.now()
    stuck_before = now - datetime.timedelta(minutes=settings.SCORECARD_STUCK_MINUTES)
    # A message can be lost after the broker handed it out: kombu's Redis transport pops it (BRPOP) before it
    # records it as unacknowledged, so a worker killed in between takes it along, beyond the visibility
    # timeout's reach. A scorecard merely waiting its turn in a long batch must not be queued twice, though.
    # The queue is first in, first out: a scorecard still queued after one queued later was taken is lost;
    # so is one still queued while nothing renders at all. Only a first attempt tells the queue's order: a
    # retry waits out its countdown in a worker, and a message handed out again after its worker died comes
    # back at the head, so a second attempt says nothing about the scorecards queued before it.
    taken_later = Scorecard.objects.filter(
        queued_at__gt=models.OuterRef("queued_at"), started_at__gte=models.F("queued_at"), attempts=1
    )
    rendering = Scorecard.objects.filter(status=Scorecard.Status.RENDERING).exists()
    lost = models.Q(models.Exists(taken_later)) if rendering else models.Q()
    candidates = Scorecard.objects.filter(
        models.Q(status=Scorecard.Status.QUEUED, queued_at__isnull=True, updated_at__lt=now - UNSENT_GRACE)
        | (models.Q(status=Scorecard.Status.QUEUED, queued_at__lt=stuck_before) & lost)
        | models.Q(status=Scorecard.Status.RENDERING, started_at__lt=stuck_before)
    ).values_list("pk", "status", "attempts")
    requeued = []
    for scorecard_id, status, attempts in candidates:
        if status == Scorecard.Status.RENDERING and attempts >= settings.SCORECARD_MAX_ATTEMPTS:
            _fail(scorecard_id, f"The render did not finish after {attempts} attempts.")
            continue
        # scorecard_enqueue stamps queued_at afresh, and clears it again if the broker is still down.
        Scorecard.objects.filter(pk=scorecard_id).update(queued_at=None)
        if scorecard_enqueue(scorecard_id):
            requeued.append(scorecard_id)
    if requeued:
        logger.info("Sweep queued scorecards %s again", requeued)
    return requeued


def scorecard_batch_enqueue(batch_id: int) -> bool:
    """Hand the filling of a batch to the broker; False (the sweep tries again later) if it is down."""
    from reports.tasks import fill_scorecard_batch  # the tasks module imports this one

    try:
        fill_scorecard_batch.apply_async(kwargs={"batch_id": batch_id}, retry=True)
    except Exception:  # kombu OperationalError, redis ConnectionError, socket errors...
        logger.warning("Broker unreachable: batch %s stays preparing for the sweep", batch_id, exc_info=True)
        return False
    return True


@transaction.atomic
def scorecard_batch_create(*, cycle: AssessmentCycle, peer_group: str, user) -> ScorecardBatch:
    """Record a batch of the cycle's scorecards and queue its filling (reports.fill_scorecard_batch).

    Building every organization's benchmark takes minutes at thousands of organizations: not in a request.
    """
    if peer_group not in PeerGroup.values:
        raise ValidationError({"peer_group": "Choose one of the peer groups."})
    if not _batch_assessments(cycle).exists():
        raise ValidationError({"cycle": f"No assessment of {cycle} has been submitted yet."})
    batch = ScorecardBatch.objects.create(cycle=cycle, peer_group=peer_group, requested_by=user)
    batch_id = batch.pk
    transaction.on_commit(lambda: scorecard_batch_enqueue(batch_id))
    return batch


def _batch_assessments(cycle: AssessmentCycle):
    return Assessment.objects.submitted().filter(cycle=cycle, organization__is_active=True)


def scorecard_batch_fill(*, batch_id: int) -> ScorecardBatch | None:
    """Create (or reuse) one scorecard per submitted or validated assessment of the batch's cycle, queue
    their renders, then mark the batch filled. Safe to run again (a redelivered task): a scorecard is
    requested once per assessment, and each request commits on its own, so a long fill holds no lock.
    """
    batch = ScorecardBatch.objects.select_related("cycle", "requested_by").filter(pk=batch_id).first()
    if batch is None or batch.filled_at is not None:
        return batch
    ids = list(_batch_assessments(batch.cycle).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH_CHUNK):
        chunk = Assessment.objects.select_related("organization", "cycle__rubric").in_bulk(
            ids[start : start + BATCH_CHUNK]
        )
        for assessment in chunk.values():
            try:
                scorecard_request(
                    assessment=assessment, peer_group=batch.peer_group, user=batch.requested_by, batch=batch
                )
            except ScorecardUnavailable:  # no longer submitted since the query: nothing to show
                logger.info("Batch %s: assessment %s skipped", batch_id, assessment.pk)
    ScorecardBatch.objects.filter(pk=batch_id, filled_at__isnull=True).update(filled_at=timezone.now())
    batch.refresh_from_db()
    return batch


def scorecard_batches_sweep(*, now: datetime.datetime | None = None) -> list[int]:
    """Queue again the filling of batches still preparing long after they were made (task lost, broker
    down at the time). A fill still running is only repeated, never doubled: it is idempotent."""
    now = now or timezone.now()
    stuck_before = now - datetime.timedelta(minutes=settings.SCORECARD_STUCK_MINUTES)
    stuck = ScorecardBatch.objects.filter(filled_at__isnull=True, created_at__lt=stuck_before)
    return [pk for pk in stuck.values_list("pk", flat=True) if scorecard_batch_enqueue(pk)]
