"""`make backup` and `make restore` round-trip every assessment and response through pg_dump/pg_restore."""

import subprocess
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from tests import factories as f

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="backups are PostgreSQL dumps"),
]


def _url(dbname: str) -> str:
    params = connection.get_connection_params()
    user, host, port = (
        params.get("user", "postgres"),
        params.get("host", "127.0.0.1"),
        params.get("port", 5432),
    )
    password = f":{params['password']}" if params.get("password") else ""
    return f"postgres://{user}{password}@{host}:{port}/{dbname}"


def _rows(url: str, sql: str):
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


def test_backup_restores_into_a_fresh_database(tmp_path, rubric, cycle):
    assessments = [
        f.answer_all(f.AssessmentFactory(cycle=cycle), level, status="validated") for level in (1, 3, 5)
    ]
    source = _url(connection.settings_dict["NAME"])
    env = {"PATH": "/usr/bin:/bin:/usr/local/bin", "DATABASE_URL": source}

    backup = subprocess.run(
        ["make", "-s", "backup", f"BACKUP_DIR={tmp_path}"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert backup.returncode == 0, backup.stderr
    dumps = list(tmp_path.glob("lhs-*.dump"))
    assert len(dumps) == 1
    assert backup.stdout.strip() == f"Backup written to {dumps[0]}"

    fresh = f"{connection.settings_dict['NAME']}_restore"
    admin_url = _url("postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
        conn.execute(f'CREATE DATABASE "{fresh}"')
    try:
        restore = subprocess.run(
            ["make", "-s", "restore", f"FILE={dumps[0]}"],
            cwd=ROOT,
            env={**env, "DATABASE_URL": _url(fresh)},
            capture_output=True,
            text=True,
        )
        assert restore.returncode == 0, restore.stderr
        restored_assessments = _rows(_url(fresh), "SELECT id, status FROM assessments_assessment ORDER BY id")
        assert restored_assessments == [(a.pk, "validated") for a in assessments]
        restored_responses = _rows(
            _url(fresh),
            "SELECT assessment_id, count(*), sum(level) FROM assessments_response"
            " GROUP BY assessment_id ORDER BY assessment_id",
        )
        assert restored_responses == [
            (assessments[0].pk, 30, 30),
            (assessments[1].pk, 30, 90),
            (assessments[2].pk, 30, 150),
        ]
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')


def test_backup_refuses_without_a_postgres_url(tmp_path):
    result = subprocess.run(
        ["make", "-s", "backup", f"BACKUP_DIR={tmp_path}"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": ""},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert result.stdout.strip() == "make backup needs DATABASE_URL=postgres://... (pg_dump)"
    assert list(tmp_path.iterdir()) == []
