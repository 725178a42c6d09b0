"""Upload, preview and confirm: nothing is saved before the officer confirms; conflicts as on the page."""

import pytest

from assessments.models import Response, ResponseChange
from assessments.services.workflow import Answer, responses_save
from assessments.workbook.pending import SESSION_KEY
from commitments.models import Indicator

from .conftest import download, edit, preview_url, snapshot, upload, visible

pytestmark = pytest.mark.django_db

ENGAGED, SAFE = "1. Engaged", "2. Safe"
EN_DASH = "\u2013"


def _edited(client, assessment):
    return edit(
        download(client, assessment),
        {
            (ENGAGED, "C2"): f"4 {EN_DASH} ENG-1 at level 4.",
            (ENGAGED, "E2"): "Dashboard reviewed monthly.",
            (ENGAGED, "C3"): "Not applicable",
            (ENGAGED, "D3"): "We run no such service here.",
            (SAFE, "C3"): 5,
        },
    )


def test_preview_lists_each_change_and_saves_nothing(client, assessor_a, assessment):
    client.force_login(assessor_a)
    before = snapshot()
    response = upload(client, assessment, _edited(client, assessment))
    assert response.status_code == 302 and response["Location"] == preview_url(assessment)
    assert snapshot() == before
    page = client.get(preview_url(assessment)).content.decode()
    assert (
        "3 answers will change, 0 conflicts, 27 unchanged. <strong>Nothing has been saved yet.</strong>"
        in page
    )
    assert '<span class="indicator-code">ENG-1</span> Engaged indicator 1' in page
    text = visible(page)
    assert "Level 2 Developing →changes to 4 Managed" in text
    assert "Evidence summary Minutes of May. →changes to Dashboard reviewed monthly." in text
    assert (
        "Not applicable No →changes to Yes Why not applicable — →changes to We run no such service here."
        in text
    )
    assert "SAF-2 Safe indicator 2 Level — →changes to 5 Learning" in text
    assert snapshot() == before


def test_confirm_saves_through_the_save_service_with_history(client, assessor_a, assessment):
    client.force_login(assessor_a)
    upload(client, assessment, _edited(client, assessment))
    token = client.session[SESSION_KEY]["token"]
    response = client.post(preview_url(assessment), {"token": token, "confirm": "1"}, follow=True)
    assert "Saved from the workbook alpha.xlsx: 3 answers changed." in response.content.decode()
    saved = {
        r.indicator.code: (
            r.level,
            r.not_applicable,
            r.na_justification,
            r.evidence_summary,
            r.version,
            r.updated_by,
        )
        for r in Response.objects.filter(assessment=assessment).select_related("indicator")
    }
    assert saved == {
        "ENG-1": (4, False, "", "Dashboard reviewed monthly.", 2, assessor_a),
        "ENG-2": (None, True, "We run no such service here.", "", 1, assessor_a),
        "SAF-1": (3, False, "", "", 4, None),
        "SAF-2": (5, False, "", "", 1, assessor_a),
    }
    change = ResponseChange.objects.get(response__indicator__code="ENG-1")
    assert (change.version, change.old_values, change.new_values) == (
        2,
        {"level": 2, "evidence_summary": "Minutes of May."},
        {"level": 4, "evidence_summary": "Dashboard reviewed monthly."},
    )
    assert ResponseChange.objects.count() == 3
    assert SESSION_KEY not in client.session


def test_cancel_saves_nothing(client, assessor_a, assessment):
    client.force_login(assessor_a)
    before = snapshot()
    upload(client, assessment, _edited(client, assessment))
    response = client.post(preview_url(assessment), {"cancel": "1"}, follow=True)
    assert "The workbook alpha.xlsx was set aside: nothing was saved." in response.content.decode()
    assert snapshot() == before
    assert SESSION_KEY not in client.session


def _colleague_saves_eng1(assessment, admin_a):
    eng1 = Indicator.objects.get(commitment__rubric=assessment.cycle.rubric, code="ENG-1")
    responses_save(
        assessment=assessment,
        user=admin_a,
        answers=[Answer(indicator_id=eng1.pk, level=1, evidence_summary="Colleague's view.", version=1)],
    )


@pytest.mark.parametrize(
    ("choice", "expected"),
    [("mine", (4, "Dashboard reviewed monthly.", 3)), ("theirs", (1, "Colleague's view.", 2))],
)
def test_answers_saved_since_the_download_are_conflicts(
    client, assessor_a, admin_a, assessment, choice, expected
):
    client.force_login(assessor_a)
    data = _edited(client, assessment)
    _colleague_saves_eng1(assessment, admin_a)
    upload(client, assessment, data)
    page = client.get(preview_url(assessment)).content.decode()
    assert "2 answers will change, 1 conflict, 27 unchanged." in page
    assert '<h3 class="h6" id="conflict-' in page and "Saved by someone else while you were editing" in page
    assert "<strong>Your answer:</strong> 4 Managed" in page
    assert "1 Initial" in page
    eng1 = Indicator.objects.get(commitment__rubric=assessment.cycle.rubric, code="ENG-1")
    token = client.session[SESSION_KEY]["token"]
    # Without a choice: nothing saved, the choice is asked for.
    before = snapshot()
    response = client.post(preview_url(assessment), {"token": token, f"conflict-{eng1.pk}-version": "2"})
    assert "Choose which answer to keep." in response.content.decode()
    assert snapshot() == before
    response = client.post(
        preview_url(assessment),
        {"token": token, f"conflict-{eng1.pk}-resolution": choice, f"conflict-{eng1.pk}-version": "2"},
        follow=True,
    )
    saved = Response.objects.get(assessment=assessment, indicator=eng1)
    assert (saved.level, saved.evidence_summary, saved.version) == expected
    changed = 3 if choice == "mine" else 2
    assert f"Saved from the workbook alpha.xlsx: {changed} answers changed." in response.content.decode()


def test_a_save_between_preview_and_confirm_shows_the_conflict_again(client, assessor_a, admin_a, assessment):
    client.force_login(assessor_a)
    upload(client, assessment, _edited(client, assessment))
    token = client.session[SESSION_KEY]["token"]
    _colleague_saves_eng1(assessment, admin_a)
    response = client.post(preview_url(assessment), {"token": token, "confirm": "1"})
    page = response.content.decode()
    assert (
        "More answers were saved by others while you were looking, so nothing was saved: check them below."
        in page
    )
    assert "2 answers will change, 1 conflict, 27 unchanged." in page
    eng1 = Response.objects.get(assessment=assessment, indicator__code="ENG-1")
    assert (eng1.level, eng1.version) == (1, 2)
    assert not Response.objects.filter(assessment=assessment, indicator__code="SAF-2").exists()


def test_an_unchanged_workbook_has_nothing_to_save(client, assessor_a, assessment):
    client.force_login(assessor_a)
    upload(client, assessment, download(client, assessment))
    page = client.get(preview_url(assessment)).content.decode()
    assert "0 answers will change, 0 conflicts, 30 unchanged." in page
    assert "there is nothing to save" in page


def test_preview_without_an_upload_sends_to_the_upload_page(client, assessor_a, assessment):
    client.force_login(assessor_a)
    response = client.get(preview_url(assessment), follow=True)
    assert response.redirect_chain == [("/orgs/alpha/assessments/2026/workbook/upload/", 302)]
    assert "No uploaded workbook is waiting for confirmation: upload one first." in response.content.decode()
