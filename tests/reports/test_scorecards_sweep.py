"""Every scorecard rendered once: a second message for a scorecard being rendered does nothing, a redelivered
one takes over, and the sweep queues again a scorecard whose message was lost but not one waiting its turn.

The workers and the kill itself: tests/faults/test_scale_out.py (make test-scale).
"""

import datetime

import pytest
from django.utils import timezone

from lhs_portal.celery import app as celery_app
from reports.models import Scorecard
from reports.services import scorecards as service
from tests import factories as f

from .conftest import _redis_reachable, broker_at, submitted, test_broker_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def publishing():
    """Tasks published to a Redis key prefix of this process's own, which no worker reads."""
    url = test_broker_url()
    if not _redis_reachable(url):
        pytest.skip(f"Redis is unreachable at {url}")
    with broker_at(url):
        yield
        celery_app.control.purge()


def rendering(scored, *, started_ago: datetime.timedelta) -> Scorecard:
    return Scorecard.objects.create(
        assessment=scored,
        peer_group="all",
        inputs_hash=service.scorecard_document(assessment=scored, peer_group="all").inputs_hash,
        status="rendering",
        attempts=1,
        queued_at=timezone.now() - started_ago,
        started_at=timezone.now() - started_ago,
    )


def test_a_second_message_for_a_scorecard_being_rendered_does_nothing(scored):
    scorecard = rendering(scored, started_ago=datetime.timedelta(seconds=5))
    before = Scorecard.objects.values("status", "attempts", "started_at", "file").get(pk=scorecard.pk)

    assert service.scorecard_render(scorecard_id=scorecard.pk) is None

    assert Scorecard.objects.values("status", "attempts", "started_at", "file").get(pk=scorecard.pk) == before


@pytest.mark.parametrize(
    ("redelivered", "started_ago"),
    [
        (True, datetime.timedelta(seconds=5)),  # its worker died: the broker handed the message out again
        (False, datetime.timedelta(minutes=4)),  # past the hard time limit (180 s): that render is over
    ],
)
def test_a_dead_render_is_taken_over(scored, settings, redelivered, started_ago):
    assert settings.CELERY_TASK_TIME_LIMIT == 180
    scorecard = rendering(scored, started_ago=started_ago)

    service.scorecard_render(scorecard_id=scorecard.pk, redelivered=redelivered)

    scorecard.refresh_from_db()
    assert (scorecard.status, scorecard.attempts, scorecard.error_message) == ("ready", 2, "")
    assert scorecard.file.name == service.storage_name(scorecard)


def queued(assessment, *, queued_ago: datetime.timedelta, started_ago=None) -> Scorecard:
    now = timezone.now()
    return Scorecard.objects.create(
        assessment=assessment,
        peer_group="all",
        inputs_hash=f"{assessment.pk:064d}",
        status="rendering" if started_ago is not None else "queued",
        attempts=1 if started_ago is not None else 0,
        queued_at=now - queued_ago,
        started_at=None if started_ago is None else now - started_ago,
    )


@pytest.fixture
def three_submitted(rubric, cycle):
    return [
        submitted(f.OrganizationFactory(name=f"Hospital {n}", slug=f"hospital-{n}"), cycle, [3] * 30)
        for n in range(3)
    ]


def test_sweep_leaves_a_long_queue_alone_and_queues_a_lost_scorecard_again(three_submitted, publishing):
    first, second, third = three_submitted
    # A batch queued 15 minutes ago (SCORECARD_STUCK_MINUTES is 10); the first is rendering, the others wait.
    minutes = datetime.timedelta(minutes=1)
    rendering_now = queued(first, queued_ago=15 * minutes, started_ago=datetime.timedelta(0))
    waiting = queued(second, queued_ago=14 * minutes)
    behind = queued(third, queued_ago=13 * minutes)
    assert service.scorecards_sweep() == []  # each waits its turn: no second message

    # The third, queued after the second, has been taken: the second's message was lost.
    Scorecard.objects.filter(pk=behind.pk).update(status="rendering", started_at=timezone.now(), attempts=1)
    assert service.scorecards_sweep() == [waiting.pk]
    waiting.refresh_from_db()
    assert waiting.status == "queued" and waiting.queued_at > timezone.now() - datetime.timedelta(seconds=5)
    assert service.scorecards_sweep() == []  # queued afresh: not again at the next sweep

    # Nothing renders any more, and a scorecard queued long ago is still waiting: lost too.
    Scorecard.objects.filter(pk__in=[rendering_now.pk, behind.pk]).update(status="ready")
    Scorecard.objects.filter(pk=waiting.pk).update(queued_at=timezone.now() - 11 * minutes)
    assert service.scorecards_sweep() == [waiting.pk]


def test_a_second_attempt_taken_says_nothing_about_the_scorecards_waiting_before_it(
    three_submitted, publishing
):
    """A retry (its countdown spent in a worker) or a message handed out again after its worker died is taken
    out of the queue's order: the scorecards queued before it still wait their turn, and get no second message
    (a scale-out run of 3 December sent ~600 such copies once the sweep had queued one scorecard again)."""
    first, second, third = three_submitted
    minutes = datetime.timedelta(minutes=1)
    queued(first, queued_ago=15 * minutes, started_ago=datetime.timedelta(0))
    waiting = queued(second, queued_ago=14 * minutes)
    again = queued(third, queued_ago=12 * minutes)
    Scorecard.objects.filter(pk=again.pk).update(status="rendering", started_at=timezone.now(), attempts=2)

    assert service.scorecards_sweep() == []
    assert Scorecard.objects.values_list("status", "queued_at").get(pk=waiting.pk) == (
        "queued",
        waiting.queued_at,
    )
