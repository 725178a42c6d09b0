"""A database connection dropped between requests: the next request succeeds without a restart.

The portal keeps connections open between requests (CONN_MAX_AGE). When PostgreSQL ends one (a failover, a
restart, `pg_terminate_backend`), CONN_HEALTH_CHECKS makes Django test it before reuse and reconnect. The test
runs the real thing: gunicorn serving the portal from the test database, and the backend killed in between.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
APP_NAME = "lhs_fault_test"
pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL connections to terminate"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url(**query) -> str:
    p = connection.get_connection_params()
    auth = p.get("user", "postgres") + (f":{p['password']}" if p.get("password") else "")
    host, port, name = p.get("host", "127.0.0.1"), p.get("port", 5432), connection.settings_dict["NAME"]
    url = f"postgres://{auth}@{host}:{port}/{name}"
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _portal_backends() -> list[int]:
    with psycopg.connect(_database_url()) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s", [APP_NAME]
        ).fetchall()
    return [pid for (pid,) in rows]


@pytest.fixture
def gunicorn(rubric):
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(application_name=APP_NAME),
        "DB_CONN_MAX_AGE": "600",
        "CELERY_BROKER_URL": "",
        "DJANGO_DEBUG": "1",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "lhs_portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            _get(f"{base}/healthz")
            break
        except OSError:
            time.sleep(0.1)
    yield base
    server.terminate()
    server.wait(timeout=10)


def test_next_request_succeeds_after_the_connection_was_terminated(gunicorn):
    status, body = _get(f"{gunicorn}/commitments/")
    assert status == 200
    assert "Engaged" in body
    backends = _portal_backends()
    assert len(backends) == 1  # the persistent connection of the one gunicorn worker

    with psycopg.connect(_database_url(), autocommit=True) as conn:
        terminated = conn.execute("SELECT pg_terminate_backend(%s)", [backends[0]]).fetchone()
    assert terminated == (True,)

    status, body = _get(f"{gunicorn}/commitments/")
    assert status == 200
    assert "Engaged" in body
    status, body = _get(f"{gunicorn}/healthz")
    assert (status, body) == (200, '{"status": "ok", "database": "ok", "broker": "ok"}')  # embedded broker
    new_backends = _portal_backends()
    assert len(new_backends) == 1
    assert new_backends != backends
