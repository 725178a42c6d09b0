"""The five journeys of the portal, end to end in a real Chromium, every page checked by axe (WCAG 2.1 AA)."""

import csv
import io
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from pypdf import PdfReader

from assessments.models import Assessment, Membership, OrgType, Response, Role
from reports.services.releases import release_publish
from tests import factories as f
from tests.assessments.review.helpers import attest_as_executive, submit_attested
from tests.factories import COMMITMENT_NAMES
from tests.reports.test_scorecard_pdfua import assert_tagged_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _link_in(body: str) -> str:
    """The path of the one portal link in an e-mail body (the host is the configured SITE_URL)."""
    url = re.search(r"https?://\S+/invitations/\S+/", body).group(0)
    return urlsplit(url).path


def level_group(page, code: str):
    """The radio group of one indicator, found by its accessible name (fieldset + legend)."""
    return page.get_by_role("group", name=f"Maturity level for {code}")


def choose_level(page, code: str, level: int | str):
    name = "Not applicable" if level == "na" else re.compile(rf"^\s*{level} ")
    level_group(page, code).get_by_role("radio", name=name).check()


def described_by(page, field) -> str:
    """The text a screen reader reads after the field's name: its help and error messages."""
    ids = (field.get_attribute("aria-describedby") or "").split()
    return " ".join(page.locator(f"[id='{i}']").inner_text().strip() for i in ids)


def indicator_card(page, code: str):
    return page.locator(f"#indicator-{code}")


def focused(page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            const card = el.closest('.level-card');
            const cardStyle = card ? getComputedStyle(card) : null;
            return {
                tag: el.tagName.toLowerCase(), type: el.type || '', name: el.name || '',
                value: el.value || '',
                text: (el.innerText || '').trim(), checked: !!el.checked,
                outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
                cardOutline: !!cardStyle && cardStyle.outlineStyle !== 'none',
            };
        }"""
    )


def tab_until(page, predicate, *, limit: int = 80) -> dict:
    """Press Tab until the focused element matches; every stop must show where the focus is."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        element = focused(page)
        if predicate(element):
            return element
    raise AssertionError(f"Tab never reached the element; last focus {element}")


# --- 1. A quality officer fills in and submits the assessment ------------------------------------------

KEYBOARD_COMMITMENT = "effective"  # the third: filled in with the keyboard alone
LEVELS = {slug: [3, 2, 3] for slug, _, _ in COMMITMENT_NAMES}
LEVELS["safe"] = [4, 3, 2]  # SAF-1 at level 4 is first saved without evidence: the review warns about it
LEVELS["effective"] = [2, 4, 3]


def _fill_with_mouse(journey, slug: str, prefix: str):
    page = journey.page
    for number, level in enumerate(LEVELS[slug], start=1):
        code = f"{prefix}-{number}"
        choose_level(page, code, level)
        if code != "SAF-1":
            indicator_card(page, code).get_by_label(re.compile(r"^\s*Evidence summary")).fill(
                f"Minutes and measures for {code}."
            )


def _fill_with_keyboard(journey, prefix: str):
    page = journey.page
    for number, level in enumerate(LEVELS[KEYBOARD_COMMITMENT], start=1):
        group_name = f"answers-{number - 1}-answer"
        first = tab_until(page, lambda el, g=group_name: el["name"] == g)
        assert first["type"] == "radio" and first["cardOutline"], f"focus not visible on {first}"
        for _ in range(level - 1):
            page.keyboard.press("ArrowDown")
        chosen = focused(page)
        assert (chosen["value"], chosen["checked"]) == (str(level), True)
        # The N/A justification is hidden while a level is chosen, so the next stop is the evidence.
        page.keyboard.press("Tab")
        evidence = focused(page)
        assert (evidence["tag"], evidence["name"]) == ("textarea", f"answers-{number - 1}-evidence_summary")
        assert evidence["outline"], "focus not visible on the evidence textarea"
        page.keyboard.type(f"Typed at the keyboard for {prefix}-{number}.")
    button = tab_until(page, lambda el: el["tag"] == "button" and el["text"].startswith("Save and next"))
    assert button["outline"], "focus not visible on the Save and next button"
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_journey_1_quality_officer_fills_in_and_submits(journey, cycle, org_a, assessor_a):
    page = journey.page
    journey.login("alice")
    journey.check("landing")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Assessment").click()
    page.get_by_role("heading", level=1, name="2026 self-assessment").wait_for()
    assert not Assessment.objects.exists()  # opening a page never starts the assessment: a button does
    journey.check("not-started")
    page.get_by_role("button", name="Start the 2026 assessment").click()
    page.get_by_text("The 2026 assessment is started").wait_for()
    journey.check("overview")
    page.get_by_role("link", name="Start with Engaged").click()

    # An error state first: Not applicable without saying why is refused and nothing is saved.
    page.get_by_role("heading", level=1, name="Engaged").wait_for()
    journey.check("commitment-engaged")
    choose_level(page, "ENG-1", "na")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("alert").filter(has_text="Nothing was saved.").wait_for()
    justification = indicator_card(page, "ENG-1").get_by_label(re.compile(r"^\s*Why does this indicator"))
    assert justification.get_attribute("aria-invalid") == "true"
    assert "Say why this indicator does not apply to your organization." in described_by(page, justification)
    assert not Response.objects.exists()
    journey.check("commitment-engaged-error")

    for order, (slug, name, prefix) in enumerate(COMMITMENT_NAMES, start=1):
        page.get_by_role("heading", level=1, name=name).wait_for()
        if order > 1:
            journey.check(f"commitment-{slug}")
        if slug == KEYBOARD_COMMITMENT:
            _fill_with_keyboard(journey, prefix)
            continue
        _fill_with_mouse(journey, slug, prefix)
        page.get_by_role("button", name=re.compile(r"^Save and next")).click()

    # The review page warns about a level 4 without evidence; fix it on the commitment page.
    page.get_by_role("heading", level=1, name="Review and submit").wait_for()
    warnings = page.get_by_role("region", name="Worth a second look")
    assert "Level 4 Managed without evidence" in warnings.inner_text()
    journey.check("review-with-warning")
    warnings.get_by_role("link", name="Safe indicator 1").click()
    page.get_by_role("heading", level=1, name="Safe").wait_for()
    indicator_card(page, "SAF-1").get_by_label(re.compile(r"^\s*Evidence summary")).fill(
        "Monthly safety huddle minutes; falls per 1,000 patient-days tracked since 2024."
    )
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Safe: saved (1 answer changed).").wait_for()
    page.get_by_role("link", name="Review and submit").first.click()
    page.get_by_role("heading", level=1, name="Review and submit").wait_for()
    assert "No data-quality warnings." in page.get_by_role("region", name="Worth a second look").inner_text()

    # No executive yet: asking for attestation is refused, and the page says how to add one.
    page.get_by_role("button", name="Ask for attestation").click()
    page.get_by_text("Your organization has no executive member to attest the assessment.").first.wait_for()
    assert page.get_by_role("link", name="People page").first.get_attribute("href") == "/orgs/alpha/people/"
    assert Assessment.objects.get().status == Assessment.Status.DRAFT
    journey.check("review-error")

    executive = f.MembershipFactory(
        organization=org_a, role=Role.EXECUTIVE, user=f.UserFactory(username="erin", first_name="Erin")
    ).user
    page.get_by_role("button", name="Ask for attestation").click()
    page.get_by_text("The 2026 assessment now awaits your executive's attestation").wait_for()
    journey.check("awaiting-attestation")

    # The executive reads the summary and attests with their own account: submitted to NAM.
    leader = journey.another("executive")
    leader.login("erin")
    leader.goto("/orgs/alpha/assessments/2026/attest/")
    leader.page.get_by_role("heading", level=1, name="Attestation summary").wait_for()
    leader.check("attestation-summary")
    leader.page.get_by_role("checkbox", name=re.compile("I have read this summary")).check()
    leader.page.get_by_role("button", name="Attest and submit").click()
    leader.page.get_by_text("Attested: the 2026 assessment is submitted to NAM.").wait_for()
    leader.check("submitted")

    assessment = Assessment.objects.get(organization=org_a, cycle=cycle)
    assert assessment.status == Assessment.Status.SUBMITTED
    attestation = assessment.attestations.get()
    assert (attestation.executive, attestation.requested_by, attestation.status) == (
        executive,
        assessor_a,
        "attested",
    )
    assert assessment.submitted_at == attestation.decided_at and assessment.submitted_by == executive
    answers = {
        r.indicator.code: (r.level, r.evidence_summary)
        for r in Response.objects.filter(assessment=assessment).select_related("indicator")
    }
    assert len(answers) == 30
    assert answers["EFT-2"] == (4, "Typed at the keyboard for EFT-2.")
    assert answers["SAF-1"][0] == 4 and answers["SAF-1"][1].startswith("Monthly safety huddle")


# --- 2. NAM staff return the assessment, the organization resubmits, NAM staff validate ------------------

RETURN_COMMENT = "SAF-2 at level 3 needs its incident-review minutes; please add them or lower the level."


def _submitted(org, cycle, user) -> Assessment:
    assessment = f.answer_all(f.AssessmentFactory(organization=org, cycle=cycle), 3)
    Response.objects.filter(assessment=assessment).update(evidence_summary="Quarterly board minutes.")
    return submit_attested(assessment, user).assessment


def _decide(nam, decision: str, comment: str = ""):
    page = nam.page
    decision_form = page.get_by_role("region", name="Decision")
    decision_form.get_by_role("radio", name=decision).check()
    decision_form.get_by_label(re.compile(r"^\s*Comment to the organization")).fill(comment)
    decision_form.get_by_role("button", name="Record the decision").click()


def test_journey_2_returned_resubmitted_validated(journey, cycle, org_a, assessor_a, nam_staff):
    assessment = _submitted(org_a, cycle, assessor_a)
    nam = journey
    nam.login("nadia")
    nam.check("nam-landing")
    nam.page.get_by_role("navigation", name="Main").get_by_role("link", name="Cycles").click()
    nam.page.get_by_role("heading", level=1).wait_for()
    nam.check("nam-cycles")
    nam.page.get_by_role("link", name="2026", exact=True).click()
    nam.page.get_by_role("heading", level=1, name="Cycle 2026").wait_for()
    nam.check("nam-cycle")
    nam.page.get_by_role("link", name="Review Alpha Regional Hospital").click()
    nam.page.get_by_role("heading", level=1, name="Alpha Regional Hospital: 2026 assessment").wait_for()
    nam.check("nam-review")

    # Returning without a comment is refused, the error tied to the comment field; nothing changes.
    _decide(nam, "Return to the organization")
    nam.page.get_by_text(
        "Say what the organization should change before resubmitting.", exact=True
    ).wait_for()
    comment = nam.page.get_by_label(re.compile(r"^\s*Comment to the organization"))
    assert comment.get_attribute("aria-invalid") == "true"
    assert "Say what the organization should change before resubmitting." in described_by(nam.page, comment)
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.SUBMITTED
    nam.check("nam-review-error")

    _decide(nam, "Return to the organization", RETURN_COMMENT)
    nam.page.get_by_text("Returned to Alpha Regional Hospital with your comment").wait_for()
    nam.check("nam-cycle-returned")
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.RETURNED

    # The quality officer sees the comment, changes an answer and resubmits.
    officer = journey.another("officer")
    officer.login("alice")
    officer.page.get_by_role("navigation", name="Main").get_by_role("link", name="Assessment").click()
    returned = officer.page.get_by_role("alert").filter(has_text="NAM returned this assessment for changes")
    assert RETURN_COMMENT in returned.inner_text()
    officer.check("officer-overview-returned")
    officer.page.get_by_role("link", name="Safe", exact=True).click()
    officer.page.get_by_role("heading", level=1, name="Safe").wait_for()
    officer.check("officer-commitment")
    choose_level(officer.page, "SAF-2", 2)
    indicator_card(officer.page, "SAF-2").get_by_label(re.compile(r"^\s*Evidence summary")).fill(
        "Incident-review minutes exist for two of four quarters only."
    )
    officer.page.get_by_role("button", name="Save", exact=True).click()
    officer.page.get_by_text("Safe: saved (1 answer changed).").wait_for()
    officer.page.get_by_role("link", name="Review and submit").first.click()
    officer.page.get_by_role("heading", level=1, name="Review and submit").wait_for()
    officer.check("officer-review")
    officer.page.get_by_role("button", name="Ask for attestation").click()
    officer.page.get_by_text("The 2026 assessment now awaits your executive's attestation").wait_for()
    officer.check("officer-resubmitted")
    # The executive attests (tests/browser/test_journeys_review.py walks that page).
    attest_as_executive(assessment)
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.SUBMITTED

    # NAM staff validate it (their cycle page, opened before the resubmission, is reloaded first).
    nam.page.reload()
    nam.page.get_by_role("link", name="Review Alpha Regional Hospital").click()
    nam.page.get_by_role("heading", level=1, name="Alpha Regional Hospital: 2026 assessment").wait_for()
    assert "Incident-review minutes exist for two of four quarters only." in nam.page.inner_text("main")
    _decide(nam, "Validate")
    nam.page.get_by_text("Alpha Regional Hospital's assessment is validated").wait_for()
    nam.check("nam-validated")

    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.VALIDATED
    assert assessment.reviewed_by == nam_staff
    assert Response.objects.get(assessment=assessment, indicator__code="SAF-2").level == 2


# --- 3. An executive reads the dashboard and downloads a PDF scorecard -----------------------------------

PEERS = [
    "Charlie Health System",
    "Delta Medical Center",
    "Echo Hospital",
    "Foxtrot Clinics",
    "Golf Coast Health",
    "Hotel Valley Hospital",
]


def _seed_peers(cycle, names=PEERS, **org_fields):
    for index, name in enumerate(names):
        peer = f.OrganizationFactory(name=name, **org_fields)
        levels = [1 + (index + i) % 5 for i in range(30)]
        f.answer_all(
            f.AssessmentFactory(organization=peer, cycle=cycle), levels, status=Assessment.Status.SUBMITTED
        )


def assert_charts_have_text_alternatives(page, label: str):
    """Every chart is an image with a name that points to its data table, and the table is on the page."""
    charts = page.locator("[data-chart]")
    assert charts.count() >= 1, f"{label}: no chart"
    for chart in charts.all():
        assert chart.get_attribute("role") == "img", f"{label}: chart without role=img"
        name = chart.get_attribute("aria-label") or ""
        assert "table" in name.lower(), f"{label}: chart name {name!r} does not point to its table"
        chart.locator("svg").first.wait_for()  # plotly drew it (no CSP or script error)
    for caption in page.locator("table caption").all():
        assert caption.inner_text().strip(), f"{label}: a table without a caption"


def test_journey_3_executive_dashboard_and_scorecard(
    journey, cycle, org_a, executive_a, scorecard_worker, tmp_path
):
    f.answer_all(
        f.AssessmentFactory(organization=org_a, cycle=cycle),
        [4, 3, 2] * 10,
        status=Assessment.Status.SUBMITTED,
    )
    _seed_peers(cycle)
    release_publish(cycle=cycle, inclusion="submitted")  # peer figures come from a release
    page = journey.page
    journey.login("erin")
    page.get_by_role("heading", level=1, name="Alpha Regional Hospital").wait_for()
    assert "(6 peers)" in page.locator("caption").first.inner_text()
    assert_charts_have_text_alternatives(page, "org-dashboard")
    # No peer's name ever reaches an organization's page.
    main = page.inner_text("main")
    assert not [name for name in PEERS if name in main]
    journey.check("org-dashboard")

    page.get_by_role("link", name="PDF scorecards for your leadership").click()
    page.get_by_role("heading", level=1, name="PDF scorecards").wait_for()
    journey.check("scorecards")

    # A forged cycle id (another organization's, or none at all) is refused on the form.
    page.locator("select[name=cycle] option").first.evaluate("option => { option.value = '999999'; }")
    page.get_by_role("button", name="Prepare the scorecard").click()
    page.get_by_text("Select a valid choice").first.wait_for()
    assert page.get_by_label(re.compile(r"^\s*Cycle")).get_attribute("aria-invalid") == "true"
    journey.check("scorecards-error")

    page.get_by_role("radio", name="All participants").check()
    # Eager Celery (no broker) renders the PDF inside this request, Chromium for the charts included: on a
    # busy 2-core machine that can take longer than the default 15 s.
    page.get_by_role("button", name="Prepare the scorecard").click(timeout=120_000)
    page.get_by_role("heading", level=1, name="Scorecard 2026").wait_for()
    journey.check("scorecard-requested")
    download_link = page.get_by_role("link", name="Download the PDF")
    download_link.wait_for(timeout=90_000)  # eager: at once; with a worker: when the page's polling sees it
    assert page.locator("[data-scorecard-field=label]").inner_text() == "Ready"
    journey.check("scorecard-ready")

    with page.expect_download() as info:
        download_link.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "Alpha Regional Hospital" in text
    assert not [name for name in PEERS if name in text]
    assert_tagged_pdf(data, "Alpha Regional Hospital: LHS Shared Commitments scorecard 2026")


# --- 4. NAM staff study the field, filtered by organization type, and export it -----------------------

HEALTH_SYSTEMS = [
    "India Health System",
    "Juliet Health Partners",
    "Kilo Care Network",
    "Lima Health",
    "Mike Health Alliance",
]


def _download_csv(page, link_name: str, tmp_path) -> list[list[str]]:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_journey_4_nam_field_dashboard_filtered_export(journey, cycle, nam_staff, tmp_path):
    _seed_peers(cycle)  # six hospitals
    _seed_peers(cycle, HEALTH_SYSTEMS, org_type=OrgType.HEALTH_SYSTEM)
    release_publish(cycle=cycle, inclusion="submitted")  # the field's statistics come from a release
    page = journey.page
    journey.login("nadia")
    page.get_by_role("heading", level=1, name="Field dashboard").wait_for()
    assert_charts_have_text_alternatives(page, "nam-dashboard")
    journey.check("nam-dashboard")

    # A filter value that does not exist (a hand-edited address) is reported, not a 500.
    journey.goto("/nam/dashboard/?org_type=spaceport")
    errors = page.locator("#filters-errors")
    assert "spaceport is not one of the available choices" in errors.inner_text()
    assert errors.get_attribute("role") == "alert"
    org_type = page.get_by_label("Organization type", exact=True)
    assert (org_type.get_attribute("aria-invalid"), org_type.get_attribute("aria-describedby")) == (
        "true",
        "filters-errors",
    )
    journey.check("nam-dashboard-error")

    page.get_by_label("Organization type", exact=True).select_option(label="Health system")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"org_type=health_system"))
    organizations = page.get_by_role("table", name=re.compile(r"organizations? match"))
    assert organizations.locator("tbody th").all_inner_texts() == sorted(HEALTH_SYSTEMS)
    assert_charts_have_text_alternatives(page, "nam-dashboard-filtered")
    journey.check("nam-dashboard-filtered")

    responses = _download_csv(page, "Responses CSV", tmp_path)
    assert responses[0] == [
        "organization",
        "org_type",
        "org_type_label",
        "size_band",
        "size_band_label",
        "region",
        "region_label",
        "teaching",
        "cycle",
        "status",
        "status_label",
        "commitment",
        "commitment_name",
        "indicator",
        "indicator_title",
        "level",
        "level_label",
        "na_reason",
        "evidence_summary",
        "evidence_links",
    ]
    assert sorted({row[0] for row in responses[1:]}) == sorted(HEALTH_SYSTEMS)
    assert {(row[1], row[2]) for row in responses[1:]} == {("health_system", "Health system")}
    assert len(responses) == 1 + 30 * len(HEALTH_SYSTEMS)

    benchmarks = _download_csv(page, "Benchmarks CSV", tmp_path)
    assert benchmarks[0] == [
        "cycle",
        "release",
        "peer_group",
        "peer_group_value",
        "commitment",
        "n",
        "mean",
        "p10",
        "p25",
        "median",
        "p75",
        "p90",
        "shown_to_members",
    ]
    assert {row[1] for row in benchmarks[1:]} == {"1"}  # the release the figures come from
    by_type = [row for row in benchmarks[1:] if row[2] == "org_type"]
    assert {row[3] for row in by_type} == {"health_system"}  # the filter leaves one organization type
    overall = next(row for row in benchmarks[1:] if row[2] == "all" and row[4] == "overall")
    assert overall[5] == str(len(HEALTH_SYSTEMS))


# --- 5. An org admin invites a colleague, who joins from the e-mail ------------------------------------


def test_journey_5_invitation_accepted_in_a_new_browser(journey, org_a, admin_a):
    page = journey.page
    journey.login("adam")
    page.get_by_role("link", name="People").click()
    page.get_by_role("heading", level=1, name="People at Alpha Regional Hospital").wait_for()
    journey.check("members")

    # A wrong address is refused on the form, with the error announced and tied to its field.
    page.get_by_label("E-mail address").fill("not-an-address")
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_text("Enter a valid email address.").first.wait_for()
    email_field = page.get_by_label("E-mail address")
    assert email_field.get_attribute("aria-invalid") == "true"
    assert "Enter a valid email address." in described_by(page, email_field)
    assert mail.outbox == []
    journey.check("members-error")

    page.get_by_label("E-mail address").fill("Carol.Quinn@Example.org")
    page.get_by_role("radio", name=re.compile(r"^Executive")).check()
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_text("Invitation sent to carol.quinn@example.org.").wait_for()
    journey.check("members-invited")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["carol.quinn@example.org"]
    path = _link_in(mail.outbox[0].body)

    # The colleague opens the link in a browser of their own (no session shared with the admin).
    colleague = journey.another("colleague")
    colleague.goto(path)
    colleague.page.get_by_role("heading", level=1, name="Join Alpha Regional Hospital").wait_for()
    colleague.check("join")

    # Mismatched passwords: the form says so and nobody is created.
    colleague.page.get_by_label("First name").fill("Carol")
    colleague.page.get_by_label("Last name").fill("Quinn")
    colleague.page.get_by_label(re.compile(r"^\s*Password\W*$")).fill("a long enough passphrase 1")
    colleague.page.get_by_label("Password again").fill("something else entirely 2")
    colleague.page.get_by_role("button", name="Create my account and join").click()
    colleague.page.get_by_text("The two passwords differ.").first.wait_for()
    assert colleague.page.get_by_label("Password again").get_attribute("aria-invalid") == "true"
    assert not Membership.objects.filter(user__email="carol.quinn@example.org").exists()
    colleague.check("join-error")

    colleague.page.get_by_label(re.compile(r"^\s*Password\W*$")).fill("a long enough passphrase 1")
    colleague.page.get_by_label("Password again").fill("a long enough passphrase 1")
    colleague.page.get_by_role("button", name="Create my account and join").click()
    colleague.page.get_by_text("You are now a member of Alpha Regional Hospital").wait_for()
    nav = colleague.page.get_by_role("navigation", name="Main")
    assert "Alpha Regional Hospital · Executive" in nav.inner_text()
    assert nav.get_by_role("button", name="Carol Quinn").is_visible()  # signed in: the account menu
    colleague.check("joined")

    membership = Membership.objects.select_related("user").get(user__email="carol.quinn@example.org")
    assert (membership.organization, membership.role) == (org_a, Role.EXECUTIVE)
    assert membership.user.check_password("a long enough passphrase 1")
    assert membership.user.get_full_name() == "Carol Quinn"
