"""Accessibility promises the journeys do not show on their own: the skip link works from the keyboard, every
keyboard stop shows where the focus is, and colour is never the only carrier of meaning."""

import re

import pytest

from assessments.models import Assessment
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUS_STYLE = """() => {
    const el = document.activeElement;
    const shown = (node) => {
        if (!node) return false;
        const style = getComputedStyle(node);
        const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
        return outlined || style.boxShadow !== 'none';
    };
    const rect = el.getBoundingClientRect();
    return {
        label: (el.getAttribute('aria-label') || el.innerText || el.name || el.tagName).trim().slice(0, 60),
        tag: el.tagName.toLowerCase(),
        visible: shown(el) || shown(el.closest('.level-card')),
        onScreen: rect.width > 1 && rect.height > 1,
    };
}"""


# What sticks out of the viewport (a wide table inside its own scroll box does not count).
TOO_WIDE = """() => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-responsive'))
    .slice(0, 5).map(e => `${e.tagName}.${e.className}: ${(e.innerText || '').slice(0, 40)}`)"""


def assert_focus_always_visible(journey, label: str, *, stops: int = 40):
    """Tab through the page from the top: each stop draws a focus indicator (outline or ring) on screen."""
    page = journey.page
    page.locator("body").evaluate("body => body.focus()")
    hidden = []
    for _ in range(stops):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_STYLE)
        if focus["tag"] == "body":
            break
        if not (focus["visible"] and focus["onScreen"]):
            hidden.append(focus)
    assert hidden == [], f"{label}: focus not visible on {hidden}"


def test_skip_link_moves_the_keyboard_to_the_main_content(journey, org_a, assessor_a):
    journey.login("alice")
    page = journey.page
    page.locator("body").evaluate("body => body.focus()")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("el => el === document.activeElement")
    box = skip.bounding_box()
    assert box is not None and box["width"] > 20 and box["y"] >= 0  # shown on screen while focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('main')")  # the next stop is in the content


def test_focus_is_visible_on_every_stop(journey, cycle, org_a, admin_a, assessor_a):
    journey.login("adam")
    journey.goto("/orgs/alpha/people/")
    assert_focus_always_visible(journey, "members", stops=60)
    f.AssessmentFactory(organization=org_a, cycle=cycle)  # opening a page never starts it
    journey.goto("/orgs/alpha/assessments/2026/commitments/engaged/")
    assert_focus_always_visible(journey, "commitment", stops=60)


def test_colour_is_not_the_only_carrier_of_meaning(journey, cycle, org_a, assessor_a, nam_staff):
    assessment = f.answer_all(f.AssessmentFactory(organization=org_a, cycle=cycle), [4, 3, 2] * 10)
    assessment.responses.filter(indicator__code="ENG-1").update(evidence_summary="")
    page = journey.page
    journey.login("alice")
    journey.goto("/orgs/alpha/assessments/2026/")
    # Badges and progress say their meaning in words, not only in colour.
    badges = page.locator("main .badge")
    assert badges.count() >= 1
    assert all(text.strip() for text in badges.all_inner_texts())
    assert page.locator("main .badge").first.inner_text().strip() == "Draft"
    complete = page.get_by_role("row", name=re.compile(r"Engaged")).inner_text()
    assert "3 of 3" in complete
    # The chosen level is a checked radio with its number and name, not just a coloured card.
    journey.goto("/orgs/alpha/assessments/2026/commitments/engaged/")
    group = page.get_by_role("group", name="Maturity level for ENG-1")
    assert group.get_by_role("radio", checked=True).count() == 1
    assert group.get_by_role("radio", name=re.compile(r"^\s*4 Managed")).is_checked()
    # Warnings on the review page are written out.
    journey.goto("/orgs/alpha/assessments/2026/review/")
    assert (
        "Level 4 Managed without evidence"
        in page.get_by_role("region", name="Worth a second look").inner_text()
    )
    journey.check("review-warnings")

    # NAM staff see statuses in words in the cycle table.
    Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.SUBMITTED)
    nam = journey.another("nam")
    nam.login("nadia")
    nam.goto("/nam/cycles/2026/")
    status_cell = (
        nam.page.get_by_role("row", name=re.compile("Alpha Regional Hospital")).get_by_role("cell").first
    )
    assert status_cell.inner_text().strip().startswith("Submitted")


def test_pages_reflow_on_a_phone_without_sideways_scrolling(journey, cycle, org_a, admin_a, nam_staff):
    """WCAG 1.4.10: at 320 CSS pixels wide only a wide table (in its own scroll box) scrolls sideways."""
    f.answer_all(f.AssessmentFactory(organization=org_a, cycle=cycle), 3, status=Assessment.Status.SUBMITTED)
    journey.page.set_viewport_size({"width": 320, "height": 720})
    journey.login("adam")
    wide = []
    for path in [
        "/orgs/alpha/dashboard/",
        "/orgs/alpha/assessments/2026/",
        "/orgs/alpha/assessments/2026/commitments/engaged/",
        "/orgs/alpha/assessments/2026/review/",
        "/orgs/alpha/people/",
        "/orgs/alpha/scorecards/",
        "/orgs/alpha/plan/",
    ]:
        journey.goto(path)
        overflow = journey.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            wide.append((path, overflow, journey.page.evaluate(TOO_WIDE)))
    assert wide == []
