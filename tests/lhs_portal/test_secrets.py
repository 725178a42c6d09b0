"""Secrets in lhs_portal/settings.py: read from files (Docker/Kubernetes secrets), refused when unsafe.

tests/lhs_portal/test_settings.py covers the basics (DJANGO_SECRET_KEY_FILE is read, DEBUG=0 without a
secret refuses to load). Here: the development key given explicitly or through a file, an empty secret,
an unreadable secret file, the file winning over the variable, and the other *_FILE secrets. Each case
loads the settings in a fresh process, as a server would.
"""

import secrets
import sys

from lhs_portal.settings import DEV_SECRET_KEY
from tests.lhs_portal.test_settings import _env, _run, _settings

LOAD = [sys.executable, "-c", "from django.conf import settings; settings.SECRET_KEY"]
REFUSAL = "DJANGO_SECRET_KEY (or DJANGO_SECRET_KEY_FILE) must be set to a real secret when DJANGO_DEBUG=0."


def _refused(tmp_path, **env) -> str:
    result = _run(LOAD, _env(tmp_path, **env))
    assert result.returncode != 0
    return result.stderr.strip().splitlines()[-1]


def test_secret_key_file_content_stripped(tmp_path):
    key = secrets.token_urlsafe(50)
    (tmp_path / "secret").write_text(f"  {key}\r\n\n")
    values = _settings(
        tmp_path, "SECRET_KEY", DJANGO_DEBUG="0", DJANGO_SECRET_KEY_FILE=str(tmp_path / "secret")
    )
    assert values == {"SECRET_KEY": key}


def test_the_file_wins_over_the_variable(tmp_path):
    key = secrets.token_urlsafe(50)
    (tmp_path / "secret").write_text(key)
    values = _settings(
        tmp_path,
        "SECRET_KEY",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="an-old-key-left-in-the-environment-" + "x" * 30,
        DJANGO_SECRET_KEY_FILE=str(tmp_path / "secret"),
    )
    assert values == {"SECRET_KEY": key}


def test_debug_off_with_the_development_key_refuses_to_load(tmp_path):
    line = _refused(tmp_path, DJANGO_DEBUG="0", DJANGO_SECRET_KEY=DEV_SECRET_KEY)
    assert line == f"django.core.exceptions.ImproperlyConfigured: {REFUSAL}"


def test_debug_off_with_the_development_key_in_the_file_refuses_to_load(tmp_path):
    (tmp_path / "secret").write_text(DEV_SECRET_KEY + "\n")
    line = _refused(tmp_path, DJANGO_DEBUG="0", DJANGO_SECRET_KEY_FILE=str(tmp_path / "secret"))
    assert line == f"django.core.exceptions.ImproperlyConfigured: {REFUSAL}"


def test_debug_off_with_an_empty_secret_file_refuses_to_load(tmp_path):
    (tmp_path / "secret").write_text("\n")
    line = _refused(tmp_path, DJANGO_DEBUG="0", DJANGO_SECRET_KEY_FILE=str(tmp_path / "secret"))
    assert line == f"django.core.exceptions.ImproperlyConfigured: {REFUSAL}"


def test_an_unreadable_secret_file_is_a_clear_error(tmp_path):
    missing = tmp_path / "no-such-secret"
    line = _refused(tmp_path, DJANGO_DEBUG="0", DJANGO_SECRET_KEY_FILE=str(missing))
    assert line == (
        "django.core.exceptions.ImproperlyConfigured: "
        f"DJANGO_SECRET_KEY_FILE={str(missing)!r} cannot be read: No such file or directory."
    )


def test_the_development_key_is_fine_while_developing(tmp_path):
    assert _settings(tmp_path, "SECRET_KEY", "DEVELOPMENT") == {
        "SECRET_KEY": DEV_SECRET_KEY,
        "DEVELOPMENT": "True",
    }


def test_other_secrets_come_from_files_too(tmp_path):
    (tmp_path / "smtp").write_text("smtp-password\n")
    (tmp_path / "db").write_text("postgres://portal:s3cret@db.internal:5432/portal\n")
    values = _settings(
        tmp_path,
        "EMAIL_HOST_PASSWORD",
        "DATABASE_URL",
        EMAIL_HOST_PASSWORD_FILE=str(tmp_path / "smtp"),
        DATABASE_URL_FILE=str(tmp_path / "db"),
    )
    assert values == {
        "EMAIL_HOST_PASSWORD": "smtp-password",
        "DATABASE_URL": "postgres://portal:s3cret@db.internal:5432/portal",
    }


def test_the_secret_key_is_not_shown_by_the_deploy_check(tmp_path):
    key = secrets.token_urlsafe(50)
    result = _run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "ERROR"],
        _env(tmp_path, DJANGO_DEBUG="0", DJANGO_SECRET_KEY=key),
    )
    assert key not in result.stdout + result.stderr
