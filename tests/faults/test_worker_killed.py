"""A Celery worker process killed (SIGKILL) in the middle of a scorecard render.

A REAL worker runs as a subprocess (prefork pool, one child) on the real Redis broker and on the test
database (transactional test: the rows are committed, the worker's own connection sees them). The test
requests a scorecard through the service, waits until the row says "rendering", and kills the pool child
that runs the task. The main worker process notices the lost child; with task_acks_late and
task_reject_on_worker_lost the broker hands the task out again at once, a fresh child renders it, and the
render's idempotence leaves exactly one PDF. Nothing is mocked and nothing is slowed down: the render takes
a few seconds (charts in Chromium, pages in WeasyPrint) and the row is polled every 20 ms.
"""

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from pypdf import PdfReader

from reports.models import Scorecard
from reports.services import scorecards as service

from .conftest import broker_at

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="a worker in another process shares the test data through a database server (PostgreSQL)",
    ),
]
ROOT = Path(__file__).resolve().parents[2]
BUDGET_SECONDS = 85  # the whole test, worker start to finished PDF


def database_url() -> str:
    params = connection.get_connection_params()
    auth = params.get("user") or "postgres"
    if params.get("password"):
        auth += f":{params['password']}"
    host, port = params.get("host") or "127.0.0.1", params.get("port") or 5432
    return f"postgres://{auth}@{host}:{port}/{connection.settings_dict['NAME']}"


def pool_children(worker_pid: int) -> list[int]:
    """The prefork pool's child processes (psutil is not installed: pgrep -P)."""
    found = subprocess.run(["pgrep", "-P", str(worker_pid)], capture_output=True, text=True, check=False)
    children = []
    for pid in map(int, found.stdout.split()):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except FileNotFoundError:
            continue
        if b"celery" in cmdline:
            children.append(pid)
    return children


def _session_processes(sid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-s", str(sid)], capture_output=True, text=True, check=False)
    return [int(pid) for pid in found.stdout.split()]


def _stop(worker: subprocess.Popen) -> None:
    """Stop the worker and everything it started (Chromium included), by process id."""
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(10)
    # The killed child's Chromium lost its parent: end whatever is left of the worker's own session.
    for pid in _session_processes(worker.pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _wait(condition, deadline: float, what: str, worker, log: Path, interval=0.02):
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if worker.poll() is not None:
            pytest.fail(
                f"the worker exited ({worker.returncode}) while waiting for {what}:\n"
                f"{log.read_text()[-3000:]}"
            )
        time.sleep(interval)
    pytest.fail(f"timed out waiting for {what}:\n{log.read_text()[-3000:]}")


def test_worker_killed_mid_render_leaves_exactly_one_ready_pdf(scored, real_broker, tmp_path):
    deadline = time.monotonic() + BUDGET_SECONDS
    media = Path(settings.MEDIA_ROOT)
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": real_broker,
        "MEDIA_ROOT": str(media),
        "LHS_VAR_DIR": str(tmp_path / "var"),
        "DB_CONN_MAX_AGE": "0",
    }
    log = tmp_path / "worker.log"
    with broker_at(real_broker) as app, log.open("w") as log_file:
        app.control.purge()  # tasks left in the queue by an interrupted earlier run
        worker = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/celery"), "-A", "lhs_portal", "worker",
                "--pool", "prefork", "--concurrency", "1", "-l", "INFO",
                "--without-gossip", "--without-mingle", "--without-heartbeat",
                "-n", f"resilience-kill-{os.getpid()}@%h",
            ],
            cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            scorecard = service.scorecard_request(assessment=scored, peer_group="all").scorecard

            def status():
                scorecard.refresh_from_db()
                return scorecard.status

            _wait(lambda: status() == "rendering", deadline, "the render to start", worker, log)
            children = pool_children(worker.pid)
            assert len(children) == 1, children
            os.kill(children[0], signal.SIGKILL)
            killed_at_attempt = scorecard.attempts
            assert (scorecard.status, killed_at_attempt) == ("rendering", 1)

            _wait(
                lambda: status() in ("ready", "failed"), deadline, "the redelivered render", worker, log, 0.1
            )
            new_children = pool_children(worker.pid)
        finally:
            _stop(worker)
    worker_log = log.read_text()

    assert children[0] not in new_children  # a fresh pool process finished the job
    assert "WorkerLostError" in worker_log or "SIGKILL" in worker_log, worker_log[-3000:]
    scorecard.refresh_from_db()
    assert (scorecard.status, scorecard.error_message) == ("ready", "")
    assert scorecard.attempts >= 2
    assert scorecard.file.name == service.storage_name(scorecard)
    assert scorecard.file.name == f"scorecards/alpha-2026-all-{scorecard.inputs_hash[:12]}.pdf"
    assert Scorecard.objects.filter(assessment=scored).count() == 1  # no duplicate row
    stored = sorted(p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file())
    assert stored == [scorecard.file.name]  # one file: no partial or second copy
    content = (media / scorecard.file.name).read_bytes()
    assert content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")
    reader = PdfReader(media / scorecard.file.name)
    assert len(reader.pages) >= 6
    assert "Alpha Regional Hospital" in reader.pages[0].extract_text()
    assert scorecard.finished_at >= scorecard.started_at
