"""Evidence files in a real Chromium: an assessor uploads a document beside an indicator, gives it for a
second indicator too and downloads it; a member of another organization is refused the download."""

import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments.evidence import services
from assessments.evidence.models import EvidenceDocument, EvidenceLink
from assessments.models import Assessment
from tests import factories as f
from tests.assessments.evidence.samples import PDF
from tests.browser.test_journeys import indicator_card

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def evidence_folder(settings, tmp_path):
    root = tmp_path / "evidence-store"
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": root}},
    }
    return root


def test_upload_reuse_and_download_a_document(
    journey, cycle, org_a, assessor_a, assessor_b, tmp_path, evidence_folder
):
    draft = f.AssessmentFactory(organization=org_a, cycle=cycle)
    charter = tmp_path / "Quality charter.pdf"
    charter.write_bytes(PDF)
    page = journey.page
    journey.login("alice")
    journey.goto("/orgs/alpha/assessments/2026/commitments/engaged/")
    eng1 = indicator_card(page, "ENG-1")
    eng1.get_by_role("group", name="Evidence files for ENG-1").wait_for()
    assert (
        "Allowed: PDF, Word (.docx, .doc), Excel (.xlsx, .xls), PowerPoint (.pptx, .ppt), CSV"
        in eng1.inner_text()
    )
    assert eng1.get_by_label(re.compile(r"^\s*Evidence summary")).count() == 1  # the text summary stays
    journey.check("evidence-controls")

    eng1.get_by_label("Upload a document for ENG-1").set_input_files(str(charter))
    eng1.get_by_role("button", name="Upload for ENG-1").click()
    page.get_by_text("Quality charter.pdf is uploaded as evidence.").wait_for()
    document = EvidenceDocument.objects.get(assessment=draft)
    assert (document.original_name, document.kind, document.size) == ("Quality charter.pdf", "pdf", len(PDF))
    assert (evidence_folder / document.stored_name).read_bytes() == PDF

    eng2 = indicator_card(page, "ENG-2")
    eng2.get_by_label("Or add a document already uploaded").select_option(label="Quality charter.pdf")
    eng2.get_by_role("button", name="Add to ENG-2").click()
    page.get_by_text("The document is added as evidence for this indicator too.").wait_for()
    assert list(
        EvidenceLink.objects.live().order_by("indicator__code").values_list("indicator__code", "document_id")
    ) == [("ENG-1", document.pk), ("ENG-2", document.pk)]
    assert len([p for p in evidence_folder.rglob("*") if p.is_file()]) == 1  # one document, two indicators
    journey.check("evidence-reused")

    with page.expect_download() as info:
        indicator_card(page, "ENG-2").get_by_role("link", name="Quality charter.pdf").click()
    assert info.value.suggested_filename == "Quality charter.pdf"
    saved = tmp_path / "downloaded.pdf"
    info.value.save_as(saved)
    assert saved.read_bytes() == PDF

    # Bob of Bravo knows the address, yet gets the portal's 404 page and no file.
    bob = journey.another("bob")
    bob.login("bob")
    response = bob.goto(f"/orgs/alpha/evidence/{document.pk}/")
    assert response.status == 404
    assert "Quality charter" not in bob.page.content()


def test_nam_staff_see_the_files_beside_each_answer_and_take_the_zip(
    journey, cycle, org_a, nam_staff, tmp_path
):
    draft = f.AssessmentFactory(organization=org_a, cycle=cycle)
    indicator = cycle.rubric.commitments.get(slug="engaged").indicators.get(code="ENG-1")
    services.evidence_upload(
        assessment=draft,
        indicator_id=indicator.pk,
        file=SimpleUploadedFile("Quality charter.pdf", PDF),
        name="Quality charter.pdf",
        user=None,
    )
    f.answer_all(draft, 3, status=Assessment.Status.SUBMITTED)
    page = journey.page
    journey.login("nadia")
    journey.goto(f"/nam/assessments/{draft.pk}/")
    page.locator("#answer-ENG-1").get_by_role("link", name="Quality charter.pdf").wait_for()
    journey.check("nam-review-evidence")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download all evidence files (ZIP)").click()
    assert info.value.suggested_filename == "evidence-alpha-2026.zip"
    saved = tmp_path / "all.zip"
    info.value.save_as(saved)
    assert zipfile.ZipFile(saved).namelist() == ["ENG-1/Quality charter.pdf"]
