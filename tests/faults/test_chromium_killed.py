"""The worker's Chromium killed (SIGKILL) in the middle of a render: the task retries and the PDF appears.

A real worker process (one pool process) draws the charts in its own Chromium (kaleido). When the render has
started, every Chromium process of that worker is killed. The charts of that attempt fail, the chart server
stops what is left of that browser, the service counts the attempt and asks for a retry, and the next attempt
starts a fresh Chromium: the scorecard ends ready, with one PDF, on its second attempt.
"""

import contextlib
import os
import signal
from pathlib import Path

import pytest
from django.conf import settings
from pypdf import PdfReader

from reports.models import Scorecard
from reports.services import scorecards as service
from tests.workers import (
    database_url,
    needs_postgresql,
    publishing_to,
    session_processes,
    start_worker,
    stop_worker,
    wait_until,
)

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True), needs_postgresql]


def chromium_processes(worker_pid: int) -> list[int]:
    found = []
    for pid in session_processes(worker_pid):
        with contextlib.suppress(FileNotFoundError):
            if b"chrom" in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0]:
                found.append(pid)
    return found


def test_chromium_killed_mid_render_is_started_again_and_the_pdf_appears(scored, real_broker, tmp_path):
    env = {
        "CELERY_BROKER_URL": real_broker,
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "LHS_VAR_DIR": str(tmp_path / "var"),
    }
    log = tmp_path / "worker.log"
    with publishing_to(real_broker) as app:
        app.control.purge()
        worker = start_worker("chromium-killed", log, env=env)
        try:
            wait_until(
                lambda: "kaleido started" in log.read_text(), timeout=90, what="Chromium", workers=[worker],
                logs=[log],
            )  # fmt: skip
            first_browser = chromium_processes(worker.pid)
            assert first_browser
            scorecard = service.scorecard_request(assessment=scored, peer_group="all").scorecard

            def status():
                scorecard.refresh_from_db()
                return scorecard.status

            wait_until(
                lambda: status() == "rendering", timeout=60, what="the render", workers=[worker], logs=[log],
                interval=0.01,
            )  # fmt: skip
            for pid in first_browser:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            wait_until(
                lambda: status() in ("ready", "failed"), timeout=120, what="the retried render",
                workers=[worker], logs=[log],
            )  # fmt: skip
            second_browser = chromium_processes(worker.pid)
        finally:
            stop_worker(worker)
    worker_log = log.read_text()

    assert (scorecard.status, scorecard.attempts, scorecard.error_message) == ("ready", 2, ""), worker_log[
        -3000:
    ]
    assert f"Scorecard {scorecard.pk}: attempt 1 failed" in worker_log
    assert worker_log.count("kaleido started") == 2  # the browser was started again, in the same process
    assert second_browser and not set(second_browser) & set(first_browser)
    pdf = PdfReader(Path(settings.MEDIA_ROOT) / scorecard.file.name)
    assert "Alpha Regional Hospital" in pdf.pages[0].extract_text()
    assert Scorecard.objects.count() == 1
