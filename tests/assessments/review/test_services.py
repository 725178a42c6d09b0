"""assessments/review/services.py and the attestation in services/submission.py: the happy paths."""

import hashlib
import json

import pytest
from django.core import mail

from assessments.models import Assessment, AuditEvent, Response
from assessments.review import selectors
from assessments.review.models import Attestation, CarriedAnswer, ReviewThread
from assessments.review.services import carried_confirm, thread_open, thread_reply, thread_resolve
from assessments.services import workflow as services
from assessments.services.submission import (
    assessment_attest,
    assessment_request_attestation,
    assessment_send_back,
)
from assessments.services.workflow import Answer
from commitments.models import Indicator, Rubric
from tests import factories as f

pytestmark = pytest.mark.django_db
EXPLAIN = "make sure the evidence explains the change."


@pytest.fixture
def rubric(db):
    """The usual test rubric, with ENG-3 named as meant for hospitals (like org A)."""
    rubric = f.build_rubric(publish=False)
    Indicator.objects.filter(commitment__rubric=rubric, code="ENG-3").update(applies_to=["hospital"])
    rubric.status = Rubric.Status.PUBLISHED
    rubric.save()
    return rubric


def code(rubric, text) -> int:
    return Indicator.objects.get(commitment__rubric=rubric, code=text).pk


def test_answers_hash_is_sha256_of_canonical_json(complete):
    Response.objects.filter(assessment=complete).exclude(indicator__code="ENG-1").delete()
    expected = json.dumps(
        {
            "ENG-1": {
                "evidence_links": "",
                "evidence_summary": "",
                "level": 3,
                "na_justification": "",
                "not_applicable": False,
            }
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    assert selectors.answers_sha256(complete) == hashlib.sha256(expected.encode()).hexdigest()


def test_request_then_attest_submits_and_keeps_what_was_seen(
    complete, assessor_a, executive_a, settings, django_capture_on_commit_callbacks
):
    settings.NAM_NOTIFY_EMAILS = ["review@nam.example.org"]
    with django_capture_on_commit_callbacks(execute=True):
        pending = assessment_request_attestation(assessment=complete, user=assessor_a)
    complete.refresh_from_db()
    assert (complete.status, pending.status, pending.status_before) == ("attesting", "pending", "draft")
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["erin@example.org"], "Alpha Regional Hospital: the 2026 assessment awaits your attestation")
    ]
    digest = selectors.answers_sha256(complete)
    with django_capture_on_commit_callbacks(execute=True):
        attestation = assessment_attest(assessment=complete, user=executive_a, answers_sha256=digest)
    complete.refresh_from_db()
    assert (complete.status, complete.submitted_by) == ("submitted", executive_a)
    assert (attestation.status, attestation.executive, attestation.answers_sha256) == (
        "attested",
        executive_a,
        digest,
    )
    assert attestation.seen["answers_sha256"] == digest
    assert attestation.seen["scores"][0] == {
        "commitment": "1. Engaged",
        "score": 3.0,
        "answered": 3,
        "total": 3,
    }
    assert attestation.seen["unconfirmed"] == [] and attestation.seen["open_threads"] == []
    assert AuditEvent.objects.filter(kind="assessment_attested", actor=executive_a).count() == 1
    assert [m.subject for m in mail.outbox[1:]] == [
        "Alpha Regional Hospital: 2026 assessment received",
        "New submission to review: Alpha Regional Hospital (2026)",
    ]
    assert "attested by" in mail.outbox[1].body and f"answers SHA-256 {digest}" in mail.outbox[2].body
    assert mail.outbox[1].to == ["alice@example.org", "erin@example.org"]


def test_send_back_returns_to_the_assessors_with_the_note(
    complete, assessor_a, executive_a, django_capture_on_commit_callbacks
):
    assessment_request_attestation(assessment=complete, user=assessor_a)
    with django_capture_on_commit_callbacks(execute=True):
        attestation = assessment_send_back(assessment=complete, user=executive_a, note="Check SAF-2 again.")
    complete.refresh_from_db()
    assert (complete.status, attestation.status, attestation.note) == (
        "draft",
        "sent_back",
        "Check SAF-2 again.",
    )
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["alice@example.org"], "Alpha Regional Hospital: your executive sent the 2026 assessment back")
    ]
    assert "Check SAF-2 again." in mail.outbox[0].body
    # Editable again: the assessor changes an answer and asks once more.
    services.responses_save(
        assessment=complete,
        user=assessor_a,
        answers=[Answer(code(complete.cycle.rubric, "SAF-2"), level=2, version=1)],
    )
    assessment_request_attestation(assessment=complete, user=assessor_a)
    assert Attestation.objects.filter(assessment=complete).count() == 2


def test_comment_reply_resolve_and_their_mail(
    submitted, rubric, assessor_a, admin_a, nam_staff, django_capture_on_commit_callbacks
):
    nam_staff.email = "nadia@nam.example.org"
    nam_staff.save()
    with django_capture_on_commit_callbacks(execute=True):
        thread = thread_open(
            assessment=submitted,
            indicator_id=code(rubric, "SAF-1"),
            user=nam_staff,
            kind="evidence",
            body="Which audit shows this?",
            blocking=True,
        )
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["alice@example.org"], "Alpha Regional Hospital: NAM commented on SAF-1 (2026)")
    ]
    assert (
        "Request for evidence (blocking" in mail.outbox[0].body
        and "Which audit shows this?" in mail.outbox[0].body
    )
    assert selectors.thread_counts(submitted) == selectors.ThreadCounts(
        open=1, resolved=0, awaiting_reply=1, blocking=1
    )
    with django_capture_on_commit_callbacks(execute=True):
        thread_reply(
            thread=thread, organization=submitted.organization, user=assessor_a, body="The 2026 falls audit."
        )
    assert [(m.to, m.subject) for m in mail.outbox[1:]] == [
        (["nadia@nam.example.org"], "Reply from Alpha Regional Hospital on SAF-1")
    ]
    thread.refresh_from_db()
    assert (thread.awaiting_reply, thread.status, thread.messages.count()) == (False, "open", 2)
    thread_resolve(thread=thread, user=nam_staff)
    assert selectors.thread_counts(submitted) == selectors.ThreadCounts(
        open=0, resolved=1, awaiting_reply=0, blocking=0
    )
    events = [(e.what, e.text) for e in selectors.history_events(submitted)]
    assert events == [
        ("Thread resolved", ""),
        ("Reply", "The 2026 falls audit."),
        ("Request for evidence (blocking) from NAM", "Which audit shows this?"),
    ]


def test_return_with_comments_needs_no_comment_text(
    submitted, rubric, nam_staff, django_capture_on_commit_callbacks
):
    thread_open(
        assessment=submitted,
        indicator_id=code(rubric, "ENG-1"),
        user=nam_staff,
        kind="question",
        body="Why 3?",
    )
    services.assessment_return(assessment=submitted, user=nam_staff, comment="")
    submitted.refresh_from_db()
    assert (submitted.status, ReviewThread.objects.get().status) == ("returned", "open")


def test_carried_over_answers_until_confirmed_or_changed(draft, last_year, rubric, assessor_a):
    assert services.assessment_copy_previous(assessment=draft, user=assessor_a) == 30
    assert [c.from_cycle.name for c in CarriedAnswer.objects.all()] == ["2025"] * 30
    assert len(selectors.unconfirmed_carried(draft)) == 30
    assert carried_confirm(assessment=draft, user=assessor_a, indicator_ids=[code(rubric, "ENG-1")]) == 1
    services.responses_save(
        assessment=draft, user=assessor_a, answers=[Answer(code(rubric, "ENG-2"), level=2, version=1)]
    )
    outcomes = dict(
        CarriedAnswer.objects.filter(confirmed_at__isnull=False).values_list(
            "response__indicator__code", "outcome"
        )
    )
    assert outcomes == {"ENG-1": "confirmed", "ENG-2": "changed"}
    unconfirmed = selectors.unconfirmed_carried(draft)
    assert (len(unconfirmed), unconfirmed[0].response.indicator.code) == (28, "ENG-3")
    assert selectors.attestation_summary(draft).unconfirmed[0] == "ENG-3 (carried over from 2025)"


def test_data_review_warnings(draft, last_year, rubric, org_a):
    from assessments.selectors import review_issues

    f_levels = {"ENG-1": 3, "ENG-2": 4, "ENG-3": None}
    for indicator in Indicator.objects.filter(commitment__rubric=rubric):
        level = f_levels.get(indicator.code, 1)
        Response.objects.create(
            assessment=draft,
            indicator=indicator,
            level=level,
            not_applicable=level is None,
            na_justification="We provide no such service at all." if level is None else "",
            evidence_summary="Same text" if indicator.code in ("SAF-1", "SAF-2") else "",
        )
    messages = [(w.indicator.code, w.message) for w in review_issues(draft).warnings]
    assert messages == [
        (
            "ENG-1",
            "Up 2 levels since last cycle (1 Initial → 3 Defined): " + EXPLAIN,
        ),
        (
            "ENG-2",
            "Level 4 Managed without evidence: say what shows the practice is measured and managed.",
        ),
        (
            "ENG-2",
            "Up 3 levels since last cycle (1 Initial → 4 Managed): " + EXPLAIN,
        ),
        (
            "ENG-3",
            "Marked Not applicable, but the rubric says this indicator applies to hospital "
            "organizations like yours: check the answer.",
        ),
        ("SAF-1", "The same evidence summary as SAF-2: say what shows this practice."),
        ("SAF-2", "The same evidence summary as SAF-1: say what shows this practice."),
    ]
    assert Assessment.objects.get(pk=draft.pk).status == "draft"


@pytest.mark.parametrize("include_submitted", [True, False])
def test_awaiting_attestation_never_counts_in_benchmarks(
    complete, assessor_a, executive_a, settings, include_submitted
):
    from reports.services.releases import COUNTED_STATUSES

    settings.BENCHMARK_INCLUDE_SUBMITTED = include_submitted
    assessment_request_attestation(assessment=complete, user=assessor_a)
    assert (Assessment.objects.submitted().count(), Assessment.objects.for_benchmarks().count()) == (0, 0)
    assert all(
        Assessment.Status.AWAITING_ATTESTATION not in statuses for statuses in COUNTED_STATUSES.values()
    )
