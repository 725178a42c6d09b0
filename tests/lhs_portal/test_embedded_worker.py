"""The embedded default: with no CELERY_BROKER_URL, a real worker process takes the tasks the pages queue.

The worker is started as `make run` starts it (celery worker --beat), in a process of its own, with the
settings of an install where nothing is configured except the database (PostgreSQL, so that the test's
committed rows are visible to it) and the media folder. The test process publishes to the same folder.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from reports.models import Scorecard
from tests.faults import conftest as faults
from tests.workers import (
    database_url,
    embedded_broker_options,
    needs_postgresql,
    publishing_to,
    start_worker,
    stop_worker,
    wait_until,
)

scored = faults.scored  # Alpha's submitted assessment and five peers (a fixture)
pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True), needs_postgresql]


EMBEDDED_TRANSPORT = "lhs_portal.embedded_broker:Transport"


def embedded_env(var: Path) -> dict:
    return {
        "CELERY_BROKER_URL": "",
        "LHS_VAR_DIR": str(var),
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }


def test_a_scorecard_asked_for_on_its_page_is_rendered_by_the_embedded_worker(
    client, scored, executive_a, tmp_path
):
    var = tmp_path / "var"
    options = embedded_broker_options(var / "celery-broker")
    log = tmp_path / "worker.log"
    worker = start_worker("embedded", log, env=embedded_env(var), beat=True)
    client.force_login(executive_a, backend="assessments.backends.PortalBackend")
    try:
        with publishing_to("filesystem://", options, EMBEDDED_TRANSPORT):
            response = client.post(
                reverse("reports:scorecards", args=["alpha"]), {"cycle": scored.cycle.pk, "peer_group": "all"}
            )
        scorecard = Scorecard.objects.get()
        assert response["Location"] == f"/orgs/alpha/scorecards/{scorecard.pk}/"
        status_url = reverse("reports:scorecard_status", args=["alpha", scorecard.pk])
        seen = []

        def finished():
            status = client.get(status_url).json()["status"]
            if not seen or seen[-1] != status:
                seen.append(status)
            return status in ("ready", "failed")

        wait_until(finished, timeout=90, what="the embedded worker's render", workers=[worker], logs=[log])
    finally:
        stop_worker(worker)
    worker_log = log.read_text()

    # The page followed the render as it happened: queued in the request, then the worker's steps.
    assert seen == ["queued", "rendering", "ready"]
    assert re.search(r"Task reports\.render_scorecard\[[0-9a-f-]+\] received", worker_log), worker_log[-2000:]
    assert "beat: Starting..." in worker_log
    scorecard.refresh_from_db()
    assert (scorecard.status, scorecard.attempts, scorecard.error_message) == ("ready", 1, "")
    pdf = PdfReader(Path(settings.MEDIA_ROOT) / scorecard.file.name)
    assert "Alpha Regional Hospital" in pdf.pages[0].extract_text()
    assert list((var / "celery-broker" / "queue").iterdir()) == []  # the message was taken and removed
