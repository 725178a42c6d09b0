"""lhs_portal/settings.py, read from the environment: each case loads the settings in a fresh process."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
ENV_NAMES = (
    # The browser tests set this in-process (Playwright's event loop); a deployment must never have it.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "DJANGO_DEBUG",
    "DJANGO_SECRET_KEY",
    "DJANGO_SECRET_KEY_FILE",
    "LHS_VAR_DIR",
    "EMAIL_HOST",
    "EMAIL_BACKEND",
    "DB_PREPARED",
    "LOCAL_CACHE_ENTRIES",
    "DJANGO_BEHIND_PROXY",
    "DJANGO_PROXY_COUNT",
)


def _env(tmp_path, **overrides):
    env = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
    env.update({"LHS_VAR_DIR": str(tmp_path / "var"), "DJANGO_SETTINGS_MODULE": "lhs_portal.settings"})
    env.update(overrides)
    return env


def _run(args, env):
    return subprocess.run(
        args, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def _settings(tmp_path, *names, **env):
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: str(getattr(settings, n)) for n in {list(names)!r}}}))"
    )
    result = _run([sys.executable, "-c", code], _env(tmp_path, **env))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_deploy_check_passes_with_debug_off_and_a_real_secret(tmp_path):
    env = _env(tmp_path, DJANGO_DEBUG="0", DJANGO_SECRET_KEY=secrets.token_urlsafe(50))
    result = _run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_deploy_check_fails_with_a_weak_secret(tmp_path):
    env = _env(tmp_path, DJANGO_DEBUG="0", DJANGO_SECRET_KEY="too-short")
    result = _run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_settings_refuse_to_load_with_debug_off_and_no_secret(tmp_path):
    result = _run(
        [sys.executable, "-c", "from django.conf import settings; settings.SECRET_KEY"],
        _env(tmp_path, DJANGO_DEBUG="0"),
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "DJANGO_SECRET_KEY" in result.stderr


def test_secret_key_from_a_file(tmp_path):
    key = secrets.token_urlsafe(50)
    (tmp_path / "secret").write_text(key + "\n")
    values = _settings(
        tmp_path, "SECRET_KEY", DJANGO_DEBUG="0", DJANGO_SECRET_KEY_FILE=str(tmp_path / "secret")
    )
    assert values == {"SECRET_KEY": key}


def test_no_database_url_means_sqlite_under_var(tmp_path):
    values = _settings(tmp_path, "DATABASES")
    assert "'ENGINE': 'django.db.backends.sqlite3'" in values["DATABASES"]
    assert f"'NAME': PosixPath('{tmp_path / 'var' / 'db.sqlite3'}')" in values["DATABASES"]
    assert (tmp_path / "var").is_dir()


def test_postgres_database_url(tmp_path):
    code = (
        "import json; from django.conf import settings; d = settings.DATABASES['default']; "
        "print(json.dumps([d['ENGINE'], d['NAME'], d['USER'], d['PASSWORD'], d['HOST'], d['PORT']]))"
    )
    result = _run([sys.executable, "-c", code], _env(tmp_path, DATABASE_URL="postgres://u:p@h:5432/d"))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        "django.db.backends.postgresql",
        "d",
        "u",
        "p",
        "h",
        5432,
    ]


@pytest.mark.parametrize(
    ("prepared", "options"),
    [(None, {"server_side_binding": True, "prepare_threshold": 5}), ("0", {})],
)
def test_postgres_prepared_statements_unless_turned_off(tmp_path, prepared, options):
    code = (
        "import json; from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))"
    )
    env = {"DATABASE_URL": "postgres://u:p@h:5432/d", **({"DB_PREPARED": prepared} if prepared else {})}
    result = _run([sys.executable, "-c", code], _env(tmp_path, **env))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == options


@pytest.mark.parametrize(("entries", "expected"), [(None, 5000), ("20000", 20000)])
def test_each_process_cache_keeps_thousands_of_entries(tmp_path, entries, expected):
    code = (
        'import json; from django.core.cache import caches; cache = caches["default"]; '
        "print(json.dumps([type(cache).__name__, cache._max_entries]))"
    )
    env = {"LOCAL_CACHE_ENTRIES": entries} if entries else {}
    result = _run([sys.executable, "-c", code], _env(tmp_path, **env))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == ["LocMemCache", expected]


def test_without_a_broker_celery_uses_the_embedded_one_under_var(tmp_path):
    code = (
        "import json; from lhs_portal.celery import app; c = app.conf; "
        "print(json.dumps([c.broker_url, c.broker_transport, c.task_always_eager, "
        "c.broker_transport_options, c.beat_schedule_filename]))"
    )
    result = _run([sys.executable, "-c", code], _env(tmp_path))
    assert result.returncode == 0, result.stderr
    broker = tmp_path / "var" / "celery-broker"
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        "filesystem://",
        "lhs_portal.embedded_broker:Transport",
        False,
        {
            "data_folder_in": str(broker / "queue"),
            "data_folder_out": str(broker / "queue"),
            "control_folder": str(broker / "control"),
        },
        str(tmp_path / "var" / "celerybeat-schedule"),
    ]
    assert sorted(p.name for p in broker.iterdir()) == ["control", "queue"]  # made at start


def test_a_broker_url_selects_that_broker_and_never_eager_tasks(tmp_path):
    names = ("CELERY_BROKER_URL", "CELERY_BROKER_EMBEDDED", "CELERY_TASK_ALWAYS_EAGER")
    assert _settings(tmp_path, *names, CELERY_BROKER_URL="redis://127.0.0.1:6379/9") == {
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/9",
        "CELERY_BROKER_EMBEDDED": "False",
        "CELERY_TASK_ALWAYS_EAGER": "False",
    }
    assert not (tmp_path / "var" / "celery-broker").exists()


def test_an_unusable_broker_folder_is_explained(tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    (var / "celery-broker").write_text("not a folder")  # what a permission problem does for root, too
    result = _run([sys.executable, "-c", "from django.conf import settings; settings.DEBUG"], _env(tmp_path))
    assert result.returncode != 0
    assert (
        f"The embedded Celery broker needs the folder {var / 'celery-broker'}: Not a directory. "
        "Make var/ writable (or set LHS_VAR_DIR), or set CELERY_BROKER_URL=redis://..."
    ) in result.stderr


@pytest.mark.parametrize(
    ("env", "proxies"),
    [
        ({}, "0"),
        ({"DJANGO_PROXY_COUNT": "2"}, "0"),  # not behind a proxy: no forwarded header is read
        ({"DJANGO_BEHIND_PROXY": "1"}, "1"),
        ({"DJANGO_BEHIND_PROXY": "1", "DJANGO_PROXY_COUNT": "1"}, "1"),
        ({"DJANGO_BEHIND_PROXY": "1", "DJANGO_PROXY_COUNT": "2"}, "2"),
    ],
)
def test_the_proxies_trusted_for_the_client_address(tmp_path, env, proxies):
    names = ("CLIENT_IP_PROXY_COUNT", "AXES_CLIENT_IP_CALLABLE")
    assert _settings(tmp_path, *names, **env) == {
        "CLIENT_IP_PROXY_COUNT": proxies,
        "AXES_CLIENT_IP_CALLABLE": "assessments.audit.client_ip",
    }


def test_a_negative_proxy_count_is_a_clear_error(tmp_path):
    env = _env(tmp_path, DJANGO_BEHIND_PROXY="1", DJANGO_PROXY_COUNT="-1")
    result = _run([sys.executable, "-c", "from django.conf import settings; settings.DEBUG"], env)
    assert result.returncode != 0
    assert "DJANGO_PROXY_COUNT must be 0 or more" in result.stderr


def test_redis_sentinel_names_its_primary(tmp_path):
    code = (
        "import json; from lhs_portal.celery import app; print(json.dumps(app.conf.broker_transport_options))"
    )
    url = "sentinel://10.0.0.1:26379;sentinel://10.0.0.2:26379;sentinel://10.0.0.3:26379"
    result = _run(
        [sys.executable, "-c", code], _env(tmp_path, CELERY_BROKER_URL=url, CELERY_BROKER_MASTER_NAME="lhs")
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "visibility_timeout": 3600,
        "socket_connect_timeout": 3,
        "socket_timeout": 10,
        "master_name": "lhs",
    }
