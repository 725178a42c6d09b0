"""Issue 17's dead ends, in a real Chromium: each role's journey without a lost answer or a bare error page.

The five long journeys live in test_journeys.py; these are the shorter ones that once went wrong.
"""

import re

import pytest

from assessments.models import Response
from tests import factories as f
from tests.browser.test_journeys import choose_level, indicator_card

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
