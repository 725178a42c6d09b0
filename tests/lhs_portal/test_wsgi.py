"""lhs_portal/wsgi.py, loaded in a fresh process as a WSGI server loads it."""

import json
import subprocess
import sys

from tests.lhs_portal.test_settings import BASE_DIR, _env


def test_wsgi_start_imports_every_view_and_freezes_them_out_of_the_collector(tmp_path):
    code = (
        "import gc, json, sys; import lhs_portal.wsgi as w; "
        "print(json.dumps([gc.get_freeze_count(), callable(w.application), "
        "'reports.views.dashboards' in sys.modules, 'assessments.views.workflow' in sys.modules]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    frozen, callable_app, dashboards, workflow = json.loads(result.stdout.strip().splitlines()[-1])
    # Django, the apps and their views: well over 100,000 objects the collector no longer walks.
    assert frozen > 100_000
    assert (callable_app, dashboards, workflow) == (True, True, True)
