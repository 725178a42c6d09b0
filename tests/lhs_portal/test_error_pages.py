"""The default install shows people the portal's own error pages; DJANGO_DEBUG=1 is the developer's switch.

Each case loads the settings in a fresh process (tests/lhs_portal/test_settings.py), as `make run` would.
"""

import json
import sys

import pytest

from tests.lhs_portal.test_settings import _env, _run, _settings

# A request through the whole stack, signed out: no database is needed for an address that matches no URL.
REQUEST = (
    "import json, django; django.setup(); from django.test import Client; "
    "r = Client(HTTP_HOST='localhost').get('/orgs/no-such-organization/assessments/2026/submit/x/'); "
    "page = r.content.decode(); "
    "print(json.dumps([r.status_code, 'Page not found' in page, 'Back to the portal' in page, "
    "'URLconf' in page]))"
)


def test_the_default_install_shows_the_portals_own_404_page(tmp_path):
    result = _run([sys.executable, "-c", REQUEST], _env(tmp_path))
    assert result.returncode == 0, result.stderr
    # 404, the portal's page, and no list of the portal's URL patterns.
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [404, True, True, False]


def test_django_debug_1_shows_the_developers_debug_page(tmp_path):
    result = _run([sys.executable, "-c", REQUEST], _env(tmp_path, DJANGO_DEBUG="1"))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [404, True, False, True]


@pytest.mark.parametrize(
    ("debug", "expected"),
    [
        # unset: a development install (plain HTTP, the development key) without Django's debug pages
        (None, {"DEBUG": "False", "DEVELOPMENT": "True", "SECURE_SSL_REDIRECT": "False"}),
        ("1", {"DEBUG": "True", "DEVELOPMENT": "True", "SECURE_SSL_REDIRECT": "False"}),
        ("0", {"DEBUG": "False", "DEVELOPMENT": "False", "SECURE_SSL_REDIRECT": "True"}),
    ],
)
def test_django_debug_unset_one_and_zero(tmp_path, debug, expected):
    env = {"DJANGO_DEBUG": debug, "DJANGO_SECRET_KEY": "x" * 60} if debug is not None else {}
    assert _settings(tmp_path, *expected, **env) == expected
