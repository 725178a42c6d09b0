"""The review's pages: the NAM review page side by side with last cycle, the commitment page's threads and
carried-over answers, the overview's counts, the history, the attestation page and the NAM export."""

import csv
import html
import io
import re

import pytest
from django.core import mail

from assessments.models import Assessment, Response
from assessments.review.models import CarriedAnswer, ReviewThread
from assessments.services import workflow as services
from commitments.models import Indicator
from tests.assessments.review.helpers import submit_attested

pytestmark = pytest.mark.django_db
BACKEND = "assessments.backends.PortalBackend"
BASE = "/orgs/alpha/assessments/2026/"


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def login(client, user):
    client.force_login(user, backend=BACKEND)
    return client


def test_nam_review_page_puts_last_cycle_beside_this_one(client, submitted, last_year, rubric, nam_staff):
    Response.objects.filter(assessment=submitted, indicator__code="ENG-1").update(level=4)
    page = text(login(client, nam_staff).get(f"/nam/assessments/{submitted.pk}/"))
    assert "ENG-1 Engaged indicator 1 4 Managed 1 Initial Board minutes +3" in page
    assert "ENG-2 Engaged indicator 2 3 Defined 1 Initial Board minutes +2" in page
    assert "Send comment on ENG-1" in page


def test_nam_comments_then_the_commitment_page_shows_the_thread(
    client, submitted, rubric, assessor_a, nam_staff, django_capture_on_commit_callbacks
):
    eng1 = Indicator.objects.get(commitment__rubric=rubric, code="ENG-1")
    data = {"indicator": eng1.pk, "kind": "question", "body": "Who measures this?", "blocking": "on"}
    with django_capture_on_commit_callbacks(execute=True):
        response = login(client, nam_staff).post(
            f"/nam/assessments/{submitted.pk}/threads/", data, follow=True
        )
    assert "Comment on ENG-1 sent; the organization's assessors were e-mailed." in text(response)
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    thread = ReviewThread.objects.get()
    assert (thread.kind, thread.blocking, thread.created_by, thread.messages.get().body) == (
        "question",
        True,
        nam_staff,
        "Who measures this?",
    )
    page = text(login(client, assessor_a).get(BASE + "commitments/engaged/"))
    assert "Open Question · blocking · awaiting your reply" in page
    assert "NAM reviewer" in page and "Who measures this?" in page
    overview = text(client.get(BASE))
    assert "1 open comment thread · 1 awaiting your reply · 0 resolved" in overview
    history = text(client.get(BASE + "history/"))
    assert "Question (blocking) from NAM : Who measures this?" in history


def test_carried_over_answers_on_the_pages_and_confirm_all(client, draft, last_year, rubric, assessor_a):
    services.assessment_copy_previous(assessment=draft, user=assessor_a)
    client = login(client, assessor_a)
    page = text(client.get(BASE + "commitments/engaged/"))
    assert page.count("Carried over from 2025, not yet confirmed.") == 3
    assert "Confirm all 3 carried-over answers on this commitment" in page
    assert "30 carried-over answers not yet confirmed" in text(client.get(BASE))
    ids = list(
        Indicator.objects.filter(commitment__rubric=rubric, commitment__slug="engaged").values_list(
            "pk", flat=True
        )
    )
    response = client.post(
        BASE + "carried-over/confirm/", {"indicator": ids, "commitment": "engaged"}, follow=True
    )
    assert "3 carried-over answers confirmed." in text(response)
    assert CarriedAnswer.objects.filter(confirmed_at__isnull=True).count() == 27
    review = text(client.get(BASE + "review/"))
    assert "27 answers carried over from last cycle are not yet confirmed: SAF-1, SAF-2" in review


def test_the_attestation_page_summarises(client, complete, assessor_a, executive_a):
    services.assessment_request_attestation(assessment=complete, user=assessor_a)
    page = text(login(client, executive_a).get(BASE + "attest/"))
    assert "1. Engaged 3.00 3 of 3" in page
    assert "Warnings (0)" in page and "Carried over, not yet confirmed (0)" in page
    assert "Open review comments (0)" in page and "Attest and submit" in page


def test_send_back_from_the_page(client, complete, assessor_a, executive_a):
    services.assessment_request_attestation(assessment=complete, user=assessor_a)
    client = login(client, executive_a)
    empty = client.post(BASE + "attest/", {"send_back": "1", "note": " "})
    assert "This field is required." in text(empty)
    assert Assessment.objects.get(pk=complete.pk).status == "attesting"
    response = client.post(BASE + "attest/", {"send_back": "1", "note": "SAF-2 looks high."}, follow=True)
    assert "Sent back to the assessors with your note; they were e-mailed." in text(response)
    assert Assessment.objects.get(pk=complete.pk).status == "draft"
    assert "Attestation sent back" not in text(client.get(BASE + "history/"))
    assert "Sent back : SAF-2 looks high." in text(client.get(BASE + "history/"))


def test_nam_sees_the_attestation_on_its_page_and_in_the_export(
    client, complete, assessor_a, executive_a, nam_staff
):
    attestation = submit_attested(complete, assessor_a, executive_a)
    client = login(client, nam_staff)
    page = text(client.get(f"/nam/assessments/{complete.pk}/"))
    assert f"attested by {attestation.executive_name} (executive)" in page
    assert f"answers SHA-256 {attestation.answers_sha256}" in page
    export = client.get("/nam/export/attestations.csv?cycle=2026")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Organization", "Status", "Attested by"]
    assert rows[1][:3] == ["Alpha Regional Hospital", "Submitted", attestation.executive_name]
    assert rows[1][5] == attestation.answers_sha256 and rows[1][6:9] == ["0", "0", "0"]


def test_old_typed_affirmation_is_labelled(client, submitted, assessor_a):
    submitted.affirmed_name, submitted.affirmed_title = "Dana Chief", "CEO"
    submitted.save()
    page = text(login(client, assessor_a).get(BASE))
    assert "typed affirmation (before attestation existed): Dana Chief, CEO" in page
