"""Scaling out: two separate `celery worker` processes on one Redis broker render a 200-scorecard batch.

Each worker is its own process tree (as on two machines): the test starts both on the test database, NAM
staff start the batch on its page, and once both workers have rendered scorecards one of them is killed
outright (SIGKILL to the main process, its pool and its Chromium: a machine lost). The kill comes right after
a success line in its log, the moment the worker acknowledges one task and takes the next: the harshest one.

Two ways a task of the killed worker can be lost, and what brings each back:
- in flight (taken, not acknowledged: acks_late): Redis hands it to the other worker once the visibility
  timeout has passed (240 s here instead of an hour, above the default time limits of 120 and 180 s, as
  settings.py requires: on a busy machine a first render waits long for its Chromium),
  marked redelivered, so the survivor takes over the scorecard the row still shows "rendering";
- popped from the queue but not yet recorded as unacknowledged (kombu's Redis transport does the two one
  after the other): gone from Redis. The sweep (beat, on the surviving worker as on the one machine of a
  cluster that runs it) queues such a scorecard again once a scorecard queued after it has been taken
  (SCORECARD_STUCK_MINUTES=1 here instead of 10; the sweep has a queue of its own, so it does not wait for
  the batch). This is what left one scorecard of 200 queued when the workers ran without beat.
The other worker finishes the batch: every scorecard ready, one row and one PDF each, rendered once (but for
the killed worker's and retried ones), the page's counts right.
"""

import contextlib
import os
import random
import re
import signal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from assessments.models import Assessment
from reports.models import Scorecard, ScorecardBatch
from tests import factories as f
from tests.workers import (
    database_url,
    needs_postgresql,
    publishing_to,
    session_processes,
    start_worker,
    stop_worker,
    wait_until,
)

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True),
    needs_postgresql,
]
BATCH = 200
VISIBILITY_SECONDS = 240


@pytest.fixture
def two_hundred_submitted(rubric, cycle):
    rng = random.Random(21)
    for number in range(BATCH):
        organization = f.OrganizationFactory(name=f"Hospital {number:03d}", slug=f"hospital-{number:03d}")
        f.answer_all(
            f.AssessmentFactory(organization=organization, cycle=cycle),
            [rng.choice([1, 2, 3, 4, 5]) for _ in range(30)],
            status=Assessment.Status.SUBMITTED,
        )
    return cycle


def progress(client, batch) -> dict:
    """The counts the batch page shows."""
    html = client.get(reverse("reports:nam_scorecard_batch", args=[batch.pk])).content.decode()
    return {name: int(value) for name, value in re.findall(r"<dt>(\w+)</dt><dd>(\d+)</dd>", html)}


def rendered_by(log: Path) -> int:
    return len(re.findall(r"Task reports\.render_scorecard\[[0-9a-f-]+\] succeeded", log.read_text()))


def test_two_workers_render_a_batch_and_the_survivor_finishes_when_one_is_killed(
    client, two_hundred_submitted, nam_staff, real_broker, tmp_path
):
    env = {
        "CELERY_BROKER_URL": real_broker,
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "LHS_VAR_DIR": str(tmp_path / "var"),
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_SECONDS),
        "SCORECARD_STUCK_MINUTES": "1",
    }
    logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
    with publishing_to(real_broker) as app:
        app.control.purge()  # tasks left in the queue by an interrupted earlier run
        # The survivor runs beat (the periodic sweep), as exactly one worker of a cluster does.
        workers = [start_worker(f"scale-{n}", log, env=env, beat=n == 2) for n, log in enumerate(logs, 1)]
        try:
            client.force_login(nam_staff, backend="assessments.backends.PortalBackend")
            response = client.post(
                reverse("reports:nam_scorecard_batches"),
                {"cycle": two_hundred_submitted.pk, "peer_group": "all"},
            )
            batch = ScorecardBatch.objects.get()
            assert response["Location"] == f"/nam/scorecards/{batch.pk}/"

            # Both workers at work, well before the end of the batch: kill the first, whole.
            wait_until(
                lambda: all(rendered_by(log) >= 3 for log in logs),
                timeout=480, what="both workers rendering", workers=workers, logs=logs,
            )  # fmt: skip
            rendering = Scorecard.objects.filter(status="rendering").values_list("pk", flat=True)
            in_flight = set(rendering)
            for pid in session_processes(workers[0].pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            workers[0].wait(10)
            in_flight |= set(rendering.all())  # the killed worker may have taken its next one meanwhile
            killed_at = progress(client, batch)
            assert killed_at["Ready"] < BATCH - 20, killed_at  # mid-batch
            assert killed_at["Total"] <= BATCH

            done = {"Ready": BATCH, "Pending": 0, "Failed": 0, "Total": BATCH}
            wait_until(
                lambda: progress(client, batch) == done,
                timeout=1800, what="the survivor to finish the batch", workers=workers[1:], logs=logs[1:],
                interval=2,
            )  # fmt: skip
        finally:
            for worker in workers:
                stop_worker(worker)

    batch.refresh_from_db()
    assert batch.filled_at is not None
    scorecards = list(Scorecard.objects.order_by("assessment__organization__slug"))
    assert len(scorecards) == BATCH  # one row per assessment: none doubled
    assert {s.status for s in scorecards} == {"ready"}
    assert list(batch.scorecards.order_by("pk")) == sorted(scorecards, key=lambda s: s.pk)
    media = Path(settings.MEDIA_ROOT)
    stored = sorted(p.relative_to(media).as_posix() for p in media.rglob("*.pdf"))
    assert stored == sorted(s.file.name for s in scorecards)  # one PDF each, no partial or second copy
    # A scorecard rendered more than once is one that was in flight on the killed worker, or one whose attempt
    # failed and was retried (a render past its time limit on a busy machine): never a second delivery.
    retried = {
        int(pk) for log in logs for pk in re.findall(r"Scorecard (\d+): attempt \d+ failed", log.read_text())
    }
    attempts = {s.pk: s.attempts for s in scorecards}
    assert {pk for pk, n in attempts.items() if n != 1} <= in_flight | retried
    assert rendered_by(logs[1]) > 0 and rendered_by(logs[0]) + rendered_by(logs[1]) >= BATCH
