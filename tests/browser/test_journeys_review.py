"""Browser journey of the review per indicator and the attestation: a NAM reviewer comments on an indicator
(blocking) and returns the assessment with its comments; the quality officer is refused resubmission until
they reply, replies and asks for attestation; the executive reads the summary and attests (submits)."""

import re

import pytest
from django.core import mail

from assessments.models import Assessment, Response
from assessments.review.models import ReviewThread
from tests import factories as f
from tests.assessments.review.helpers import submit_attested
from tests.browser.test_journeys import _decide, indicator_card

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTION = "Which incident-review minutes support level 3 on SAF-2?"
REPLY = "The minutes of the four quarterly incident reviews of 2026 are on the intranet page."


def test_journey_review_comment_return_reply_attest(
    journey, cycle, org_a, assessor_a, executive_a, nam_staff
):
    assessment = f.answer_all(f.AssessmentFactory(organization=org_a, cycle=cycle), 3)
    for response in Response.objects.filter(assessment=assessment).select_related("indicator"):
        response.evidence_summary = f"Quarterly board minutes for {response.indicator.code}."
        response.save()
    submit_attested(assessment, assessor_a, executive_a)
    mail.outbox = []

    # The reviewer comments on SAF-2 (a blocking request for evidence), then returns with the comments.
    nam = journey
    nam.login("nadia")
    nam.goto(f"/nam/assessments/{assessment.pk}/")
    nam.page.get_by_role("heading", level=1, name="Alpha Regional Hospital: 2026 assessment").wait_for()
    row = nam.page.locator("#answer-SAF-2")
    row.get_by_text("Comment on SAF-2", exact=True).click()
    row.get_by_label("Kind").select_option("evidence")
    row.get_by_label("Comment", exact=True).fill(QUESTION)
    row.get_by_label(re.compile("^Blocking")).check()
    row.get_by_role("button", name="Send comment on SAF-2").click()
    nam.page.get_by_text("Comment on SAF-2 sent; the organization's assessors were e-mailed.").wait_for()
    nam.check("review-commented")
    _decide(nam, "Return to the organization")
    nam.page.get_by_text("Returned to Alpha Regional Hospital with your comment").wait_for()
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.RETURNED
    assert [m.subject for m in mail.outbox] == [
        "Alpha Regional Hospital: NAM commented on SAF-2 (2026)",
        "Alpha Regional Hospital: your 2026 assessment needs changes",
    ]

    # The quality officer sees the open comment; resubmitting is refused until they reply.
    officer = journey.another("officer")
    officer.login("alice")
    officer.goto("/orgs/alpha/assessments/2026/")
    counts = officer.page.get_by_role("region", name="Review comments and carried-over answers")
    assert "1 open comment thread" in counts.inner_text() and "SAF-2 Safe indicator 2" in counts.inner_text()
    officer.goto("/orgs/alpha/assessments/2026/review/")
    officer.page.get_by_role("button", name="Ask for attestation").click()
    officer.page.get_by_text(
        "Reply to the reviewer's blocking comments before submitting again: SAF-2 (request for evidence)."
    ).wait_for()
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.RETURNED
    officer.goto("/orgs/alpha/assessments/2026/commitments/safe/")
    card = indicator_card(officer.page, "SAF-2")
    assert QUESTION in card.inner_text()
    officer.check("commitment-with-comment")
    card.get_by_label("Reply on SAF-2").fill(REPLY)
    card.get_by_role("button", name="Send reply").click()
    officer.page.get_by_text("Reply on SAF-2 sent; the reviewer was e-mailed.").wait_for()
    officer.goto("/orgs/alpha/assessments/2026/review/")
    officer.page.get_by_role("button", name="Ask for attestation").click()
    officer.page.get_by_text("The 2026 assessment now awaits your executive's attestation").wait_for()
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.AWAITING_ATTESTATION

    # The executive reads the summary (the open thread is in it) and attests: submitted to NAM.
    leader = journey.another("executive")
    leader.login("erin")
    leader.goto("/orgs/alpha/assessments/2026/attest/")
    threads = leader.page.get_by_role("region", name=re.compile("Open review comments"))
    assert "SAF-2: Request for evidence (blocking)" in threads.inner_text()
    leader.check("attestation-summary")
    leader.page.get_by_role("checkbox", name=re.compile("I have read this summary")).check()
    leader.page.get_by_role("button", name="Attest and submit").click()
    leader.page.get_by_text("Attested: the 2026 assessment is submitted to NAM.").wait_for()

    assessment.refresh_from_db()
    latest = assessment.attestations.filter(status="attested").order_by("-decided_at").first()
    assert (assessment.status, assessment.submitted_by, latest.executive) == (
        "submitted",
        executive_a,
        executive_a,
    )
    assert latest.seen["open_threads"] == ["SAF-2: Request for evidence (blocking)"]
    thread = ReviewThread.objects.get()
    assert (thread.status, thread.awaiting_reply, [m.body for m in thread.messages.all()]) == (
        "open",
        False,
        [QUESTION, REPLY],
    )

    # The reviewer sees the reply and who attested.
    nam.goto(f"/nam/assessments/{assessment.pk}/")
    assert REPLY in nam.page.locator("#answer-SAF-2").inner_text()
    assert "Attestation: erin" in nam.page.inner_text("main") or "Attestation: " in nam.page.inner_text(
        "main"
    )
