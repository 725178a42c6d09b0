"""Issue 17's dead ends, in a real Chromium: each role's journey without a lost answer or a bare error page.

The five long journeys live in test_journeys.py; these are the shorter ones that once went wrong.
"""

import re

import pytest

from assessments.models import Assessment, Response
from tests import factories as f
from tests.browser.test_journeys import choose_level, described_by, indicator_card

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_double_click_on_save_sends_one_post(journey, cycle, org_a, assessor_a):
    draft = f.AssessmentFactory(organization=org_a, cycle=cycle)
    page = journey.page
    journey.login("alice")
    journey.goto("/orgs/alpha/assessments/2026/commitments/engaged/")
    choose_level(page, "ENG-1", 4)
    indicator_card(page, "ENG-1").get_by_label(re.compile(r"^\s*Evidence summary")).fill("Board minutes.")
    # A person's double click: the second press comes while the first POST is on its way (a slow network).
    network = journey.context.new_cdp_session(page)
    network.send("Network.enable")
    network.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 1500, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    save = page.get_by_role("button", name="Save", exact=True)
    save.scroll_into_view_if_needed()
    box = save.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x, y)
    page.wait_for_timeout(250)
    page.mouse.click(x, y)  # the mouse itself: a locator's click would wait for the first navigation
    page.get_by_text("Engaged: saved (1 answer changed).").wait_for()
    assert list(Response.objects.filter(assessment=draft).values_list("level", "version")) == [(4, 1)]
    assert posts == [journey.base_url + "/orgs/alpha/assessments/2026/commitments/engaged/"]
    journey.check("saved-once")


def test_nam_name_filter_applies_to_the_whole_page_and_its_downloads(journey, cycle, nam_staff, tmp_path):
    from tests.browser.test_journeys import _download_csv, _seed_peers

    _seed_peers(cycle, ["Riverside General", "Riverside Children's", "Hilltop Medical", "Lakeside Clinic"])
    page = journey.page
    journey.login("nadia")
    page.get_by_role("heading", level=1, name="Field dashboard").wait_for()
    assert "No filters: every table, chart and download below covers all organizations." in page.inner_text(
        "#filters-in-effect"
    )
    page.get_by_label("Organization name contains").fill("Riverside")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"q=Riverside"))
    assert page.inner_text("#filters-in-effect") == (
        "Every table, chart and download below shows only organizations matching: "
        "Organization name contains “Riverside”."
    )
    organizations = page.get_by_role("table", name=re.compile(r"organizations? match"))
    assert organizations.locator("tbody th").all_inner_texts() == [
        "Riverside Children's",
        "Riverside General",
    ]
    by_cycle = page.get_by_role("table", name="By cycle").locator("tbody tr").first.inner_text().split()
    assert by_cycle[:3] == ["2026", "0", "2"]  # started: the two Riverside organizations only
    journey.check("nam-dashboard-name-filter")
    responses = _download_csv(page, "Responses CSV", tmp_path)
    assert sorted({row[0] for row in responses[1:]}) == ["Riverside Children's", "Riverside General"]


def test_nam_staff_work_through_the_review_queue(journey, cycle, nam_staff, assessor_a, org_a):
    import datetime

    from django.utils import timezone

    from tests.browser.test_journeys import _decide, _submitted

    first = _submitted(org_a, cycle, assessor_a)
    later = _submitted(f.OrganizationFactory(name="Bravo Community Clinic"), cycle, assessor_a)
    Assessment.objects.filter(pk=first.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=9))
    page = journey.page
    journey.login("nadia")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Review", exact=True).click()
    page.get_by_role("heading", level=1, name="Review queue").wait_for()
    assert page.inner_text("#queue-summary") == (
        "2 submissions waiting for review; the oldest has waited 9 days."
    )
    queue = page.get_by_role("table", name=re.compile("the one waiting longest first"))
    assert queue.locator("tbody th").all_inner_texts() == [
        "Alpha Regional Hospital",
        "Bravo Community Clinic",
    ]
    assert "(9 days)" in queue.locator("tbody tr").first.inner_text()
    journey.check("review-queue")

    page.get_by_role("link", name="Review Alpha Regional Hospital").click()
    page.get_by_role("heading", level=1, name="Alpha Regional Hospital: 2026 assessment").wait_for()
    _decide(journey, "Validate")
    page.get_by_text("Alpha Regional Hospital's assessment is validated").wait_for()
    page.get_by_role("heading", level=1, name="Review queue").wait_for()
    assert page.inner_text("#queue-summary") == "1 submission waiting for review; the oldest came in today."
    assert queue.locator("tbody th").all_inner_texts() == ["Bravo Community Clinic"]
    assert Assessment.objects.get(pk=later.pk).status == Assessment.Status.SUBMITTED
    journey.check("review-queue-after-decision")


def test_audit_log_shows_decisions_and_every_detail_in_full(journey, cycle, nam_staff, assessor_a, org_a):
    from assessments.audit import audit_record
    from assessments.models import AuditEvent
    from tests.browser.test_journeys import _decide, _submitted

    _submitted(org_a, cycle, assessor_a)
    audit_record(
        kind=AuditEvent.Kind.EXPORT,
        actor=nam_staff,
        # A long word without a place to break (a name typed as one word), as a filter in an export's detail.
        detail="responses of cycle 2026 as XLSX (org_type=health_system, name_contains="
        + "Riverside" * 14
        + ")",
    )
    page = journey.page
    page.set_viewport_size({"width": 1366, "height": 900})
    journey.login("nadia")
    journey.goto(f"/nam/assessments/{Assessment.objects.get().pk}/")
    _decide(journey, "Return to the organization", "SAF-2 needs its incident-review minutes. " * 8)
    page.get_by_text("Returned to Alpha Regional Hospital with your comment").wait_for()
    journey.goto("/nam/audit/")
    table = page.get_by_role("table", name=re.compile("newest first"))
    assert "Assessment returned" in table.locator("tbody tr").first.inner_text()
    # Nothing of the Detail column is cut off: every cell shows its whole text within the page.
    details = table.locator("tbody td:last-child")
    for cell in details.all():
        box = cell.bounding_box()
        assert box["x"] + box["width"] <= 1366, f"Detail cell ends at {box['x'] + box['width']}px"
        assert cell.evaluate("el => el.scrollWidth <= el.clientWidth"), cell.inner_text()
    region = page.get_by_role("region", name="Audit events")
    assert region.evaluate("el => el.scrollWidth <= el.clientWidth"), "the audit table scrolls sideways"
    journey.check("audit-log")


@pytest.mark.parametrize(("role", "label"), [("executive", "Executive"), ("org_admin", "Organization admin")])
def test_scorecards_in_the_navigation_and_the_role_read_in_full(journey, cycle, role, label):
    organization = f.OrganizationFactory(
        name="Cape Ann Health Clinics and Community Hospitals of the North Shore"
    )
    f.MembershipFactory(organization=organization, role=role, user=f.UserFactory(username="erin"))
    page = journey.page
    page.set_viewport_size({"width": 1366, "height": 900})
    journey.login("erin")
    nav = page.get_by_role("navigation", name="Main")
    context = nav.locator(".org-context")
    assert context.inner_text() == f"{organization.name} · {label}"
    # Read in full: not cut with an ellipsis ("Organi...", "Execut...") nor past the window's edge.
    assert context.evaluate("el => el.scrollWidth <= el.clientWidth && el.scrollHeight <= el.clientHeight")
    box = context.bounding_box()
    assert box["x"] + box["width"] <= 1366
    journey.check("navigation")
    nav.get_by_role("link", name="Scorecards").click()
    page.get_by_role("heading", level=1, name="PDF scorecards").wait_for()
    journey.check("scorecards")


def test_a_submit_address_opened_after_signing_in_shows_the_review_page(journey, cycle, org_a, assessor_a):
    f.answer_all(f.AssessmentFactory(organization=org_a, cycle=cycle), 3)
    page = journey.page
    # A bookmark of the submit address, opened signed out: sign in, then land on a portal page, not a 405.
    response = journey.goto("/orgs/alpha/assessments/2026/submit/")
    assert response.status == 200 and "/accounts/login/?next=" in page.url
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", level=1, name="Review and submit").wait_for()
    assert page.url.endswith("/orgs/alpha/assessments/2026/review/")
    page.get_by_text(
        "Nothing was submitted: an assessment is submitted with the button on this page."
    ).wait_for()
    assert Assessment.objects.get().status == Assessment.Status.DRAFT
    journey.check("review-after-sign-in")
    # Any other address that only takes a form's button: the portal's own page.
    response = journey.goto("/orgs/alpha/assessments/2026/copy-previous/")
    assert response.status == 405
    page.get_by_role("heading", level=1, name="This address is for a button, not a link").wait_for()
    journey.check("post-only-address")


def test_evidence_counts_its_characters_and_a_long_paste_is_not_cut(journey, cycle, org_a, assessor_a):
    draft = f.AssessmentFactory(organization=org_a, cycle=cycle)
    page = journey.page
    journey.login("alice")
    journey.goto("/orgs/alpha/assessments/2026/commitments/engaged/")
    evidence = indicator_card(page, "ENG-1").get_by_label(re.compile(r"^\s*Evidence summary"))
    counter = page.locator(f"[id='{evidence.get_attribute('id')}_count']")
    assert counter.inner_text() == "0 of 4,000 characters"
    assert "0 of 4,000 characters" in described_by(page, evidence)
    evidence.fill("Board minutes.")
    assert counter.inner_text() == "14 of 4,000 characters"
    journey.check("evidence-counter")

    # A paste longer than the limit stays whole (no silent cut); the page and the server say the same.
    evidence.fill("x" * 4010)
    assert len(evidence.input_value()) == 4010
    too_long = (
        "At most 4,000 characters: this text has 4,010 (10 too many). "
        "Shorten it, or put the rest in a document and link to it."
    )
    assert counter.inner_text() == too_long
    assert page.get_by_role("status").filter(has_text=too_long).count() == 1
    choose_level(page, "ENG-1", 3)
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("alert").filter(has_text="Nothing was saved.").wait_for()
    assert too_long in described_by(page, evidence)
    assert not Response.objects.filter(assessment=draft).exists()
    journey.check("evidence-too-long")
