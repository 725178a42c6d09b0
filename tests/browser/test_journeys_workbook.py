"""The workbook round trip in a real Chromium: download from the assessment page, fill in with openpyxl (as a
colleague would in Excel), upload, read the preview (a colleague's save meanwhile is a conflict), confirm."""

import re

import pytest
from openpyxl import load_workbook

from assessments.models import Response, ResponseChange
from assessments.services.workflow import Answer, responses_save
from commitments.models import Indicator
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_journey_workbook_round_trip(journey, cycle, org_a, assessor_a, admin_a, tmp_path):
    assessment = f.AssessmentFactory(organization=org_a, cycle=cycle)
    eng1 = Indicator.objects.get(commitment__rubric=cycle.rubric, code="ENG-1")
    page = journey.page
    journey.login("alice")
    journey.goto("/orgs/alpha/assessments/2026/")
    page.get_by_role("heading", level=1, name="2026 self-assessment").wait_for()
    with page.expect_download() as info:
        page.get_by_role("link", name="Download workbook").click()
    download = info.value
    assert download.suggested_filename == "alpha-2026-assessment.xlsx"
    downloaded = tmp_path / download.suggested_filename
    download.save_as(downloaded)
    book = load_workbook(downloaded)
    engaged = book["1. Engaged"]
    assert engaged["C2"].value is None
    engaged["C2"] = "4 \u2013 ENG-1 at level 4."
    engaged["E2"] = "Quarterly engagement survey, 62 % response."
    engaged["C3"] = "Not applicable"
    engaged["D3"] = "We have no inpatient units."
    filled = tmp_path / "filled.xlsx"
    book.save(filled)

    # A colleague answers ENG-1 on the portal after the download: the upload shows it as a conflict.
    responses_save(assessment=assessment, user=admin_a, answers=[Answer(indicator_id=eng1.pk, level=2)])

    page.get_by_role("link", name="Upload workbook").click()
    page.get_by_role("heading", level=1, name="Upload a filled-in workbook").wait_for()
    journey.check("workbook-upload")
    # A bad file first: refused with the reason, nothing changes.
    bad = tmp_path / "notes.xlsx"
    bad.write_bytes(b"indicator,level\nENG-1,4\n")
    page.get_by_label("Workbook (.xlsx)").set_input_files(str(bad))
    page.get_by_role("button", name="Upload and preview the changes").click()
    page.get_by_text("This is not an Excel workbook (.xlsx).").first.wait_for()
    journey.check("workbook-upload-error")

    page.get_by_label("Workbook (.xlsx)").set_input_files(str(filled))
    page.get_by_role("button", name="Upload and preview the changes").click()
    page.get_by_role("heading", level=1, name="Changes from the workbook filled.xlsx").wait_for()
    summary = page.locator(".workbook-summary").inner_text()
    assert summary == "1 answer will change, 1 conflict, 28 unchanged. Nothing has been saved yet."
    assert Response.objects.get(indicator=eng1).level == 2
    assert ResponseChange.objects.count() == 1
    journey.check("workbook-preview")
    card = page.locator("#indicator-ENG-1")
    assert "Your answer: 4 Managed" in card.inner_text()
    card.get_by_label("Keep my answer").check()
    page.get_by_role("button", name="Confirm and save these changes").click()
    page.get_by_text("Saved from the workbook filled.xlsx: 2 answers changed.").wait_for()
    saved = {
        r.indicator.code: (r.level, r.not_applicable, r.na_justification, r.evidence_summary, r.version)
        for r in Response.objects.filter(assessment=assessment).select_related("indicator")
    }
    assert saved == {
        "ENG-1": (4, False, "", "Quarterly engagement survey, 62 % response.", 2),
        "ENG-2": (None, True, "We have no inpatient units.", "", 1),
    }
    assert ResponseChange.objects.count() == 3
    assert re.search(r"2 of 30 indicators answered", page.content())


def test_journey_reminder_settings_and_unsubscribe(journey, cycle, assessor_a):
    from reports.reminders.models import ReminderPreference
    from reports.reminders.services import unsubscribe_token

    page = journey.page
    journey.login("alice")
    page.locator(".account-toggle").click()
    page.get_by_role("link", name="Reminder settings").click()
    page.get_by_role("heading", level=1, name="Reminder settings").wait_for()
    journey.check("reminder-settings")
    page.get_by_label("Time zone").select_option("Europe/Paris")
    page.get_by_label(re.compile("Improvement actions you own")).uncheck()
    page.get_by_role("button", name="Save reminder settings").click()
    page.get_by_text("Your reminder settings are saved.").wait_for()
    preference = ReminderPreference.objects.get(user=assessor_a)
    assert (preference.time_zone, preference.deadline, preference.action) == ("Europe/Paris", True, False)

    # The e-mail's link, opened signed out in another browser: it asks first, then stops that kind.
    other = journey.another("mail-reader")
    other.goto(f"/reminders/unsubscribe/{unsubscribe_token(user_id=assessor_a.pk, kind='deadline')}/")
    other.page.get_by_role("heading", level=1, name="Stop these reminders?").wait_for()
    other.check("unsubscribe-confirm")
    assert ReminderPreference.objects.get(user=assessor_a).deadline is True
    other.page.get_by_role("button", name="Stop these reminders").click()
    other.page.get_by_role("heading", level=1, name="Reminders stopped").wait_for()
    other.check("unsubscribed")
    assert ReminderPreference.objects.get(user=assessor_a).deadline is False
