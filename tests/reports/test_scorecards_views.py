"""reports/views/scorecards.py: request, follow, download and try again; NAM staff batches and their ZIP."""

import io
import json
import zipfile

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from assessments.models import AuditEvent
from reports.models import Scorecard, ScorecardBatch
from reports.services import scorecards as service
from tests import factories as f

from .conftest import submitted

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def ready_scorecard(assessment, peer_group="all") -> Scorecard:
    scorecard = service.scorecard_request(assessment=assessment, peer_group=peer_group).scorecard
    service.scorecard_render(scorecard_id=scorecard.pk)
    scorecard.refresh_from_db()
    assert scorecard.status == "ready"
    return scorecard


def queued_scorecard(assessment, **fields) -> Scorecard:
    return Scorecard.objects.create(assessment=assessment, peer_group="all", inputs_hash="f" * 64, **fields)


# ---------------------------------------------------------------------------------------------------------
# The organization's scorecards page


def test_list_offers_the_submitted_cycles(scored, executive_a):
    response = client_for(executive_a).get(reverse("reports:scorecards", args=["alpha"]))
    content = response.content.decode()
    assert '<h1 class="h3">PDF scorecards</h1>' in content
    assert f'<option value="{scored.cycle.pk}">2026</option>' in content
    assert "<legend" in content and 'value="org_type"' in content  # the peer groups, in a fieldset
    assert "No scorecard yet." in content
    assert [c.name for c in response.context["form"].fields["cycle"].queryset] == ["2026"]


def test_list_without_a_submitted_assessment_says_what_to_do(org_a, cycle, assessor_a):
    f.AssessmentFactory(organization=org_a, cycle=cycle)  # a draft
    content = client_for(assessor_a).get(reverse("reports:scorecards", args=["alpha"])).content.decode()
    assert "Alpha Regional Hospital has no submitted assessment yet." in content
    assert "Prepare the scorecard" not in content


def test_request_creates_a_queued_scorecard_and_shows_it(
    scored, executive_a, django_capture_on_commit_callbacks
):
    client = client_for(executive_a)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("reports:scorecards", args=["alpha"]),
            {"cycle": scored.cycle.pk, "peer_group": "org_type"},
        )
    scorecard = Scorecard.objects.get()
    assert (scorecard.assessment, scorecard.peer_group, scorecard.status, scorecard.requested_by) == (
        scored,
        "org_type",
        "queued",
        executive_a,
    )
    assert len(callbacks) == 1
    assert response["Location"] == reverse("reports:scorecard", args=["alpha", scorecard.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Your scorecard is being prepared. It will be ready shortly: this page updates itself." in page
    assert 'aria-live="polite"' in page
    assert f'data-scorecard-status-url="/orgs/alpha/scorecards/{scorecard.pk}/status.json"' in page
    assert 'data-scorecard-pending="true"' in page
    assert "Waiting for its turn. It will be produced shortly." in page


def test_request_of_an_unchanged_scorecard_goes_straight_to_the_download(scored, executive_a):
    scorecard = ready_scorecard(scored)
    client = client_for(executive_a)
    response = client.post(
        reverse("reports:scorecards", args=["alpha"]), {"cycle": scored.cycle.pk, "peer_group": "all"}
    )
    assert response["Location"] == reverse("reports:scorecard", args=["alpha", scorecard.pk])
    page = client.get(response["Location"]).content.decode()
    assert "This scorecard is ready: nothing it shows has changed since it was made." in page
    assert f'href="/orgs/alpha/scorecards/{scorecard.pk}/download/">Download the PDF</a>' in page
    assert Scorecard.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        (
            {"peer_group": "everyone"},
            "peer_group",
            "Select a valid choice. everyone is not one of the available choices.",
        ),
        ({"peer_group": "x" * 5000}, "peer_group", None),
        (
            {"cycle": "999999"},
            "cycle",
            "Select a valid choice. That choice is not one of the available choices.",
        ),
        (
            {"cycle": "not-a-number"},
            "cycle",
            "Select a valid choice. That choice is not one of the available choices.",
        ),
        ({"cycle": ""}, "cycle", "This field is required."),
    ],
)
def test_request_with_bad_input_changes_nothing(scored, assessor_a, data, field, error):
    post = {"cycle": scored.cycle.pk, "peer_group": "all", **data}
    response = client_for(assessor_a).post(reverse("reports:scorecards", args=["alpha"]), post)
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert errors == [error] if error else len(errors) == 1
    assert Scorecard.objects.count() == 0


def test_request_for_a_cycle_of_another_organization_is_refused(scored, org_b, assessor_a, rubric):
    other_cycle = f.AssessmentCycleFactory(name="2027", rubric=rubric)
    submitted(org_b, other_cycle, [3] * 30)
    response = client_for(assessor_a).post(
        reverse("reports:scorecards", args=["alpha"]), {"cycle": other_cycle.pk, "peer_group": "all"}
    )
    assert response.context["form"].errors["cycle"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert Scorecard.objects.count() == 0


def test_list_is_free_of_n_plus_one(scored, assessor_a, django_assert_num_queries):
    client = client_for(assessor_a)
    url = reverse("reports:scorecards", args=["alpha"])

    def fill(n):
        Scorecard.objects.bulk_create(
            Scorecard(assessment=scored, peer_group="all", inputs_hash=f"{i:064x}", requested_by=assessor_a)
            for i in range(Scorecard.objects.count(), n)
        )

    fill(3)
    client.get(url)  # warm the session and the user's caches
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    fill(30)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert len(response.context["scorecards"]) == 30


# ---------------------------------------------------------------------------------------------------------
# Status, download, try again


def test_status_json(scored, assessor_a):
    scorecard = queued_scorecard(scored)
    client = client_for(assessor_a)
    url = reverse("reports:scorecard_status", args=["alpha", scorecard.pk])
    response = client.get(url)
    assert response["Cache-Control"] == "no-store"
    assert json.loads(response.content) == {
        "status": "queued",
        "label": "Queued",
        "message": "Waiting for its turn. It will be produced shortly.",
        "pending": True,
        "attempts": 0,
        "error": "",
        "download_url": "",
    }
    Scorecard.objects.filter(pk=scorecard.pk).update(status="failed", attempts=3, error_message="Boom.")
    assert json.loads(client.get(url).content) == {
        "status": "failed",
        "label": "Failed",
        "message": "It could not be produced.",
        "pending": False,
        "attempts": 3,
        "error": "Boom.",
        "download_url": "",
    }


def test_download_headers_and_audit(scored, executive_a):
    scorecard = ready_scorecard(scored)
    status = json.loads(
        client_for(executive_a).get(reverse("reports:scorecard_status", args=["alpha", scorecard.pk])).content
    )
    assert status["download_url"] == f"/orgs/alpha/scorecards/{scorecard.pk}/download/"

    response = client_for(executive_a).get(status["download_url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="Alpha Regional Hospital - 2026 scorecard (All participants).pdf"'
    )
    assert response["Cache-Control"] == "no-store"
    body = b"".join(response.streaming_content)
    assert "Alpha Regional Hospital" in PdfReader(io.BytesIO(body)).pages[0].extract_text()
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PDF_DOWNLOAD)
    assert (event.actor, event.organization, event.detail) == (
        executive_a,
        scored.organization,
        f"Scorecard {scorecard.pk}: Alpha Regional Hospital - 2026 scorecard (All participants).pdf",
    )


def test_download_of_a_scorecard_not_ready_is_404(scored, executive_a):
    scorecard = queued_scorecard(scored)
    response = client_for(executive_a).get(
        reverse("reports:scorecard_download", args=["alpha", scorecard.pk])
    )
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.PDF_DOWNLOAD).exists()


def test_failed_scorecard_shows_the_reason_and_try_again(
    scored, assessor_a, django_capture_on_commit_callbacks
):
    scorecard = queued_scorecard(
        scored, status="failed", attempts=3, error_message="Chromium is needed to draw the charts."
    )
    client = client_for(assessor_a)
    page = client.get(reverse("reports:scorecard", args=["alpha", scorecard.pk])).content.decode()
    assert "Chromium is needed to draw the charts." in page
    assert f'action="/orgs/alpha/scorecards/{scorecard.pk}/retry/"' in page
    assert ">Try again</button>" in page

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("reports:scorecard_retry", args=["alpha", scorecard.pk]))
    assert response["Location"] == reverse("reports:scorecard", args=["alpha", scorecard.pk])
    scorecard.refresh_from_db()
    assert (scorecard.status, scorecard.attempts, scorecard.error_message, scorecard.requested_by) == (
        "queued",
        0,
        "",
        assessor_a,
    )
    assert len(callbacks) == 1


def test_try_again_on_a_scorecard_that_did_not_fail_changes_nothing(scored, assessor_a):
    scorecard = queued_scorecard(scored, status="rendering", attempts=1)
    client = client_for(assessor_a)
    response = client.post(reverse("reports:scorecard_retry", args=["alpha", scorecard.pk]), follow=True)
    assert "Only a scorecard that failed can be tried again." in response.content.decode()
    scorecard.refresh_from_db()
    assert (scorecard.status, scorecard.attempts) == ("rendering", 1)


# ---------------------------------------------------------------------------------------------------------
# Other organizations see nothing


@pytest.mark.parametrize("name", ["scorecard", "scorecard_status", "scorecard_download"])
def test_other_organization_gets_404(scored, org_b, assessor_a, assessor_b, name):
    scorecard = ready_scorecard(scored)
    # Bob (Bravo) asks for Alpha's scorecard under Alpha's slug, and under his own.
    assert (
        client_for(assessor_b).get(reverse(f"reports:{name}", args=["alpha", scorecard.pk])).status_code
        == 404
    )
    assert (
        client_for(assessor_b).get(reverse(f"reports:{name}", args=["bravo", scorecard.pk])).status_code
        == 404
    )
    # Alice (Alpha) cannot reach Bravo's scorecard through Alpha's slug either.
    bravo = queued_scorecard(
        submitted(org_b, scored.cycle, [4] * 30), status="ready", file=scorecard.file.name
    )
    assert client_for(assessor_a).get(reverse(f"reports:{name}", args=["alpha", bravo.pk])).status_code == 404


def test_other_organization_cannot_try_again(scored, assessor_b):
    scorecard = queued_scorecard(scored, status="failed", attempts=3)
    response = client_for(assessor_b).post(reverse("reports:scorecard_retry", args=["alpha", scorecard.pk]))
    assert response.status_code == 404
    scorecard.refresh_from_db()
    assert (scorecard.status, scorecard.attempts) == ("failed", 3)


def test_other_organization_cannot_request(scored, assessor_b):
    response = client_for(assessor_b).post(
        reverse("reports:scorecards", args=["alpha"]), {"cycle": scored.cycle.pk, "peer_group": "all"}
    )
    assert response.status_code == 404
    assert Scorecard.objects.count() == 0


def test_nam_staff_may_follow_and_download(scored, nam_staff):
    scorecard = ready_scorecard(scored)
    client = client_for(nam_staff)
    assert client.get(reverse("reports:scorecard", args=["alpha", scorecard.pk])).status_code == 200
    response = client.get(reverse("reports:scorecard_download", args=["alpha", scorecard.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.get(kind=AuditEvent.Kind.PDF_DOWNLOAD).actor == nam_staff


# ---------------------------------------------------------------------------------------------------------
# NAM staff batches


def test_batches_are_for_nam_staff_only(scored, assessor_a, admin_a):
    for user in (assessor_a, admin_a):
        assert client_for(user).get(reverse("reports:nam_scorecard_batches")).status_code == 403
        response = client_for(user).post(
            reverse("reports:nam_scorecard_batches"), {"cycle": scored.cycle.pk, "peer_group": "all"}
        )
        assert response.status_code == 403
    assert ScorecardBatch.objects.count() == 0


def test_batch_of_three_organizations_gives_a_zip_of_three_pdfs(rubric, cycle, org_a, org_b, nam_staff):
    submitted(org_a, cycle, [3] * 30)
    submitted(org_b, cycle, [4] * 30)
    charlie = f.OrganizationFactory(name="Charlie Health System", slug="charlie")
    submitted(charlie, cycle, [2] * 30)
    f.AssessmentFactory(organization=f.OrganizationFactory(name="Draft Only"), cycle=cycle)  # not submitted
    client = client_for(nam_staff)

    response = client.post(reverse("reports:nam_scorecard_batches"), {"cycle": cycle.pk, "peer_group": "all"})
    batch = ScorecardBatch.objects.get()
    assert response["Location"] == reverse("reports:nam_scorecard_batch", args=[batch.pk])
    assert (batch.cycle, batch.peer_group, batch.requested_by, batch.filled_at) == (
        cycle,
        "all",
        nam_staff,
        None,
    )
    # The request only records the batch: the task reports.fill_scorecard_batch fills it (test_tasks.py).
    assert batch.scorecards.count() == 0
    page = client.get(response["Location"]).content.decode()
    assert "Its scorecards are being prepared" in page
    assert "Preparing</span>" in page and 'data-scorecard-autorefresh="5"' in page
    listing = client.get(reverse("reports:nam_scorecard_batches")).content.decode()
    assert '<td class="num">Preparing</td>' in listing

    batch = service.scorecard_batch_fill(batch_id=batch.pk)
    assert batch.filled_at is not None
    assert sorted(batch.scorecards.values_list("assessment__organization__slug", "status")) == [
        ("alpha", "queued"),
        ("bravo", "queued"),
        ("charlie", "queued"),
    ]
    page = client.get(response["Location"]).content.decode()
    assert "<dt>Pending</dt><dd>3</dd>" in page and 'data-scorecard-autorefresh="5"' in page
    assert "Preparing</span>" not in page

    for scorecard in batch.scorecards.all():
        service.scorecard_render(scorecard_id=scorecard.pk)
    page = client.get(response["Location"]).content.decode()
    assert "<dt>Ready</dt><dd>3</dd>" in page and "<dt>Pending</dt><dd>0</dd>" in page
    assert "data-scorecard-autorefresh" not in page

    response = client.get(reverse("reports:nam_scorecard_batch_zip", args=[batch.pk]))
    assert response["Content-Type"] == "application/zip"
    assert (
        response["Content-Disposition"] == 'attachment; filename="LHS scorecards 2026 (All participants).zip"'
    )
    assert response["Cache-Control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.namelist() == [
        "Alpha Regional Hospital - 2026 scorecard (All participants).pdf",
        "Bravo Community Clinic - 2026 scorecard (All participants).pdf",
        "Charlie Health System - 2026 scorecard (All participants).pdf",
    ]
    for name in archive.namelist():
        organization = name.split(" - ")[0]
        assert organization in PdfReader(io.BytesIO(archive.read(name))).pages[0].extract_text()
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.EXPORT)
    assert (event.actor, event.detail) == (nam_staff, f"Scorecard batch {batch.pk} ZIP: 3 PDFs of 2026")


def test_batch_reuses_ready_scorecards(scored, nam_staff):
    scorecard = ready_scorecard(scored)
    batch = service.scorecard_batch_create(cycle=scored.cycle, peer_group="all", user=nam_staff)
    batch = service.scorecard_batch_fill(batch_id=batch.pk)
    alpha = batch.scorecards.get(assessment=scored)
    assert (alpha.pk, alpha.status, alpha.attempts) == (scorecard.pk, "ready", 1)
    assert batch.scorecards.count() == 6  # Alpha and its five peers


def test_filling_a_batch_twice_changes_nothing(scored, nam_staff):
    """A redelivered fill task: the same scorecards, none queued twice, the first fill time kept."""
    batch = service.scorecard_batch_create(cycle=scored.cycle, peer_group="all", user=nam_staff)
    first = service.scorecard_batch_fill(batch_id=batch.pk)
    ids = sorted(first.scorecards.values_list("pk", flat=True))
    ScorecardBatch.objects.filter(pk=batch.pk).update(filled_at=None)  # as if the worker died before the end
    again = service.scorecard_batch_fill(batch_id=batch.pk)
    assert sorted(again.scorecards.values_list("pk", flat=True)) == ids
    assert Scorecard.objects.count() == 6
    assert sorted(set(Scorecard.objects.values_list("status", "requested_by__username"))) == [
        ("queued", "nadia")
    ]
    filled_at = again.filled_at
    assert service.scorecard_batch_fill(batch_id=batch.pk).filled_at == filled_at  # filled: left alone
    assert service.scorecard_batch_fill(batch_id=batch.pk + 1000) is None  # gone: nothing to do


def test_batch_without_submissions_says_so(cycle, nam_staff):
    response = client_for(nam_staff).post(
        reverse("reports:nam_scorecard_batches"), {"cycle": cycle.pk, "peer_group": "all"}
    )
    assert response.context["form"].non_field_errors() == ["No assessment of 2026 has been submitted yet."]
    assert ScorecardBatch.objects.count() == 0


def test_zip_with_nothing_ready_explains(scored, nam_staff):
    batch = service.scorecard_batch_create(cycle=scored.cycle, peer_group="all", user=nam_staff)
    response = client_for(nam_staff).get(
        reverse("reports:nam_scorecard_batch_zip", args=[batch.pk]), follow=True
    )
    assert "No scorecard of this batch is ready yet" in response.content.decode()
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).exists()


@pytest.mark.parametrize("view", ["nam_scorecard_batches", "nam_scorecard_batch"])
def test_batch_pages_are_free_of_n_plus_one(rubric, cycle, nam_staff, django_assert_num_queries, view):
    client = client_for(nam_staff)
    batch = ScorecardBatch.objects.create(cycle=cycle, peer_group="all", requested_by=nam_staff)

    def grow(n):
        for _ in range(batch.scorecards.count(), n):
            assessment = submitted(f.OrganizationFactory(), cycle, [3] * 30)
            queued_scorecard(assessment).batches.add(batch)
            ScorecardBatch.objects.create(cycle=cycle, peer_group="region", requested_by=nam_staff)

    url = reverse(f"reports:{view}", args=[batch.pk] if view == "nam_scorecard_batch" else [])
    grow(3)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    grow(12)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(url)


# ---------------------------------------------------------------------------------------------------------
# Django admin (reports/admin.py)


def test_admin_lists_scorecards_and_tries_failed_ones_again(scored, django_capture_on_commit_callbacks):
    admin = f.UserFactory(username="root", is_staff=True, is_superuser=True)
    failed = queued_scorecard(scored, status="failed", attempts=3, error_message="Boom.")
    client = client_for(admin)
    page = client.get(reverse("admin:reports_scorecard_changelist")).content.decode()
    assert "Alpha Regional Hospital - 2026" in page
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("admin:reports_scorecard_changelist"),
            {"action": "try_again", "_selected_action": [failed.pk]},
            follow=True,
        )
    assert "1 scorecard(s) queued again." in response.content.decode()
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, len(callbacks)) == ("queued", 0, 1)
