import re
from html import unescape

import pytest
from django.core import mail
from django.urls import reverse

from assessments.models import Assessment, AssessmentCycle, AuditEvent, Response
from tests import factories as f

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user, backend="assessments.backends.PortalBackend")
    return client


def text(response) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


@pytest.fixture
def submitted(cycle, org_a):
    assessment = f.AssessmentFactory(organization=org_a, cycle=cycle)
    f.answer_all(assessment, 4, status=Assessment.Status.SUBMITTED)
    Response.objects.filter(assessment=assessment, indicator__code="ENG-1").update(
        evidence_summary="Quarterly patient council minutes", evidence_links="https://example.org/council"
    )
    return assessment


def test_cycles_page_counts_per_status(client, cycle, submitted, org_b, nam_staff):
    f.AssessmentFactory(organization=org_b, cycle=cycle)
    third = f.OrganizationFactory(name="Charlie Health", slug="charlie")
    f.AssessmentFactory(organization=third, cycle=cycle, status=Assessment.Status.VALIDATED)
    page = text(login(client, nam_staff).get(reverse("assessments:nam_cycles")))
    assert "2026 2026.1 Jan 15, 2026 \u2013 Dec 15, 2026 Open 1 1 0 1 Close 2026" in page
    assert "New cycle" in page


def test_create_cycle_with_slug_from_name(client, rubric, cycle, nam_staff):
    client = login(client, nam_staff)
    data = {"name": "2027 Pilot", "rubric": rubric.pk, "opens_on": "2027-01-10", "closes_on": "2027-06-30"}
    response = client.post(reverse("assessments:nam_cycles"), data, follow=True)
    assert "Cycle 2027 Pilot created." in text(response)
    assert list(
        AssessmentCycle.objects.filter(name="2027 Pilot").values_list("slug", "status", "rubric")
    ) == [("2027-pilot", "upcoming", rubric.pk)]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "2026"}, "A cycle named 2026 exists already."),
        ({"name": "!!!"}, "The name needs at least one letter or digit."),
        ({"name": "x" * 61}, "Ensure this value has at most 60 characters"),
        ({"closes_on": "2026-12-01"}, "The cycle must close on or after the day it opens."),
        ({"rubric": "999999"}, "Choose a published rubric version."),
        ({"opens_on": "not a date"}, "Enter a valid date."),
    ],
)
def test_create_cycle_rejects_bad_input(client, rubric, cycle, nam_staff, changes, message):
    data = {
        "name": "2027",
        "rubric": rubric.pk,
        "opens_on": "2027-01-10",
        "closes_on": "2027-06-30",
    } | changes
    response = login(client, nam_staff).post(reverse("assessments:nam_cycles"), data)
    assert response.status_code == 200 and message in text(response)
    assert list(AssessmentCycle.objects.values_list("name", flat=True)) == ["2026"]


def test_draft_rubric_cannot_be_chosen(client, cycle, nam_staff):
    draft_rubric = f.build_rubric("2031.1", publish=False)
    data = {"name": "2031", "rubric": draft_rubric.pk, "opens_on": "2031-01-10", "closes_on": "2031-06-30"}
    response = login(client, nam_staff).post(reverse("assessments:nam_cycles"), data)
    assert "Choose a published rubric version." in text(response)
    assert AssessmentCycle.objects.count() == 1


def test_open_and_close_cycles(client, rubric, cycle, nam_staff, assessor_a):
    upcoming = f.AssessmentCycleFactory(name="2027", rubric=rubric, status=AssessmentCycle.Status.UPCOMING)
    client = login(client, nam_staff)
    status_url = reverse("assessments:nam_cycle_status", args=["2027"])
    refused = client.post(status_url, {"status": "open"}, follow=True)
    assert "Close the 2026 cycle first: one cycle is open at a time." in text(refused)
    closed = client.post(
        reverse("assessments:nam_cycle_status", args=["2026"]), {"status": "closed"}, follow=True
    )
    assert "Cycle 2026 is closed: its assessments are read-only." in text(closed)
    opened = client.post(status_url, {"status": "open"}, follow=True)
    assert "Cycle 2027 is open" in text(opened)
    bogus = client.post(status_url, {"status": "deleted"}, follow=True)
    assert "A cycle can only be opened or closed." in text(bogus)
    upcoming.refresh_from_db()
    cycle.refresh_from_db()
    assert (cycle.status, upcoming.status) == ("closed", "open")


def test_cycle_page_filters_by_status(client, cycle, submitted, org_b, nam_staff):
    f.AssessmentFactory(organization=org_b, cycle=cycle)
    client = login(client, nam_staff)
    every = text(client.get(reverse("assessments:nam_cycle", args=["2026"])))
    assert "Every assessment of the cycle (2)" in every
    assert "Alpha Regional Hospital Submitted · awaiting review 30 / 30" in every
    assert "Bravo Community Clinic Draft 0 / 30 —" in every
    only = text(client.get(reverse("assessments:nam_cycle", args=["2026"]) + "?status=submitted"))
    assert "1 submitted assessment" in only and "Bravo" not in only
    ignored = text(client.get(reverse("assessments:nam_cycle", args=["2026"]) + "?status=bogus"))
    assert "Every assessment of the cycle (2)" in ignored


def test_review_page_shows_answers_evidence_and_warnings(client, submitted, nam_staff):
    response = login(client, nam_staff).get(reverse("assessments:nam_review", args=[submitted.pk]))
    page = text(response)
    assert "Alpha Regional Hospital: 2026 assessment" in page
    assert (
        # This cycle's answer, last cycle's (none: —) and the change (—), then the evidence.
        "ENG-1 Engaged indicator 1 4 Managed — — Quarterly patient council minutes https://example.org/council"
        in page
    )
    assert "ENG-2 Engaged indicator 2 : Level 4 Managed without evidence" in page
    assert page.count("without evidence") == 29
    assert 'value="Record the decision"' in response.content.decode()


def test_validate(client, submitted, nam_staff, assessor_a, admin_a, django_capture_on_commit_callbacks):
    client = login(client, nam_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("assessments:nam_review_decision", args=[submitted.pk]),
            {"decision": "validate"},
            follow=True,
        )
    assert "Alpha Regional Hospital's assessment is validated" in text(response)
    submitted.refresh_from_db()
    assert (submitted.status, submitted.reviewed_by) == ("validated", nam_staff)
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (
            ["adam@example.org", "alice@example.org"],
            "Alpha Regional Hospital: your 2026 assessment is validated",
        )
    ]
    again = client.post(
        reverse("assessments:nam_review_decision", args=[submitted.pk]),
        {"decision": "return", "comment": "x"},
        follow=True,
    )
    assert "This assessment is validated: only a submitted one can be validated or returned." in text(again)
    submitted.refresh_from_db()
    assert submitted.status == "validated"


def test_review_queue_oldest_first_with_waiting_since_and_counts(
    client, cycle, rubric, nam_staff, org_a, org_b
):
    import datetime

    from django.utils import timezone

    now = timezone.now()
    older_cycle = f.AssessmentCycleFactory(name="2025", rubric=rubric, status="closed")
    waiting = [
        (org_a, cycle, 3),
        (org_b, cycle, 12),
        (f.OrganizationFactory(name="Charlie Health"), older_cycle, 40),
    ]
    for organization, of_cycle, days in waiting:
        f.AssessmentFactory(
            organization=organization,
            cycle=of_cycle,
            status=Assessment.Status.SUBMITTED,
            submitted_at=now - datetime.timedelta(days=days),
        )
    f.AssessmentFactory(organization=f.OrganizationFactory(name="Delta Draft"), cycle=cycle)  # not waiting
    f.AssessmentFactory(organization=f.OrganizationFactory(name="Echo Done"), cycle=cycle, status="validated")
    client = login(client, nam_staff)
    response = client.get(reverse("assessments:nam_review_queue"))
    page = text(response)
    assert "3 submissions waiting for review (2 in 2026, 1 in 2025); the oldest has waited 40 days." in page
    rows = re.findall(r"<tr>\s*<th scope=\"row\">([^<]+)</th>", response.content.decode())
    assert rows == ["Charlie Health", "Bravo Community Clinic", "Alpha Regional Hospital"]
    assert "(40 days)" in page and "(12 days)" in page and "(3 days)" in page
    assert "Delta Draft" not in page and "Echo Done" not in page
    # The navigation leads there.
    assert 'href="/nam/review/">Review</a>' in response.content.decode()


def test_review_queue_when_nothing_waits_and_after_a_decision(client, submitted, nam_staff):
    client = login(client, nam_staff)
    response = client.post(
        reverse("assessments:nam_review_decision", args=[submitted.pk]), {"decision": "validate"}, follow=True
    )
    assert response.redirect_chain == [(reverse("assessments:nam_review_queue"), 302)]
    assert "Alpha Regional Hospital's assessment is validated" in text(response)
    assert "Nothing is waiting for review." in text(response)


def test_review_queue_is_for_nam_staff_only(client, submitted, admin_a):
    assert login(client, admin_a).get(reverse("assessments:nam_review_queue")).status_code == 403


def test_a_name_ending_in_s_takes_an_apostrophe_alone(
    client, cycle, nam_staff, django_capture_on_commit_callbacks
):
    clinics = f.OrganizationFactory(name="Cape Ann Health Clinics", slug="cape-ann")
    f.MembershipFactory(organization=clinics, role="assessor")
    assessment = f.answer_all(f.AssessmentFactory(organization=clinics, cycle=cycle), 3, status="submitted")
    client = login(client, nam_staff)
    review = text(client.get(reverse("assessments:nam_review", args=[assessment.pk])))
    assert "accept these answers as Cape Ann Health Clinics' results for 2026" in review
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("assessments:nam_review_decision", args=[assessment.pk]),
            {"decision": "validate"},
            follow=True,
        )
    assert "Cape Ann Health Clinics' assessment is validated" in text(response)
    assert "NAM staff validated Cape Ann Health Clinics' 2026 self-assessment." in mail.outbox[0].body
    assert "Clinics's" not in text(response) + review + mail.outbox[0].body


def test_validate_and_return_decisions_are_in_the_audit_log(client, cycle, submitted, org_b, nam_staff):
    other = f.AssessmentFactory(organization=org_b, cycle=cycle)
    f.answer_all(other, 3, status=Assessment.Status.SUBMITTED)
    client = login(client, nam_staff)
    client.post(
        reverse("assessments:nam_review_decision", args=[submitted.pk]),
        {"decision": "validate", "comment": "Thorough evidence."},
        REMOTE_ADDR="203.0.113.9",
    )
    client.post(
        reverse("assessments:nam_review_decision", args=[other.pk]),
        {"decision": "return", "comment": "Add the minutes for SAF-2."},
    )
    assert list(
        AuditEvent.objects.exclude(kind="login_success")
        .order_by("pk")
        .values_list("kind", "actor_label", "organization__slug", "detail")
    ) == [
        ("assessment_validated", "nadia", "alpha", "2026 assessment validated: Thorough evidence."),
        ("assessment_returned", "nadia", "bravo", "2026 assessment returned: Add the minutes for SAF-2."),
    ]
    assert AuditEvent.objects.get(kind="assessment_validated").ip_address == "203.0.113.9"
    page = text(client.get(reverse("assessments:audit_log"), {"kind": "assessment_returned"}))
    assert "Assessment returned nadia Bravo Community Clinic" in page
    assert "2026 assessment returned: Add the minutes for SAF-2." in page
    assert "Assessment validated" not in page.split("newest first")[1]


def test_return_requires_a_comment_and_shows_it_to_the_organization(
    client, submitted, nam_staff, assessor_a, django_capture_on_commit_callbacks
):
    nam = login(client, nam_staff)
    decision_url = reverse("assessments:nam_review_decision", args=[submitted.pk])
    missing = nam.post(decision_url, {"decision": "return", "comment": "   "})
    assert "Say what the organization should change before resubmitting." in text(missing)
    too_long = nam.post(decision_url, {"decision": "return", "comment": "x" * 4001})
    assert "at most 4000 characters" in text(too_long)
    nothing = nam.post(decision_url, {})
    assert "Choose to validate or to return the assessment." in text(nothing)
    submitted.refresh_from_db()
    assert submitted.status == "submitted" and mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        nam.post(decision_url, {"decision": "return", "comment": "Add evidence for the level 4 answers."})
    submitted.refresh_from_db()
    assert (submitted.status, submitted.reviewer_comment) == (
        "returned",
        "Add evidence for the level 4 answers.",
    )
    assert mail.outbox[0].to == ["alice@example.org"]
    overview = text(login(client, assessor_a).get(reverse("assessments:overview", args=["alpha", "2026"])))
    assert "NAM returned this assessment for changes Add evidence for the level 4 answers." in overview


def test_nam_staff_read_org_pages_without_edit_buttons(client, submitted, nam_staff):
    client = login(client, nam_staff)
    overview = client.get(reverse("assessments:overview", args=["alpha", "2026"]))
    commitment = client.get(reverse("assessments:commitment", args=["alpha", "2026", "engaged"]))
    assert overview.status_code == commitment.status_code == 200
    assert "Review and submit" not in text(overview) and "Save and next" not in text(commitment)
    before = list(Response.objects.values_list("level", flat=True))
    posted = client.post(reverse("assessments:commitment", args=["alpha", "2026", "engaged"]), {})
    assert posted.status_code == 403
    assert list(Response.objects.values_list("level", flat=True)) == before


def test_nam_pages_refuse_everyone_else(client, submitted, assessor_a, admin_a):
    for user in (assessor_a, admin_a):
        client = login(client, user)
        assert client.get(reverse("assessments:nam_cycles")).status_code == 403
        assert client.get(reverse("assessments:nam_review", args=[submitted.pk])).status_code == 403
        refused = client.post(
            reverse("assessments:nam_review_decision", args=[submitted.pk]), {"decision": "validate"}
        )
        assert refused.status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_nam_cycles_page_query_count_is_constant(client, django_assert_num_queries, rubric, cycle, nam_staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(client, nam_staff)
    client.get(reverse("assessments:nam_cycle", args=["2026"]))
    for _ in range(3):
        f.AssessmentFactory(organization=f.OrganizationFactory(), cycle=cycle)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("assessments:nam_cycle", args=["2026"]))
    for _ in range(27):
        f.AssessmentFactory(organization=f.OrganizationFactory(), cycle=cycle, status="submitted")
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse("assessments:nam_cycle", args=["2026"]))
    assert "Every assessment of the cycle (30)" in text(response)
