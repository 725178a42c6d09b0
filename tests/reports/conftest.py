"""Fixtures of the reports tests: a scored world with enough peers, and a REAL Celery worker.

The worker runs in a thread of the test process (celery.contrib.testing.worker.start_worker, solo pool) on
the real Redis broker: settings.CELERY_BROKER_URL when set (CI sets it; unset is the embedded broker), else redis://127.0.0.1:6379/11.
Tests that use it need transactional database access (django_db(transaction=True)) so that the worker's
own database connection sees their rows. They are skipped only when Redis is unreachable outside CI.
"""

import contextlib
import os
import random

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from kombu import pools
from kombu.utils.collections import eqhash

from assessments.models import Assessment
from lhs_portal.celery import app as celery_app
from tests import factories as f

DEFAULT_TEST_BROKER = "redis://127.0.0.1:6379/11"
# Nothing listens there: publishing fails at once, as when the broker is down.
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"
PEER_NAMES = [
    "Charlie Health System",
    "Delta Medical Center",
    "Echo Hospital",
    "Foxtrot Clinics",
    "Golf Coast Health",
]


def test_broker_url() -> str:
    return DEFAULT_TEST_BROKER if settings.CELERY_BROKER_EMBEDDED else settings.CELERY_BROKER_URL


test_broker_url.__test__ = False  # a helper, not a test


def _redis_reachable(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2).ping())
    except redis.RedisError:
        return False


def _reset_producer_pool(app) -> None:
    # Celery keeps its broker connections in pools made on first use, and kombu keeps those pools in global
    # registries keyed by host and port but NOT by transport options (our key prefix): forget them all for
    # this URL, or a publish would reuse a connection made for another prefix.
    # (Dropped, not closed: a worker thread may still hold a connection of the old pool.)
    key = eqhash(app.connection_for_write())
    for group in (pools.connections, pools.producers):
        dict.pop(group, key, None)
    app._pool = None
    app.amqp._producer_pool = None


@contextlib.contextmanager
def broker_at(url: str, *, isolated: bool = True):
    """Point the Celery app at `url` (real publishing, not eager) and restore it afterwards.

    isolated: prefix every Redis key with this process's id, so that two test runs sharing a Redis
    database never take each other's tasks.
    """
    keys = (
        "broker_url",
        "broker_write_url",
        "task_always_eager",
        "broker_transport_options",
        "broker_transport",
    )
    saved = {key: celery_app.conf[key] for key in keys}
    options = dict(saved["broker_transport_options"] or {})
    if isolated:
        options["global_keyprefix"] = f"lhs-test-{os.getpid()}:"
    _reset_producer_pool(celery_app)
    celery_app.conf.update(
        broker_url=url,
        broker_write_url=url,
        task_always_eager=False,
        broker_transport_options=options,
        broker_transport=None,  # the embedded broker's class would override the URL's scheme
    )
    _reset_producer_pool(celery_app)
    try:
        yield
    finally:
        _reset_producer_pool(celery_app)
        celery_app.conf.update(saved)
        _reset_producer_pool(celery_app)


@pytest.fixture
def celery_worker(transactional_db):
    """A real worker consuming the real broker, for the duration of one test."""
    url = test_broker_url()
    if not _redis_reachable(url):
        if os.environ.get("CI"):
            pytest.fail(f"Redis is unreachable at {url}: CI must run the worker tests.")
        pytest.skip(f"Redis is unreachable at {url}")
    with broker_at(url):
        celery_app.control.purge()  # tasks left by an earlier, interrupted run
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
            yield worker


@pytest.fixture
def broker_down():
    with broker_at(UNREACHABLE_BROKER):
        yield


def submitted(org, cycle, levels):
    return f.answer_all(
        f.AssessmentFactory(organization=org, cycle=cycle), levels, status=Assessment.Status.SUBMITTED
    )


@pytest.fixture
def scored(rubric, cycle, org_a, all_figures):
    """Alpha's submitted assessment and five peers with different levels (so peer figures are shown)."""
    rng = random.Random(2026)
    levels_a = [rng.choice([1, 2, 3, 3, 4, 5]) for _ in range(30)]
    levels_a[4] = None  # one N/A
    assessment = submitted(org_a, cycle, levels_a)
    for index, name in enumerate(PEER_NAMES):
        peer = f.OrganizationFactory(name=name, slug=f"peer-{index}")
        submitted(peer, cycle, [rng.choice([1, 2, 3, 4, 5]) for _ in range(30)])
    publish(cycle, inclusion="submitted")  # peer figures come from a release
    return Assessment.objects.select_related("organization", "cycle__rubric").get(pk=assessment.pk)


@pytest.fixture
def two_cycle_charts(rubric, all_figures):
    """A factory: (benchmark, field statistics) of a viewer with validated results in two cycles (2025, 2026),
    each with `peers` validated peers at levels 1-5; the chart tests draw every figure from these."""
    from reports.selectors import field_statistics, org_benchmark

    def build(*, viewer_name: str, peers: int):
        cycles = [f.AssessmentCycleFactory(name=str(year), rubric=rubric) for year in (2025, 2026)]
        viewer_org = f.OrganizationFactory(name=viewer_name)
        for cycle in cycles:
            f.answer_all(f.AssessmentFactory(organization=viewer_org, cycle=cycle), 3, status="validated")
            for i in range(peers):
                peer = f.AssessmentFactory(organization=f.OrganizationFactory(), cycle=cycle)
                f.answer_all(peer, [1 + i % 5] * 30, status=Assessment.Status.VALIDATED)
        for cycle in cycles:
            publish(cycle, inclusion="validated")
        viewer = Assessment.objects.get(organization=viewer_org, cycle=cycles[1])
        benchmark = org_benchmark(assessment=viewer, peer_group="all")
        stats = {slug: s for (_, slug), s in field_statistics(cycle=cycles[1]).items()}
        return benchmark, stats

    return build


def publish(cycle, inclusion="submitted", **kwargs):
    """Publish the cycle's next benchmark release (peer figures come only from releases)."""
    from reports.services.releases import release_publish

    return release_publish(cycle=cycle, inclusion=inclusion, **kwargs)


@pytest.fixture
def all_figures(settings):
    """Quartiles and tails from the peer minimum up: for tests of the statistics themselves in small groups
    (the disclosure tests check the real minimums)."""
    settings.BENCHMARK_MIN_PEERS_QUARTILES = settings.BENCHMARK_MIN_PEERS
    settings.BENCHMARK_MIN_PEERS_TAILS = settings.BENCHMARK_MIN_PEERS
