"""Two people writing the same thing at the same moment, on real concurrent PostgreSQL connections.

Each request runs in its own thread with its own database connection (Django's connections are per
thread), through the real views (django.test.Client). The threads start together on a threading.Barrier,
as Django's own select_for_update tests do. To make the overlap certain rather than likely, a third
connection holds a table lock that both requests run into *after* they have read what they read: the test
releases it only once both requests are waiting on a lock. Without the row locks of the services, both
requests would then write on top of the same old version; with them, the second request waits for the
first and sees its answer.
"""

import re
import threading
import time

import psycopg
import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from assessments.models import Assessment, Response, ResponseChange
from commitments.models import Indicator
from tests import factories as f

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite has no concurrent writers (one lock per database file) and no row locks to test",
    ),
]
BACKEND = "assessments.backends.PortalBackend"
LOCK_WAIT_SECONDS = 20


def _connect() -> psycopg.Connection:
    params = connection.get_connection_params()
    return psycopg.connect(
        **{k: v for k, v in params.items() if k in ("dbname", "user", "password", "host", "port")}
    )


def _waiting_on_locks(monitor: psycopg.Connection) -> int:
    (count,) = monitor.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
    ).fetchone()
    return count


def run_together(requests, *, lock_table: str):
    """Run each request (a callable) in its own thread; `lock_table` is held until both wait on locks."""
    results: list = [None] * len(requests)
    errors: list = []
    barrier = threading.Barrier(len(requests))

    def run(index, request):
        try:
            barrier.wait(timeout=10)
            results[index] = request()
        except Exception as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection

    holder = _connect()
    monitor = _connect()
    monitor.autocommit = True
    try:
        holder.execute(f"LOCK TABLE {lock_table} IN EXCLUSIVE MODE")  # plain reads pass, writes wait
        threads = [threading.Thread(target=run, args=(i, r)) for i, r in enumerate(requests)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while _waiting_on_locks(monitor) < len(requests) and time.monotonic() < deadline:
            time.sleep(0.02)
        overlapped = _waiting_on_locks(monitor) >= len(requests)
    finally:
        holder.rollback()  # release: the requests go on
        holder.close()
        monitor.close()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    assert errors == []
    assert overlapped, "the requests did not overlap: both should have been waiting on a lock"
    return results


def _client(user) -> Client:
    client = Client()
    client.force_login(user, backend=BACKEND)
    return client


@pytest.fixture
def draft(rubric, cycle, org_a):
    return f.AssessmentFactory(organization=org_a, cycle=cycle)


def _engaged(rubric):
    return list(Indicator.objects.of_rubric(rubric).filter(commitment__slug="engaged").order_by("order"))


def _answer_post(indicators, versions, *, level, evidence):
    data = {"answers-TOTAL_FORMS": "3", "answers-INITIAL_FORMS": "3", "then": "stay"}
    for i, indicator in enumerate(indicators):
        data[f"answers-{i}-indicator"] = str(indicator.pk)
        data[f"answers-{i}-version"] = str(versions[indicator.pk])
        if i > 0 and versions[indicator.pk]:
            data[f"answers-{i}-answer"] = "2"  # unchanged: the level saved in the fixture
    data["answers-0-answer"] = str(level)
    data["answers-0-evidence_summary"] = evidence
    return data


def _row(response):
    return (response.level, response.evidence_summary, response.updated_by_id, response.version)


@pytest.mark.parametrize("saved_before", [True, False], ids=["answer-saved-before", "first-answer"])
def test_two_browsers_save_the_same_answer_at_once(draft, rubric, assessor_a, admin_a, saved_before):
    indicators = _engaged(rubric)
    if saved_before:
        for indicator in indicators:
            Response.objects.create(assessment=draft, indicator=indicator, level=2, version=1)
    versions = {i.pk: (1 if saved_before else 0) for i in indicators}
    url = reverse(
        "assessments:commitment", kwargs={"slug": "alpha", "cycle_slug": "2026", "commitment_slug": "engaged"}
    )
    people = {"alice": (assessor_a, 3, "Alice's evidence"), "adam": (admin_a, 4, "Adam's evidence")}
    clients = {name: _client(user) for name, (user, _, _) in people.items()}
    posts = {
        name: _answer_post(indicators, versions, level=level, evidence=evidence)
        for name, (_, level, evidence) in people.items()
    }
    changes_before = ResponseChange.objects.count()

    results = run_together(
        [lambda name=name: (name, clients[name].post(url, posts[name])) for name in people],
        lock_table="assessments_responsechange",
    )

    outcomes = dict(results)
    winners = [name for name, r in outcomes.items() if r.status_code == 302]
    losers = [name for name, r in outcomes.items() if r.status_code == 200]
    assert (len(winners), len(losers)) == (1, 1), {n: r.status_code for n, r in outcomes.items()}
    winner, loser = winners[0], losers[0]
    assert outcomes[winner]["Location"] == url
    page = outcomes[loser].content.decode()
    winner_user, winner_level, winner_evidence = people[winner]
    name_shown = winner_user.get_full_name() or winner_user.username
    assert f"{name_shown} saved 1 of these answers while you were editing" in page
    assert "Saved by someone else while you were editing" in page
    assert f"Saved meanwhile by {name_shown} at" in page

    # The winner's answer, whole (never a mix of both), one version up, one history row.
    first = Response.objects.get(assessment=draft, indicator=indicators[0])
    expected_version = 2 if saved_before else 1
    assert _row(first) == (winner_level, winner_evidence, winner_user.pk, expected_version)
    assert Response.objects.filter(assessment=draft, indicator=indicators[0]).count() == 1
    changes = list(ResponseChange.objects.filter(response=first))
    assert len(changes) == 1
    assert ResponseChange.objects.count() == changes_before + 1
    assert (changes[0].version, changes[0].changed_by_id) == (expected_version, winner_user.pk)
    assert changes[0].new_values["level"] == winner_level
    assert changes[0].new_values["evidence_summary"] == winner_evidence
    # The other two indicators were not touched by either request.
    others = Response.objects.filter(assessment=draft, indicator__in=indicators[1:])
    assert sorted(others.values_list("level", "version")) == ([(2, 1), (2, 1)] if saved_before else [])


def test_two_submissions_at_once_submit_once(draft, rubric, assessor_a, admin_a, executive_a):
    """Two colleagues ask for attestation at once: one request, one e-mail to the executive."""
    f.answer_all(draft, 3)
    url = reverse("assessments:submit", kwargs={"slug": "alpha", "cycle_slug": "2026"})
    people = {"alice": assessor_a, "adam": admin_a}
    clients = {name: _client(user) for name, user in people.items()}
    mail.outbox = []

    def submit(name):
        return name, clients[name].post(url, {}, follow=True)

    results = run_together(
        [lambda name=name: submit(name) for name in people], lock_table="assessments_assessment"
    )

    pages = {name: re.sub(r"\s+", " ", r.content.decode()) for name, r in results}
    thanked = [n for n, page in pages.items() if "The 2026 assessment now awaits your executive" in page]
    refused = [n for n, page in pages.items() if "This assessment already awaits the executive" in page]
    assert (len(thanked), len(refused)) == (1, 1), pages.keys()
    assert "; nothing was changed." in pages[refused[0]]
    winner_user = people[thanked[0]]
    draft.refresh_from_db()
    assert (draft.status, draft.attestations.get().requested_by_id) == (
        Assessment.Status.AWAITING_ATTESTATION,
        winner_user.pk,
    )
    # One request, one set of notifications: no e-mail is sent twice.
    sent = [(m.subject, tuple(sorted(m.to))) for m in mail.outbox]
    assert sent and len(sent) == len(set(sent))
