"""Real `celery worker` processes for tests: started as subprocesses on the test database, stopped by pid.

The worker shares the test data through PostgreSQL (a transactional test commits its rows), so tests that use
these helpers skip on SQLite.
"""

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

import psutil
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
CELERY = str(ROOT / ".venv" / "bin" / "celery")

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a worker in another process shares the test data through a database server (PostgreSQL)",
)


def database_url() -> str:
    """The URL of the test database, for a worker process."""
    params = connection.get_connection_params()
    auth = params.get("user") or "postgres"
    if params.get("password"):
        auth += f":{params['password']}"
    host, port = params.get("host") or "127.0.0.1", params.get("port") or 5432
    return f"postgres://{auth}@{host}:{port}/{connection.settings_dict['NAME']}"


def start_worker(name: str, log: Path, *, env: dict, beat: bool = False, concurrency: int = 1):
    """A `celery worker` (prefork pool) in a session of its own, writing its log to `log`."""
    args = [CELERY, "-A", "lhs_portal", "worker", "--pool", "prefork", "--concurrency", str(concurrency),
            "-l", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
            "-n", f"{name}-{os.getpid()}@%h"]  # fmt: skip
    if beat:
        args += ["--beat", "--schedule", str(log.with_suffix(".beat"))]
    with log.open("w") as log_file:
        return subprocess.Popen(
            args, cwd=ROOT, env={**os.environ, "DB_CONN_MAX_AGE": "0", **env},
            stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def pool_children(worker_pid: int) -> list[int]:
    """The prefork pool's child processes."""
    found = subprocess.run(["pgrep", "-P", str(worker_pid)], capture_output=True, text=True, check=False)
    children = []
    for pid in map(int, found.stdout.split()):
        with contextlib.suppress(FileNotFoundError):
            if b"celery" in Path(f"/proc/{pid}/cmdline").read_bytes():
                children.append(pid)
    return children


def session_processes(sid: int) -> list[int]:
    """The worker's processes: those of its session, and all its descendants (Chromium starts its own)."""
    found = subprocess.run(["pgrep", "-s", str(sid)], capture_output=True, text=True, check=False)
    pids = {int(pid) for pid in found.stdout.split()}
    with contextlib.suppress(psutil.NoSuchProcess):
        pids |= {child.pid for child in psutil.Process(sid).children(recursive=True)}
    return sorted(pids)


def stop_worker(worker: subprocess.Popen) -> None:
    """Stop the worker and everything it started (Chromium included), by process id."""
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(10)
    # A killed child's Chromium lost its parent: end whatever is left of the worker's own session.
    for pid in session_processes(worker.pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def wait_until(condition, *, timeout: float, what: str, workers=(), logs=(), interval: float = 0.1):
    """Poll `condition` until it returns something true; fail with the workers' logs otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        for worker, log in zip(workers, logs, strict=False):
            if worker.poll() is not None:
                pytest.fail(
                    f"a worker exited ({worker.returncode}) waiting for {what}:\n{log.read_text()[-3000:]}"
                )
        time.sleep(interval)
    tails = "\n".join(log.read_text()[-2000:] for log in logs)
    pytest.fail(f"timed out after {timeout} s waiting for {what}:\n{tails}")


def _forget_connections(app) -> None:
    # Celery keeps broker connections in pools made on first use, and kombu keeps those pools in global
    # registries keyed by host and port but not by transport options: drop them (not closed: a worker thread
    # may still hold one) so that the next publish uses the new settings.
    from kombu import pools

    for group in (pools.connections, pools.producers):
        dict.clear(group)
    app._pool = None
    app.amqp._producer_pool = None


@contextlib.contextmanager
def publishing_to(url: str, transport_options: dict | None = None, transport: str | None = None):
    """Publish tasks for real (not eagerly) to `url` for the duration of the block (`transport`: a kombu
    transport class, which wins over the URL's scheme)."""
    from lhs_portal.celery import app

    keys = ("broker_url", "broker_write_url", "broker_read_url", "task_always_eager",
            "broker_transport_options", "broker_transport")  # fmt: skip
    saved = {key: app.conf[key] for key in keys}
    _forget_connections(app)
    options = transport_options if transport_options is not None else saved["broker_transport_options"]
    app.conf.update(
        broker_url=url, broker_write_url=url, broker_read_url=url, task_always_eager=False,
        broker_transport_options=options, broker_transport=transport,
    )  # fmt: skip
    try:
        yield app
    finally:
        _forget_connections(app)
        app.conf.update(saved)


def embedded_broker_options(folder: Path) -> dict:
    """The transport options settings.py gives the embedded broker in var/celery-broker."""
    (folder / "queue").mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "control_folder": str(folder / "control"),
    }
