"""Faults of the embedded default (no CELERY_BROKER_URL): its broker folder deleted under a running worker,
and the worker itself killed outright mid-render.

The worker runs as `make run` runs it (celery worker --beat on the settings of an install with nothing set but
the database and media folder); the test process publishes to the same folder, through the same transport.
"""

import contextlib
import datetime
import logging
import os
import shutil
import signal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from reports.models import Scorecard
from reports.services import scorecards as service
from reports.tasks import sweep_scorecards
from tests.lhs_portal.test_embedded_worker import EMBEDDED_TRANSPORT, embedded_env
from tests.workers import (
    embedded_broker_options,
    needs_postgresql,
    publishing_to,
    session_processes,
    start_worker,
    stop_worker,
    wait_until,
)

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True), needs_postgresql]


def status(scorecard) -> str:
    scorecard.refresh_from_db()
    return scorecard.status


def test_the_broker_folder_deleted_under_a_running_worker_is_made_again(
    client, scored, executive_a, tmp_path, caplog
):
    # The portal's side may be the one that finds the folder gone: hear its warning whatever level an earlier
    # test's in-process worker left on the root logger.
    broker_logger = logging.getLogger("lhs_portal.embedded_broker")
    caplog.set_level(logging.WARNING, logger=broker_logger.name)
    broker_logger.addHandler(caplog.handler)  # heard even where an earlier worker rewired the root logger
    var = tmp_path / "var"
    options = embedded_broker_options(var / "celery-broker")
    log = tmp_path / "worker.log"
    worker = start_worker("embedded-gone", log, env=embedded_env(var), beat=True)
    client.force_login(executive_a, backend="assessments.backends.PortalBackend")
    try:
        wait_until(
            lambda: " ready." in log.read_text(), timeout=60, what="the worker", workers=[worker], logs=[log]
        )
        shutil.rmtree(var / "celery-broker")  # `rm -rf var/celery-broker` while make run runs
        with publishing_to("filesystem://", options, EMBEDDED_TRANSPORT):
            client.post(
                reverse("reports:scorecards", args=["alpha"]), {"cycle": scored.cycle.pk, "peer_group": "all"}
            )
        scorecard = Scorecard.objects.get()
        wait_until(
            lambda: status(scorecard) in ("ready", "failed"), timeout=90, what="the render", workers=[worker],
            logs=[log],
        )  # fmt: skip
    finally:
        stop_worker(worker)
        broker_logger.removeHandler(caplog.handler)
    assert (scorecard.status, scorecard.attempts) == ("ready", 1)
    worker_log = log.read_text()
    # Whoever touches the broker first (the worker's poll, or the portal's publish) makes the folder again.
    said = f"The embedded broker's folder {var / 'celery-broker' / 'queue'} was missing: made again."
    assert said in worker_log or said in caplog.text
    assert worker.returncode == 0, worker_log[-2000:]  # it went on working, and stopped when told to


def test_the_worker_killed_outright_on_the_embedded_broker_loses_nothing(scored, tmp_path):
    """SIGKILL to the whole worker (main process, pool, Chromium): the message it took is gone from the
    folder and nobody will put it back. The next worker's sweep (beat, every minute) queues the scorecard
    again once it has been rendering for SCORECARD_STUCK_MINUTES; the test moves its start back by that much
    instead of waiting, and sends the sweep as beat does."""
    var = tmp_path / "var"
    options = embedded_broker_options(var / "celery-broker")
    logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
    first = start_worker("embedded-killed", logs[0], env=embedded_env(var), beat=True)
    try:
        with publishing_to("filesystem://", options, EMBEDDED_TRANSPORT):
            scorecard = service.scorecard_request(assessment=scored, peer_group="all").scorecard
        wait_until(
            lambda: status(scorecard) == "rendering", timeout=60, what="the render to start", workers=[first],
            logs=logs[:1], interval=0.02,
        )  # fmt: skip
        for pid in session_processes(first.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        first.wait(10)
    finally:
        stop_worker(first)
    assert list((var / "celery-broker" / "queue").iterdir()) == []  # the task is nowhere
    assert status(scorecard) == "rendering"

    stuck = datetime.timedelta(minutes=settings.SCORECARD_STUCK_MINUTES + 1)
    Scorecard.objects.filter(pk=scorecard.pk).update(started_at=timezone.now() - stuck)
    second = start_worker("embedded-restarted", logs[1], env=embedded_env(var), beat=True)
    try:
        with publishing_to("filesystem://", options, EMBEDDED_TRANSPORT):
            sweep_scorecards.delay()
        wait_until(
            lambda: status(scorecard) in ("ready", "failed"), timeout=120, what="the swept render",
            workers=[second], logs=logs[1:],
        )  # fmt: skip
    finally:
        stop_worker(second)
    assert (scorecard.status, scorecard.attempts, scorecard.error_message) == ("ready", 2, "")
    assert Scorecard.objects.count() == 1
    assert scorecard.file.name == service.storage_name(scorecard)
