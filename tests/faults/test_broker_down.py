"""The broker unreachable when an executive asks for a scorecard, then back: the sweep hands it over.

tests/reports/test_tasks.py covers the service side (scorecard_request with the broker down, the sweep
called directly). This test goes through the page an executive uses and through the periodic sweep TASK
on the real broker: the request must answer quickly and truthfully, keep the scorecard queued, and a worker
must produce it once the broker is back.
"""

import datetime
import io
import re
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from reports.models import Scorecard
from reports.tasks import sweep_scorecards

from .conftest import UNREACHABLE_BROKER, broker_at

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]
PREPARED = "Your scorecard is being prepared. It will be ready shortly: this page updates itself."


def _wait_for(scorecard, statuses, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        scorecard.refresh_from_db()
        if scorecard.status in statuses:
            return scorecard
        time.sleep(0.1)
    raise AssertionError(f"scorecard still {scorecard.status} after {timeout} s")


def test_scorecard_requested_while_the_broker_is_down_is_produced_when_it_is_back(
    client, scored, executive_a, real_broker
):
    client.force_login(executive_a, backend="assessments.backends.PortalBackend")
    url = reverse("reports:scorecards", kwargs={"slug": "alpha"})

    with broker_at(UNREACHABLE_BROKER):
        started = time.monotonic()
        response = client.post(url, {"cycle": scored.cycle.pk, "peer_group": "all"})
        elapsed = time.monotonic() - started
    scorecard = Scorecard.objects.get()
    assert elapsed < 10, f"the request hung {elapsed:.1f} s on the unreachable broker"
    assert (response.status_code, response["Location"]) == (302, f"/orgs/alpha/scorecards/{scorecard.pk}/")
    assert (scorecard.assessment_id, scorecard.peer_group, scorecard.requested_by_id) == (
        scored.pk,
        "all",
        executive_a.pk,
    )
    assert (scorecard.status, scorecard.queued_at, scorecard.attempts, scorecard.file.name) == (
        "queued",
        None,
        0,
        "",
    )
    page = client.get(response["Location"])
    text = re.sub(r"\s+", " ", page.content.decode())
    assert PREPARED in text
    assert "Waiting for its turn. It will be produced shortly." in text
    assert client.get(reverse("reports:scorecard_status", args=["alpha", scorecard.pk])).json() == {
        "status": "queued",
        "label": "Queued",
        "message": "Waiting for its turn. It will be produced shortly.",
        "pending": True,
        "attempts": 0,
        "error": "",
        "download_url": "",
    }

    # Still down a minute later: the sweep cannot hand it over and leaves it queued, unmarked.
    with broker_at(UNREACHABLE_BROKER):
        assert sweep_scorecards.apply().get() == []
    Scorecard.objects.filter(pk=scorecard.pk).update(
        updated_at=timezone.now() - datetime.timedelta(minutes=2)
    )
    with broker_at(UNREACHABLE_BROKER):
        assert sweep_scorecards.apply().get() == []
    scorecard.refresh_from_db()
    assert (scorecard.status, scorecard.queued_at) == ("queued", None)

    # The broker is back. Beat sends the periodic sweep through the broker; the worker runs it, the sweep
    # queues the render, the worker renders it.
    Scorecard.objects.filter(pk=scorecard.pk).update(
        updated_at=timezone.now() - datetime.timedelta(minutes=2)
    )
    with broker_at(real_broker) as app:
        app.control.purge()
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            sweep_scorecards.delay()
            scorecard = _wait_for(scorecard, ("ready", "failed"), timeout=75)
    assert (scorecard.status, scorecard.attempts, scorecard.error_message) == ("ready", 1, "")
    assert scorecard.queued_at is not None
    assert Scorecard.objects.count() == 1

    status = client.get(reverse("reports:scorecard_status", args=["alpha", scorecard.pk])).json()
    download = reverse("reports:scorecard_download", args=["alpha", scorecard.pk])
    assert (status["status"], status["message"], status["download_url"]) == (
        "ready",
        "Ready to download.",
        download,
    )
    pdf = client.get(download)
    assert pdf["Content-Type"] == "application/pdf"
    content = b"".join(pdf.streaming_content)
    assert "Alpha Regional Hospital" in PdfReader(io.BytesIO(content)).pages[0].extract_text()
