"""manage.py load_rubric: a one-line summary; CommandError (exit code 1) listing every problem; no writes."""

import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from commitments.models import Commitment, Indicator, LevelDescriptor, Rubric
from tests.commitments.conftest import SHIPPED, small_rubric

pytestmark = pytest.mark.django_db


def counts():
    return tuple(m.objects.count() for m in (Rubric, Commitment, Indicator, LevelDescriptor))


def run(*args) -> str:
    out = StringIO()
    call_command("load_rubric", *map(str, args), stdout=out)
    return out.getvalue()


def test_load_publish_then_reload_says_unchanged():
    assert run(SHIPPED, "--publish") == (
        "Rubric 2026.1: 10 commitments, 30 indicators, 150 descriptors (created, published)\n"
    )
    assert (
        run(SHIPPED, "--publish")
        == "Rubric 2026.1: 10 commitments, 30 indicators, 150 descriptors (unchanged)\n"
    )
    assert counts() == (1, 10, 30, 150)
    assert Rubric.objects.get().status == "published"


def test_without_publish_the_version_stays_a_draft():
    assert run(SHIPPED).endswith("(created, draft)\n")
    assert Rubric.objects.get().status == "draft"


def test_a_bad_file_is_a_command_error_listing_every_problem_and_writes_nothing(write_rubric):
    run(SHIPPED, "--publish")
    before = counts()
    data = small_rubric(version="2027.1")
    del data["commitments"][1]["indicators"][0]["levels"][5]
    data["commitments"][1]["definiton"] = data["commitments"][1].pop("definition")
    path = write_rubric(data)
    with pytest.raises(CommandError) as excinfo:
        run(path, "--publish")
    assert str(excinfo.value) == (
        f"{path} was not loaded (3 problems):\n"
        "  commitments[1]: unknown key 'definiton'\n"
        "  commitments[1]: missing 'definition'\n"
        "  commitments[1].indicators[0].levels: expected exactly the levels 1-5, got 1, 2, 3, 4"
    )
    assert counts() == before


def test_changing_a_published_version_is_refused(write_rubric, shipped_data):
    run(SHIPPED, "--publish")
    shipped_data["commitments"][4]["definition"] = "Fairness, reworded"
    path = write_rubric(shipped_data)
    with pytest.raises(CommandError) as excinfo:
        run(path)
    assert str(excinfo.value) == (
        f"{path} was not loaded (1 problem):\n"
        "  version 2026.1 is published and differs from the file; give the changes a new version "
        "(first difference: commitments[4].definition)"
    )
    assert Commitment.objects.get(slug="fair").definition.startswith("Advancing parity")


def test_the_exit_code_is_1_and_the_message_goes_to_stderr(write_rubric):
    path = write_rubric('version: "1"\ncommitments:\n  - slug: a\n   name: b\n')
    process = subprocess.run(
        [sys.executable, "manage.py", "load_rubric", str(path)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert process.returncode == 1
    assert process.stdout == ""
    # endswith: other apps may log while Django starts (weasyprint does at import time).
    assert process.stderr.endswith(
        f"CommandError: {path} was not loaded (1 problem):\n"
        "  YAML syntax error at line 4, column 4: did not find expected '-' indicator "
        "(while parsing a block collection that starts at line 3, column 3)\n"
    )
