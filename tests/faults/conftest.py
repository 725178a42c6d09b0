"""Fixtures of the fault tests: a scored world, the real Redis broker, an unreachable one.

The broker is settings.CELERY_BROKER_URL unless that is the embedded broker, else Redis database 12 on this
machine. Tests that need it are skipped when Redis does not answer, except in CI where that is a failure.
"""

import contextlib
import os
import random

import pytest
import redis
from django.conf import settings

from assessments.models import Assessment
from lhs_portal.celery import app as celery_app
from tests import factories as f

LOCAL_BROKER = "redis://127.0.0.1:6379/12"
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1
PEERS = [
    "Charlie Health System",
    "Delta Medical Center",
    "Echo Hospital",
    "Foxtrot Clinics",
    "Golf Coast Health",
]


def broker_url() -> str:
    return LOCAL_BROKER if settings.CELERY_BROKER_EMBEDDED else settings.CELERY_BROKER_URL


@pytest.fixture
def real_broker() -> str:
    url = broker_url()
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2).ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is unreachable at {url}: CI must run the fault tests.")
        pytest.skip(f"Redis is unreachable at {url}")
    return url


def _forget_connections(app) -> None:
    # kombu keeps a connection pool per app made on first use: drop it so the next publish uses the new URL.
    app._pool = None
    app.amqp._producer_pool = None


@contextlib.contextmanager
def broker_at(url: str):
    """Publish tasks for real (not eagerly) to `url` for the duration of the block."""
    keys = ("broker_url", "broker_write_url", "broker_read_url", "task_always_eager", "broker_transport")
    saved = {key: celery_app.conf[key] for key in keys}
    celery_app.conf.update(
        broker_url=url,
        broker_write_url=url,
        broker_read_url=url,
        task_always_eager=False,
        broker_transport=None,
    )
    _forget_connections(celery_app)
    try:
        yield celery_app
    finally:
        celery_app.conf.update(saved)
        _forget_connections(celery_app)


def _submitted(org, cycle, levels):
    return f.answer_all(
        f.AssessmentFactory(organization=org, cycle=cycle), levels, status=Assessment.Status.SUBMITTED
    )


@pytest.fixture
def scored(rubric, cycle, org_a):
    """Alpha's submitted assessment and five submitted peers: a scorecard with peer figures and charts."""
    rng = random.Random(7)
    assessment = _submitted(org_a, cycle, [rng.choice([1, 2, 3, 4, 5]) for _ in range(30)])
    for index, name in enumerate(PEERS):
        peer = f.OrganizationFactory(name=name, slug=f"peer-{index}")
        _submitted(peer, cycle, [rng.choice([1, 2, 3, 4, 5]) for _ in range(30)])
    return Assessment.objects.select_related("organization", "cycle__rubric").get(pk=assessment.pk)
