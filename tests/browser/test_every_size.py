"""Accessible at every size and zoom (issue 26), and nothing typed lost at the idle timeout (issue 17 item 1).

Every `journey.check` runs axe at 1366 x 900, 390 x 844 and 200 % zoom and checks reflow at 320 px
(tests/browser/conftest.py); here the pages are visited in the states people meet them in, the error
summaries, the idle-timeout warning with kept input, and keyboard-only journeys at 1366 and 390 px.
"""

import re

import pytest

from assessments.models import Assessment, Membership, Response, Role
from assessments.services.workflow import assessment_return
from tests import factories as f
from tests.assessments.review.helpers import submit_attested
from tests.browser.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_NAME = "Saint Bartholomew and Greater Northern Valley Regional Health System and Academic Medical Center"
COMMITMENT = "/orgs/alpha/assessments/2026/commitments/engaged/"

# Where the focus is, whether it is drawn, and whether the sticky save bar covers any of it.
FOCUS = """() => {
    const el = document.activeElement;
    const drawn = (node) => {
        if (!node) return false;
        const style = getComputedStyle(node);
        const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
        return outlined || style.boxShadow !== 'none';
    };
    const box = el.getBoundingClientRect();
    const bar = document.querySelector('.save-bar');
    let covered = 0;
    if (bar && !bar.contains(el) && getComputedStyle(bar).position === 'sticky') {
        const b = bar.getBoundingClientRect();
        covered = Math.max(0, Math.min(box.bottom, b.bottom) - Math.max(box.top, b.top));
    }
    return {
        tag: el.tagName.toLowerCase(), type: el.type || '', name: el.name || '', value: el.value || '',
        checked: !!el.checked,
        text: (el.innerText || el.getAttribute('aria-label') || '').trim().slice(0, 60),
        drawn: drawn(el) || drawn(el.closest('.level-card')),
        onScreen: box.bottom > 0 && box.top < window.innerHeight && box.width > 0,
        covered,
    };
}"""


NEXT_FRAME = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def _submitted(org, cycle, user) -> Assessment:
    assessment = f.answer_all(f.AssessmentFactory(organization=org, cycle=cycle), 3)
    Response.objects.filter(assessment=assessment).update(evidence_summary="Quarterly board minutes.")
    return submit_attested(assessment, user).assessment


def check_pages(journey, pages):
    """Every page checked before the test fails, so one run lists every problem."""
    problems = []
    for label, path in pages:
        journey.goto(path)
        try:
            journey.check(label)
        except AssertionError as error:
            problems.append(str(error))
        journey.console_errors.clear()
    assert problems == [], "\n\n".join(problems)


# --- pages in the states people meet them in -------------------------------------------------------------


def test_organization_pages_with_a_long_name_long_addresses_a_returned_assessment_and_an_empty_plan(
    journey, cycle, org_a, admin_a, assessor_a, nam_staff
):
    org_a.name = LONG_NAME
    org_a.save()
    for local in (
        "quality.improvement.and.patient.safety.office",
        "chief.medical.information.officer.deputy",
    ):
        f.MembershipFactory(
            organization=org_a,
            role=Role.EXECUTIVE,
            user=f.UserFactory(
                username=local[:30], email=f"{local}@saint-bartholomew-northern-valley.example.org"
            ),
        )
    assessment = _submitted(org_a, cycle, assessor_a)
    assessment_return(
        assessment=assessment, user=nam_staff, comment="SAF-2 needs its incident-review minutes. " * 4
    )
    journey.login("adam")
    check_pages(
        journey,
        [
            ("dashboard-returned", "/orgs/alpha/dashboard/"),
            ("overview-returned", "/orgs/alpha/assessments/2026/"),
            ("commitment-returned", COMMITMENT),
            ("review-returned", "/orgs/alpha/assessments/2026/review/"),
            ("history", "/orgs/alpha/assessments/2026/history/"),
            ("people-long-addresses", "/orgs/alpha/people/"),
            ("plan-empty", "/orgs/alpha/plan/"),
            ("plan-builder", "/orgs/alpha/plan/build/"),
            ("scorecards", "/orgs/alpha/scorecards/"),
        ],
    )


def test_nam_pages_with_a_queue_and_a_draft_in_progress(journey, cycle, org_a, org_b, assessor_a, nam_staff):
    org_b.name = LONG_NAME
    org_b.save()
    submitted = _submitted(org_a, cycle, assessor_a)
    f.answer_all(f.AssessmentFactory(organization=org_b, cycle=cycle), [3, 2] + [None] * 28)
    journey.login("nadia")
    check_pages(
        journey,
        [
            ("field-dashboard", "/nam/dashboard/"),
            ("cycles", "/nam/cycles/"),
            ("cycle-queue", "/nam/cycles/2026/"),
            ("review", f"/nam/assessments/{submitted.pk}/"),
            ("organizations", "/nam/organizations/"),
            ("scorecard-batches", "/nam/scorecards/"),
            ("plans", "/nam/plans/"),
        ],
    )


# --- error summaries: name and link each field, take the focus, "Error:" in the title ---------------------


def assert_error_summary(journey, label: str, link_name, field_label) -> None:
    page = journey.page
    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert summary.evaluate("el => el === document.activeElement"), f"{label}: the summary has not the focus"
    assert page.title().startswith("Error: "), f"{label}: title {page.title()!r}"
    journey.check(label)
    summary.get_by_role("link", name=link_name).click()
    field = page.get_by_label(field_label).first
    assert field.evaluate("el => el === document.activeElement"), f"{label}: the link did not focus the field"


def test_every_form_with_errors_has_a_summary(journey, cycle, org_a, admin_a):
    page = journey.page
    journey.goto("/accounts/password_reset/")
    page.get_by_label("Email").fill("not an address")
    page.get_by_role("button", name="Send the link").click()
    assert_error_summary(journey, "password-reset-error", re.compile("^Email: Enter a valid email"), "Email")

    journey.login("adam")
    journey.goto("/orgs/alpha/people/")
    page.get_by_label(re.compile(r"^\s*E-?mail")).first.fill("nobody@")
    page.get_by_role("button", name="Send invitation").click()
    assert_error_summary(journey, "invite-error", re.compile(r"^E-?mail"), re.compile(r"^\s*E-?mail"))

    journey.goto("/orgs/alpha/plan/actions/new/?cycle=2026")
    page.get_by_role("button", name="Add to the plan").click()
    assert_error_summary(journey, "plan-action-error", re.compile("^Title"), re.compile(r"^\s*Title"))

    f.AssessmentFactory(organization=org_a, cycle=cycle)
    journey.goto(COMMITMENT)
    page.get_by_role("group", name="Maturity level for ENG-1").get_by_role(
        "radio", name="Not applicable"
    ).check()
    page.get_by_role("button", name="Save", exact=True).click()
    assert_error_summary(
        journey,
        "commitment-na-error",
        "ENG-1 Why does this indicator not apply? — Say why this indicator does not apply to your"
        " organization.",
        re.compile(r"^\s*Why does this indicator not apply"),
    )
    assert not Response.objects.exists()


# --- the idle timeout: warned, extended, and nothing typed lost -------------------------------------------


def drafts(page) -> list[str]:
    return page.evaluate("Object.keys(sessionStorage).filter(k => k.startsWith('lhs-draft:'))")


def test_idle_timeout_warns_offers_to_stay_and_keeps_what_was_typed(
    journey, cycle, org_a, assessor_a, settings
):
    settings.SESSION_IDLE_TIMEOUT = 12  # warned about 7 s before, as a real session is 2 minutes before
    f.AssessmentFactory(organization=org_a, cycle=cycle)
    page = journey.page
    journey.login("alice")
    journey.goto(COMMITMENT)
    page.get_by_role("group", name="Maturity level for ENG-1").get_by_role(
        "radio", name=re.compile(r"^\s*3 ")
    ).check()
    evidence = page.locator("#indicator-ENG-1").get_by_label(re.compile(r"^\s*Evidence summary"))
    evidence.fill("Falls per 1,000 patient-days, reviewed monthly by the board.")

    # The warning is an alert dialog with the focus on its button; the keyboard keeps the session.
    dialog = page.get_by_role("alertdialog", name="You will be signed out soon")
    dialog.wait_for(timeout=20_000)
    assert "You will be signed out in" in dialog.inner_text()
    stay = dialog.get_by_role("button", name="Stay signed in")
    assert stay.evaluate("el => el === document.activeElement")
    # axe at this one size only: the whole check would outlast the warning.
    assert journey.axe_problems("idle-warning") == []
    page.keyboard.press("Enter")
    dialog.wait_for(state="hidden")

    # Left alone, the session ends: the dialog says so, and "Sign in again" comes back to this page.
    ended = page.get_by_role("alertdialog", name="You have been signed out")
    ended.wait_for(timeout=30_000)
    assert ended.get_by_role("button", name="Sign in again").evaluate("el => el === document.activeElement")
    assert len(drafts(page)) == 1
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Sign in").wait_for()
    assert "You were signed out after a period of inactivity." in page.content()
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # Back on the page, the input is there and the page says it is not saved yet.
    page.get_by_role("heading", level=1, name="Engaged").wait_for()
    assert page.url.endswith(COMMITMENT)
    notice = page.get_by_role("alert").filter(has_text="It is not saved yet")
    notice.wait_for()
    assert notice.evaluate("el => el === document.activeElement")
    group = page.get_by_role("group", name="Maturity level for ENG-1")
    assert group.get_by_role("radio", name=re.compile(r"^\s*3 ")).is_checked()
    assert evidence.input_value() == "Falls per 1,000 patient-days, reviewed monthly by the board."
    assert not Response.objects.exists()
    journey.check("input-restored")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("saved (1 answer changed)").wait_for()
    response = Response.objects.get()
    assert (response.level, response.evidence_summary) == (
        3,
        "Falls per 1,000 patient-days, reviewed monthly by the board.",
    )
    assert drafts(page) == []
    assert page.get_by_text("It is not saved yet").count() == 0

    # Signing out leaves nothing typed behind in the tab.
    evidence.fill("Typed, then signed out.")
    assert len(drafts(page)) == 1
    page.once("dialog", lambda dialog: dialog.accept())  # "leave with unsaved changes?"
    page.locator("button.account-toggle").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert drafts(page) == []


# --- keyboard only, at a desktop width and on a phone -----------------------------------------------------


def tab_to(page, predicate, label: str, *, limit: int = 90) -> dict:
    """Press Tab until the focus matches; at every stop the focus is drawn, on screen, not under the bar."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        page.evaluate(NEXT_FRAME)  # what is on the screen once the page has scrolled to the focus
        focus = page.evaluate(FOCUS)
        assert focus["drawn"] and focus["onScreen"], f"{label}: focus not visible on {focus}"
        assert focus["covered"] == 0, f"{label}: {focus['covered']}px of {focus} under the save bar"
        if predicate(focus):
            return focus
    raise AssertionError(f"{label}: Tab never reached the element")


@pytest.mark.parametrize(
    "size", [{"width": 1366, "height": 900}, {"width": 390, "height": 844}], ids=["1366", "390"]
)
def test_keyboard_only_commitment_page_and_review_decision(
    journey, cycle, org_a, org_b, assessor_a, nam_staff, size
):
    page = journey.page
    page.set_viewport_size(size)
    f.AssessmentFactory(organization=org_a, cycle=cycle)
    journey.login("alice")
    journey.goto(COMMITMENT)
    page.locator("body").evaluate("body => body.focus()")
    for number, level in enumerate([2, 4, 3]):
        first = tab_to(page, lambda el, n=number: el["name"] == f"answers-{n}-answer", f"ENG-{number + 1}")
        assert first["type"] == "radio"
        for _ in range(level - 1):
            page.keyboard.press("ArrowDown")
        page.evaluate(NEXT_FRAME)
        chosen = page.evaluate(FOCUS)
        assert (chosen["value"], chosen["checked"], chosen["covered"]) == (str(level), True, 0)
        tab_to(page, lambda el, n=number: el["name"] == f"answers-{n}-evidence_summary", "evidence")
        page.keyboard.type(f"Typed at the keyboard for ENG-{number + 1}.")
        tab_to(page, lambda el, n=number: el["name"] == f"answers-{n}-evidence_links", "links")
    tab_to(page, lambda el: el["tag"] == "button" and el["text"] == "Save", "save")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    saved = {
        r.indicator.code: (r.level, r.evidence_summary) for r in Response.objects.select_related("indicator")
    }
    assert saved == {
        f"ENG-{n}": (level, f"Typed at the keyboard for ENG-{n}.") for n, level in [(1, 2), (2, 4), (3, 3)]
    }
    # After the form come the commitment list and the review link, in the order they are seen.
    tab_to(page, lambda el: el["text"].startswith("2. "), "commitment list")

    assessment = _submitted(org_b, cycle, f.MembershipFactory(organization=org_b).user)
    nam = journey.another("nam")
    nam.page.set_viewport_size(size)
    nam.login("nadia")
    nam.goto(f"/nam/assessments/{assessment.pk}/")
    nam.page.locator("body").evaluate("body => body.focus()")
    first = tab_to(nam.page, lambda el: el["type"] == "radio", "decision")
    if first["value"] == "validate":
        nam.page.keyboard.press("Space")
    while nam.page.evaluate(FOCUS)["value"] != "validate":
        nam.page.keyboard.press("ArrowDown")
    assert nam.page.evaluate(FOCUS)["checked"]
    tab_to(nam.page, lambda el: el["tag"] == "textarea", "comment")
    nam.page.keyboard.type("Clear evidence throughout.")
    tab_to(nam.page, lambda el: "Record the decision" in (el["text"], el["value"]), "record")
    with nam.page.expect_navigation():
        nam.page.keyboard.press("Enter")
    assessment.refresh_from_db()
    assert (assessment.status, assessment.reviewer_comment) == (
        Assessment.Status.VALIDATED,
        "Clear evidence throughout.",
    )
    assert Membership.objects.filter(organization=org_b).count() == 2  # its assessor and the executive
