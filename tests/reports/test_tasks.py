"""reports/tasks.py with a REAL Celery worker on the real Redis broker (see tests/reports/conftest.py).

Nothing here is eager: the request commits, the task goes through Redis, the worker thread renders the PDF
with Chromium and WeasyPrint, and the test reads the stored file back.
"""

import datetime
import io
import re
import time
from pathlib import Path

import pytest
from celery.worker import state as worker_state
from django.core.files.storage import default_storage
from django.utils import timezone
from pypdf import PdfReader

from reports.exporters import scorecard as exporter
from reports.models import Scorecard, ScorecardBatch
from reports.scores import assessment_scores
from reports.selectors import org_benchmark
from reports.services import scorecards as service
from reports.tasks import fill_scorecard_batch, render_scorecard, sweep_scorecards

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def wait_for(scorecard, *statuses, timeout=90) -> Scorecard:
    """Wait until the scorecard has one of the statuses and the in-thread worker has finished its task
    (on SQLite, a task still closing its connection would lock the shared in-memory database)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        scorecard.refresh_from_db()
        if scorecard.status in statuses:
            while worker_state.active_requests and time.monotonic() < deadline:
                time.sleep(0.05)
            return scorecard
        time.sleep(0.2)
    raise AssertionError(f"Scorecard {scorecard.pk} still {scorecard.status} after {timeout} s")


def test_task_names():
    assert render_scorecard.name == "reports.render_scorecard"
    assert sweep_scorecards.name == "reports.sweep_scorecards"
    assert fill_scorecard_batch.name == "reports.fill_scorecard_batch"


def wait_for_batch(batch, count, timeout=120) -> list[Scorecard]:
    """Wait until the batch is filled and its `count` scorecards rendered; they come back by organization."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batch.refresh_from_db()
        if batch.filled_at is not None and batch.scorecards.filter(status="ready").count() == count:
            while worker_state.active_requests and time.monotonic() < deadline:
                time.sleep(0.05)
            return list(batch.scorecards.order_by("assessment__organization__slug"))
        time.sleep(0.3)
    raise AssertionError(f"Batch {batch.pk} not done after {timeout} s: filled_at={batch.filled_at}")


def test_worker_fills_a_batch_then_renders_its_scorecards(celery_worker, scored, nam_staff):
    batch = service.scorecard_batch_create(cycle=scored.cycle, peer_group="all", user=nam_staff)
    # Committed: the fill task is on its way; what the request made is the batch alone.
    assert (batch.filled_at, batch.requested_by) == (None, nam_staff)
    scorecards = wait_for_batch(batch, 6)
    assert [s.assessment.organization.slug for s in scorecards][:1] == ["alpha"]
    assert [(s.status, s.attempts, s.requested_by) for s in scorecards] == [("ready", 1, nam_staff)] * 6
    assert batch.filled_at >= batch.created_at


def test_sweep_queues_again_a_batch_whose_fill_was_lost(celery_worker, scored, nam_staff, settings):
    from .conftest import UNREACHABLE_BROKER, broker_at

    with broker_at(UNREACHABLE_BROKER):
        batch = service.scorecard_batch_create(cycle=scored.cycle, peer_group="all", user=nam_staff)
    batch.refresh_from_db()
    assert (batch.filled_at, batch.scorecards.count()) == (None, 0)
    assert service.scorecard_batches_sweep() == []  # recent: its task may still be on its way

    later = timezone.now() + datetime.timedelta(minutes=settings.SCORECARD_STUCK_MINUTES + 1)
    assert service.scorecard_batches_sweep(now=later) == [batch.pk]
    assert len(wait_for_batch(batch, 6)) == 6
    assert service.scorecard_batches_sweep(now=later) == []  # filled: nothing left to sweep
    assert ScorecardBatch.objects.get().filled_at is not None


def test_worker_renders_the_pdf_with_the_database_figures(celery_worker, scored, assessor_a):
    scorecard = service.scorecard_request(assessment=scored, peer_group="all", user=assessor_a).scorecard
    scorecard = wait_for(scorecard, "ready", "failed")
    assert (scorecard.status, scorecard.attempts, scorecard.error_message) == ("ready", 1, "")
    assert scorecard.queued_at is not None
    assert scorecard.finished_at >= scorecard.started_at

    with scorecard.file.open("rb") as stored:
        reader = PdfReader(io.BytesIO(stored.read()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Alpha Regional Hospital" in reader.pages[0].extract_text()
    benchmark = org_benchmark(assessment=scored, peer_group="all")
    scores = assessment_scores(scored)
    for commitment, score in zip(benchmark.commitments, scores.commitments, strict=True):
        assert commitment.slug == score.slug
        row = rf"{commitment.order}\s+{commitment.name} {score.score:.2f} .*? {commitment.peer.median:.2f} "
        assert re.search(row, text), row
    assert f"Overall {scores.overall:.2f}" in text


def test_unchanged_scorecard_is_reused_not_rendered_again(celery_worker, scored):
    first = wait_for(service.scorecard_request(assessment=scored, peer_group="all").scorecard, "ready")
    path = Path(default_storage.path(first.file.name))
    mtime = path.stat().st_mtime_ns

    result = service.scorecard_request(assessment=scored, peer_group="all")
    time.sleep(1)  # a task queued by mistake would have run by now
    second = result.scorecard
    second.refresh_from_db()
    assert (result.reused, second.pk, second.attempts, second.status) == (True, first.pk, 1, "ready")
    assert path.stat().st_mtime_ns == mtime


def test_failure_then_try_again(celery_worker, scored, settings, assessor_a):
    settings.CHROMIUM_PATH = "/nonexistent/chromium"
    scorecard = service.scorecard_request(assessment=scored, peer_group="all").scorecard
    scorecard = wait_for(scorecard, "ready", "failed")
    assert scorecard.status == "failed"
    assert "apt-get install chromium" in scorecard.error_message

    settings.CHROMIUM_PATH = ""
    service.scorecard_retry(scorecard=scorecard, user=assessor_a)
    scorecard = wait_for(scorecard, "ready", "failed")
    assert (scorecard.status, scorecard.attempts, scorecard.error_message) == ("ready", 1, "")


def test_transient_failure_is_retried_by_the_worker(celery_worker, scored, settings, tmp_path):
    """The first attempt cannot store the file; the retry (after its backoff) can."""
    blocked = tmp_path / "media"
    blocked.write_text("")  # a file where the media folder should be
    settings.MEDIA_ROOT = blocked
    scorecard = service.scorecard_request(assessment=scored, peer_group="all").scorecard
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        scorecard.refresh_from_db()
        if scorecard.attempts == 1 and scorecard.status == "queued":
            break
        time.sleep(0.2)
    assert scorecard.error_message.startswith("The scorecard could not be produced (NotADirectoryError")
    blocked.unlink()  # the storage comes back before the retry (5 s backoff)
    scorecard = wait_for(scorecard, "ready", "failed", timeout=60)
    assert (scorecard.status, scorecard.attempts, scorecard.error_message) == ("ready", 2, "")


def test_sweep_requeues_a_stuck_scorecard(celery_worker, scored, settings):
    # A render whose worker vanished without the broker redelivering it: "rendering" for too long.
    long_ago = timezone.now() - datetime.timedelta(minutes=settings.SCORECARD_STUCK_MINUTES + 1)
    scorecard = Scorecard.objects.create(
        assessment=scored,
        peer_group="all",
        inputs_hash=exporter.scorecard_document(assessment=scored, peer_group="all").inputs_hash,
        status="rendering",
        attempts=1,
        queued_at=long_ago,
        started_at=long_ago,
    )
    assert service.scorecards_sweep(now=timezone.now() - datetime.timedelta(seconds=1)) == [scorecard.pk]
    scorecard = wait_for(scorecard, "ready", "failed")
    assert (scorecard.status, scorecard.attempts) == ("ready", 2)
    assert service.scorecards_sweep() == []  # nothing left to sweep


def test_broker_down_then_the_sweep_queues_it(celery_worker, scored):
    from .conftest import UNREACHABLE_BROKER, broker_at

    with broker_at(UNREACHABLE_BROKER):
        scorecard = service.scorecard_request(assessment=scored, peer_group="all").scorecard
    scorecard.refresh_from_db()
    assert (scorecard.status, scorecard.queued_at, scorecard.attempts) == ("queued", None, 0)
    assert service.scorecards_sweep() == []  # less than a minute: it may still be on its way

    # The broker is back; a minute later the periodic sweep hands it over.
    later = timezone.now() + datetime.timedelta(minutes=2)
    assert service.scorecards_sweep(now=later) == [scorecard.pk]
    scorecard = wait_for(scorecard, "ready", "failed")
    assert (scorecard.status, scorecard.attempts) == ("ready", 1)


# A worker killed mid-render: tests/faults/test_worker_killed.py
