"""Bad files change nothing and say why."""

import io
import zipfile

import pytest

from assessments.models import Assessment, AssessmentCycle
from assessments.workbook.pending import SESSION_KEY
from tests import factories as f

from .conftest import download, edit, snapshot, upload, visible

pytestmark = pytest.mark.django_db

ENGAGED = "1. Engaged"
TAMPERED = (
    "The workbook's hidden cells were changed (or rows were added, removed or moved), so its answers cannot "
    "be matched to the saved ones. Download a fresh workbook and copy your answers into it. "
    "Nothing was changed."
)


def _refused(client, assessment, data, message):
    before = snapshot()
    response = upload(client, assessment, data)
    assert response.status_code == 200
    assert message in visible(response.content.decode())
    assert snapshot() == before
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {(ENGAGED, "C2"): 7},
            "ENG-1: the level must be between 1 and 5 (the workbook says 7). Nothing was changed.",
        ),
        (
            {(ENGAGED, "C2"): "0 \u2013 none"},
            "ENG-1: the level must be between 1 and 5 (the workbook says 0).",
        ),
        ({(ENGAGED, "C2"): "excellent"}, "ENG-1: the level “excellent” is not one of the list"),
        (
            {(ENGAGED, "C3"): "Not applicable"},
            "ENG-2: Say why this indicator does not apply to your organization. Nothing was changed.",
        ),
        ({(ENGAGED, "H2"): 2}, TAMPERED),
        ({(ENGAGED, "G2"): 99999}, TAMPERED),
        ({("_meta", "B4"): "2025.1"}, TAMPERED),
        ({("_meta", "B1"): 12345}, TAMPERED),
        ({("_meta", "B5"): "forged"}, TAMPERED),
        ({(ENGAGED, "A5"): "NEW-1", (ENGAGED, "G5"): 1, (ENGAGED, "H5"): 0}, TAMPERED),
        ({(ENGAGED, "F2"): "not a link"}, "ENG-1: Each line must be one web address starting with http://"),
    ],
)
def test_bad_cells_are_refused(client, assessor_a, assessment, changes, message):
    client.force_login(assessor_a)
    _refused(client, assessment, edit(download(client, assessment), changes), message)


def test_another_organizations_workbook(client, assessor_a, assessor_b, assessment, cycle, org_b):
    bravo = f.AssessmentFactory(organization=org_b, cycle=cycle)
    client.force_login(assessor_b)
    data = download(client, bravo)
    client.force_login(assessor_a)
    _refused(
        client,
        assessment,
        data,
        "This workbook is another organization's assessment, not Alpha Regional Hospital's. "
        "Nothing was changed.",
    )


def test_another_cycles_workbook(client, assessor_a, assessment, org_a, rubric):
    old_cycle = f.AssessmentCycleFactory(name="2025", rubric=rubric, status=AssessmentCycle.Status.CLOSED)
    old = f.AssessmentFactory(organization=org_a, cycle=old_cycle, status=Assessment.Status.VALIDATED)
    client.force_login(assessor_a)
    _refused(
        client,
        assessment,
        download(client, old),
        "This workbook is of another cycle's assessment, not the 2026 one. Nothing was changed.",
    )


def test_a_rubric_version_mismatch(client, assessor_a, assessment, cycle):
    client.force_login(assessor_a)
    data = download(client, assessment)
    newer = f.build_rubric("2026.2")
    AssessmentCycle.objects.filter(pk=cycle.pk).update(rubric=newer)
    _refused(
        client,
        assessment,
        data,
        "This workbook was made for rubric version 2026.1; the 2026 assessment now uses version 2026.2. "
        "Download a fresh workbook. Nothing was changed.",
    )


def test_a_submitted_assessment(client, assessor_a, assessment):
    client.force_login(assessor_a)
    data = edit(download(client, assessment), {(ENGAGED, "C2"): 5})
    Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.SUBMITTED)
    _refused(
        client,
        assessment,
        data,
        "This assessment is submitted: it can no longer be changed. Nothing was changed.",
    )


def test_a_submission_between_upload_and_confirm_saves_nothing(client, assessor_a, assessment):
    client.force_login(assessor_a)
    upload(client, assessment, edit(download(client, assessment), {(ENGAGED, "C2"): 5}))
    token = client.session[SESSION_KEY]["token"]
    Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.SUBMITTED)
    before = snapshot()
    response = client.post("/orgs/alpha/assessments/2026/workbook/preview/", {"token": token}, follow=True)
    assert "This assessment is submitted: it can no longer be changed. Nothing was changed." in visible(
        response.content.decode()
    )
    assert snapshot() == before


def test_not_an_excel_file(client, assessor_a, assessment):
    client.force_login(assessor_a)
    _refused(
        client,
        assessment,
        b"indicator,level\nENG-1,5\n",
        "This is not an Excel workbook (.xlsx). Upload the file downloaded from this page, saved as Excel "
        "Workbook (.xlsx). Nothing was changed.",
    )


def test_a_zip_that_is_not_a_workbook(client, assessor_a, assessment):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "hello")
    client.force_login(assessor_a)
    _refused(
        client,
        assessment,
        out.getvalue(),
        "This is not an Excel workbook (.xlsx): it has no workbook part. Nothing was changed.",
    )


def test_a_workbook_without_the_portals_details(client, assessor_a, assessment):
    from openpyxl import Workbook

    out = io.BytesIO()
    Workbook().save(out)
    client.force_login(assessor_a)
    _refused(
        client,
        assessment,
        out.getvalue(),
        "This workbook was not downloaded from the portal's assessment page (it has no portal details).",
    )


def test_a_huge_file(client, assessor_a, assessment, settings):
    settings.WORKBOOK_MAX_UPLOAD_BYTES = 1024 * 1024
    client.force_login(assessor_a)
    _refused(
        client,
        assessment,
        b"PK" + b"x" * (2 * 1024 * 1024),
        "The file is too large (1 MB); a workbook of the portal is at most 1 MB. Nothing was changed.",
    )


def test_a_zip_bomb_is_refused_before_it_is_unpacked(client, assessor_a, assessment, settings):
    settings.WORKBOOK_MAX_UNCOMPRESSED_BYTES = 10 * 1024 * 1024
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (40 * 1024 * 1024))
    assert len(out.getvalue()) < 100 * 1024  # 40 MB of zeros pack into some 40 KB
    client.force_login(assessor_a)
    _refused(
        client,
        assessment,
        out.getvalue(),
        "The file unpacks to 40 MB, more than the 10 MB allowed. Nothing was changed.",
    )


def test_too_many_rows(client, assessor_a, assessment, settings):
    client.force_login(assessor_a)
    data = edit(download(client, assessment), {(ENGAGED, f"B{row}"): "padding" for row in range(5, 40)})
    settings.WORKBOOK_MAX_ROWS = 30
    _refused(
        client,
        assessment,
        data,
        "The workbook has more than 30 rows; a workbook of the portal has one row per indicator. "
        "Nothing was changed.",
    )
