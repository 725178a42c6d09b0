"""The hidden state "awaiting attestation" in the access matrix: who reads what, and which writes are refused
with nothing changed (the rows of the review's own URLs are in access_rows.py, read by the main matrix)."""

import pytest
from django.urls import reverse

from assessments.models import Assessment
from tests import factories as f
from tests.test_access_matrix import (
    ORG_MEMBERS_ONLY,
    ROLES,
    _client_for,
    _describe,
    _matches,
    _model_counts,
    _workflow_answer_post,
    redirect_to,
)

from .access_rows import review_snapshot

pytestmark = pytest.mark.django_db

OVERVIEW = "/orgs/alpha/assessments/2026/"


@pytest.fixture
def attesting(world):
    """A's assessment answered in full, waiting for its executive's attestation."""
    f.answer_all(world.assessment_a, 3)
    world.assessment_a.status = Assessment.Status.AWAITING_ATTESTATION
    world.assessment_a.save()
    return world


READS = {
    "assessments:overview": ({"slug": "alpha", "cycle_slug": "2026"}, ORG_MEMBERS_ONLY),
    "assessments:review": ({"slug": "alpha", "cycle_slug": "2026"}, ORG_MEMBERS_ONLY),
    "assessments:attest": ({"slug": "alpha", "cycle_slug": "2026"}, ORG_MEMBERS_ONLY),
    "assessments:commitment": (
        {"slug": "alpha", "cycle_slug": "2026", "commitment_slug": "engaged"},
        ORG_MEMBERS_ONLY,
    ),
}


@pytest.mark.parametrize("name", sorted(READS))
def test_reading_an_assessment_awaiting_attestation(name, client, attesting):
    kwargs, expect = READS[name]
    url = reverse(name, kwargs=kwargs)
    wrong = []
    for role in ROLES:
        response = _client_for(client, attesting, role).get(url)
        if not _matches(response, expect[role], url, attesting):
            wrong.append(f"{role}: expected {expect[role]!r}, got {_describe(response)}")
    assert wrong == []


def test_only_the_executive_sees_the_attest_buttons(client, attesting):
    url = reverse("assessments:attest", kwargs={"slug": "alpha", "cycle_slug": "2026"})
    shown = {
        role: "Attest and submit" in _client_for(client, attesting, role).get(url).content.decode()
        for role in ("assessor_a", "executive_a", "admin_a", "nam_staff")
    }
    assert shown == {"assessor_a": False, "executive_a": True, "admin_a": False, "nam_staff": False}


WRITES = {
    # Saving answers: refused (read-only while the executive reads what they attest).
    "assessments:commitment": (
        {"slug": "alpha", "cycle_slug": "2026", "commitment_slug": "engaged"},
        _workflow_answer_post,
        {"assessor_a": redirect_to(OVERVIEW), "admin_a": redirect_to(OVERVIEW), "executive_a": 403},
    ),
    # Asking again: refused with a message.
    "assessments:submit": (
        {"slug": "alpha", "cycle_slug": "2026"},
        lambda w: {},
        {"assessor_a": redirect_to(OVERVIEW), "admin_a": redirect_to(OVERVIEW)},
    ),
    # NAM cannot decide on, nor comment on, what was not submitted to it.
    "assessments:nam_review_decision": (
        {"pk": lambda w: w.assessment_a.pk},
        lambda w: {"decision": "validate"},
        {"nam_staff": redirect_to(lambda w: reverse("assessments:nam_review", args=[w.assessment_a.pk]))},
    ),
    "assessments:thread_create": (
        {"pk": lambda w: w.assessment_a.pk},
        lambda w: {"indicator": w.engaged.indicators.first().pk, "kind": "note", "body": "Hello"},
        {"nam_staff": redirect_to(lambda w: reverse("assessments:nam_review", args=[w.assessment_a.pk]))},
    ),
}


@pytest.mark.parametrize("name", sorted(WRITES))
def test_writes_refused_while_awaiting_attestation(name, client, attesting):
    kwargs, data, expect = WRITES[name]
    url = reverse(name, kwargs={k: v(attesting) if callable(v) else v for k, v in kwargs.items()})
    wrong = []
    for role, outcome in expect.items():
        before = (_model_counts(), review_snapshot(attesting))
        response = _client_for(client, attesting, role).post(url, data(attesting))
        if not _matches(response, outcome, url, attesting):
            wrong.append(f"{role}: expected {outcome!r}, got {_describe(response)}")
        if (_model_counts(), review_snapshot(attesting)) != before:
            wrong.append(f"{role}: the POST changed the database")
    assert wrong == []
    assert Assessment.objects.get(pk=attesting.assessment_a.pk).status == "attesting"
