"""Issue 25 in a real Chromium: an organization admin accepts the participation terms, then the assessment
submits; the terms pages pass axe at every size (journey.check)."""

import re

import pytest

from assessments.models import Assessment
from assessments.terms.models import TermsAcceptance
from tests import factories as f
from tests.assessments.review.helpers import executive_of
from tests.assessments.terms.conftest import SHIPPED

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_accepts_the_terms_then_submission_works(journey, cycle, org_a, admin_a):
    from django.core.management import call_command

    call_command("load_terms", str(SHIPPED))
    f.answer_all(f.AssessmentFactory(organization=org_a, cycle=cycle), 3)
    page = journey.page
    journey.login("adam")
    journey.goto("/orgs/alpha/assessments/2026/review/")
    page.get_by_role("heading", level=1, name="Review and submit").wait_for()

    executive_of(org_a)  # the attestation flow (issue 18) needs an executive to ask

    def affirm_and_submit():
        page.get_by_role("button", name="Ask for attestation").click()

    affirm_and_submit()
    page.get_by_text("The assessment was not submitted.").wait_for()
    assert "Alpha Regional Hospital has not accepted the participation terms (2026.1)" in page.inner_text(
        "main"
    )
    assert Assessment.objects.get().status == Assessment.Status.DRAFT

    page.get_by_role("link", name="Read and accept the participation terms").click()
    page.get_by_role(
        "heading", level=1, name="Participation terms and data of Alpha Regional Hospital"
    ).wait_for()
    journey.check("terms-not-accepted")
    page.get_by_role("link", name="the terms, version 2026.1").click()
    page.get_by_role("heading", level=1, name="Participation terms").wait_for()
    assert "Template for NAM's counsel to adapt." in page.inner_text("main")
    journey.check("terms-text")
    page.go_back()
    page.get_by_role("checkbox", name=re.compile("I have read these terms and accept them")).check()
    page.get_by_role("button", name="Accept version 2026.1").click()
    page.get_by_text("Alpha Regional Hospital accepted the participation terms 2026.1.").wait_for()
    journey.check("terms-accepted")
    acceptance = TermsAcceptance.objects.get()
    assert (acceptance.organization_id, acceptance.accepted_by_id) == (org_a.pk, admin_a.pk)

    journey.goto("/orgs/alpha/assessments/2026/review/")
    assert page.get_by_role("link", name="Read and accept the participation terms").count() == 0
    affirm_and_submit()
    page.get_by_text("The 2026 assessment now awaits your executive's attestation").wait_for()
    assert Assessment.objects.get().status == Assessment.Status.AWAITING_ATTESTATION


def test_admin_asks_for_the_archive_and_to_withdraw_nam_staff_confirm(journey, org_a, admin_a, nam_staff):
    from django.core.management import call_command

    from assessments.terms.models import Withdrawal
    from reports.archive.models import DataArchive

    call_command("load_terms", str(SHIPPED))
    page = journey.page
    journey.login("adam")
    journey.goto("/orgs/alpha/people/")
    page.get_by_role("link", name="Participation terms, data archive and withdrawal").click()
    page.get_by_role("link", name="Data archives").click()
    page.get_by_role("button", name="Build a new archive").click()
    page.get_by_text("The archive is being built: this page shows its progress.").wait_for()
    archive = DataArchive.objects.get()
    assert archive.status == "queued"
    # The worker's part, done here (tests/reports/archive/test_tasks.py has a real worker): the page stops
    # refreshing itself once the archive is ready and offers the download.
    from reports.archive.services import archive_build

    archive_build(archive_id=archive.pk)
    page.get_by_role("link", name=re.compile(r"^Download \(")).wait_for(timeout=15000)
    journey.check("archive-ready")

    journey.goto("/orgs/alpha/terms/")
    page.get_by_role("checkbox", name=re.compile("I understand that once NAM staff confirm")).check()
    page.get_by_role("button", name="Ask to withdraw Alpha Regional Hospital").click()
    page.get_by_text(
        "The withdrawal of Alpha Regional Hospital is asked: NAM staff will confirm it."
    ).wait_for()

    nam = journey.another("nam")
    nam.login("nadia")
    nam.goto("/nam/organizations/")
    nam.page.get_by_role("link", name=re.compile("Participation terms: acceptance and withdrawals")).click()
    nam.page.get_by_role(
        "heading", level=1, name="Participation terms: acceptance and withdrawals"
    ).wait_for()
    nam.check("nam-terms")
    nam.page.get_by_role("button", name="Confirm the withdrawal of Alpha Regional Hospital").click()
    nam.page.get_by_text("The withdrawal of Alpha Regional Hospital is confirmed").wait_for()
    assert Withdrawal.objects.get().confirmed_by_id == nam_staff.pk
    response = journey.goto("/orgs/alpha/terms/")
    assert response.status == 404  # its members lose access
