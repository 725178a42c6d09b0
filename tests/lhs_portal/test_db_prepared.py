"""Behind a transaction-pooling PgBouncer (DB_PREPARED=0): the database paths with prepared statements off.

A pooler in transaction mode gives each transaction whichever server connection is free, so a statement
prepared on one is unknown on the next. With DB_PREPARED=0 the portal binds parameters on the client and
never prepares. The second test runs the suite's busiest database paths (the workflow services and views, the
peer statistics and the dashboards) in a pytest of their own with DB_PREPARED=0, on a test database of its
own; the first checks, in both runs, that the connections really are set up as the variable says.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from tests.workers import needs_postgresql

pytestmark = needs_postgresql
ROOT = Path(__file__).resolve().parents[2]
INNER = "LHS_DB_PREPARED_INNER_RUN"
DATABASE_PATHS = [
    "tests/lhs_portal/test_db_prepared.py",
    "tests/assessments/test_services_workflow.py",
    "tests/assessments/test_views_workflow.py",
    "tests/reports/test_selectors.py",
    "tests/reports/test_views_dashboards.py",
]


@pytest.mark.django_db
def test_connections_prepare_statements_as_configured():
    prepared = os.environ.get("DB_PREPARED", "1") != "0"
    connection.ensure_connection()
    raw = connection.connection
    assert raw.prepare_threshold == (5 if prepared else None)
    with connection.cursor() as cursor:  # client-side binding: no server-side parameters at all
        assert isinstance(cursor.cursor, psycopg.ClientCursor) is not prepared


@pytest.mark.skipif(bool(os.environ.get(INNER)), reason="the run with DB_PREPARED=0 itself")
def test_the_database_paths_pass_with_prepared_statements_off():
    params = connection.get_connection_params()
    auth = params.get("user") or "postgres"
    if params.get("password"):
        auth += f":{params['password']}"
    host, port = params.get("host") or "127.0.0.1", params.get("port") or 5432
    # Its own test database (test_<NAME>_unprepared): this run's test database is in use.
    name = f"{connection.settings_dict['NAME'].removeprefix('test_')}_unprepared"
    env = {
        **os.environ,
        "DB_PREPARED": "0",
        INNER: "1",
        "DATABASE_URL": f"postgres://{auth}@{host}:{port}/{name}",
    }
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--create-db", *DATABASE_PATHS],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr[-2000:]
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    passed = int(re.search(r"(\d+) passed", summary).group(1))
    assert passed >= 50, summary
    assert "failed" not in summary and "error" not in summary, summary
