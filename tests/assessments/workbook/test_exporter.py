import io

import pytest
from openpyxl import load_workbook

from assessments.workbook import signature
from assessments.workbook.exporter import assessment_workbook

from .conftest import download

pytestmark = pytest.mark.django_db


def test_one_sheet_per_commitment_with_the_saved_answers_and_hidden_versions(assessment):
    book = load_workbook(io.BytesIO(assessment_workbook(assessment)))
    assert book.sheetnames == [
        "How to fill in", "_levels", "1. Engaged", "2. Safe", "3. Effective", "4. Efficient", "5. Fair",
        "6. Accessible", "7. Accountable", "8. Transparent", "9. Secure", "10. Adaptive", "_meta",
    ]  # fmt: skip
    engaged = book["1. Engaged"]
    rows = [[cell.value for cell in row] for row in engaged.iter_rows()]
    eng1 = rows[1]
    assert rows[0] == [
        "Indicator", "Title", "Level", "Why not applicable", "Evidence summary", "Evidence links",
        "indicator_id", "version",
    ]  # fmt: skip
    assert eng1[:6] == [
        "ENG-1",
        "Engaged indicator 1",
        "2 \u2013 ENG-1 at level 2.",
        None,
        "Minutes of May.",
        None,
    ]
    assert eng1[7] == 1
    assert rows[2][2:8:5] == [None, 0]  # ENG-2: never answered, version 0
    assert book["2. Safe"]["H2"].value == 4
    assert engaged.column_dimensions["G"].hidden is True
    assert engaged.column_dimensions["H"].hidden is True
    assert book["_meta"].sheet_state == "hidden"
    assert book["_levels"].sheet_state == "hidden"


def test_the_level_is_a_drop_down_of_the_descriptors(assessment):
    book = load_workbook(io.BytesIO(assessment_workbook(assessment)))
    validations = book["1. Engaged"].data_validations.dataValidation
    assert [(str(v.sqref), v.type, v.formula1) for v in validations] == [
        ("C2", "list", "'_levels'!$A$1:$F$1"),
        ("C3", "list", "'_levels'!$A$2:$F$2"),
        ("C4", "list", "'_levels'!$A$3:$F$3"),
    ]
    assert [cell.value for cell in book["_levels"][2]] == [
        "1 \u2013 ENG-2 at level 1.",
        "2 \u2013 ENG-2 at level 2.",
        "3 \u2013 ENG-2 at level 3.",
        "4 \u2013 ENG-2 at level 4.",
        "5 \u2013 ENG-2 at level 5.",
        "Not applicable",
    ]


def test_hidden_metadata_is_signed(assessment):
    book = load_workbook(io.BytesIO(assessment_workbook(assessment)))
    meta = {row[0].value: row[1].value for row in book["_meta"].iter_rows()}
    versions = {row[0].value: row[7].value for s in book.worksheets[2:12] for row in s.iter_rows(min_row=2)}
    hidden = signature.HiddenCells(
        organization_id=assessment.organization_id,
        cycle_id=assessment.cycle_id,
        assessment_id=assessment.pk,
        rubric_version="2026.1",
        rows=tuple(
            (row[6].value, row[7].value) for s in book.worksheets[2:12] for row in s.iter_rows(min_row=2)
        ),
    )
    assert (meta["organization_id"], meta["cycle_id"], meta["assessment_id"], meta["rubric_version"]) == (
        assessment.organization_id,
        assessment.cycle_id,
        assessment.pk,
        "2026.1",
    )
    assert versions["ENG-1"] == 1 and versions["SAF-1"] == 4 and versions["ADP-3"] == 0
    assert signature.is_valid(hidden, meta["signature"]) is True
    changed = signature.HiddenCells(**{**hidden.__dict__, "rows": ((hidden.rows[0][0], 2), *hidden.rows[1:])})
    assert signature.is_valid(changed, meta["signature"]) is False


def test_download_from_the_page_is_audited(client, assessor_a, assessment):
    from assessments.models import AuditEvent

    client.force_login(assessor_a)
    data = download(client, assessment)
    assert data[:2] == b"PK"
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.EXPORT)
    assert event.detail == "assessment 2026 as workbook to fill in"
    overview = client.get("/orgs/alpha/assessments/2026/").content.decode()
    assert 'href="/orgs/alpha/assessments/2026/workbook.xlsx">Download workbook</a>' in overview
    assert 'href="/orgs/alpha/assessments/2026/workbook/upload/">Upload workbook</a>' in overview
