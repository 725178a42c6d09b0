"""Issue 24 in a real Chromium: an assessor opens a rating round, three raters rate from their e-mailed links
(no account), the assessor closes the round early and sets the official answer from the consensus page."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from assessments.models import Response, ResponseChange
from assessments.raters.models import ConsensusDecision, Rating
from commitments.models import Indicator
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RATINGS = {  # rater -> indicator -> level or "dk"
    "lee@example.org": {"ENG-1": 2, "ENG-2": 3, "ENG-3": 4},
    "kim@example.org": {"ENG-1": 4, "ENG-2": 3, "ENG-3": 4},
    "pat@example.org": {"ENG-1": 5, "ENG-2": "dk", "ENG-3": 4},
}


def _link(email: str) -> str:
    body = next(m.body for m in mail.outbox if m.to == [email])
    return re.search(r"https?://\S+(/rate/link/\S+/)", body).group(1)


def test_three_raters_a_close_and_a_consensus(journey, cycle, org_a, assessor_a):
    draft = f.AssessmentFactory(organization=org_a, cycle=cycle)
    codes = {i.code: i.pk for i in Indicator.objects.filter(commitment__rubric=cycle.rubric)}
    page = journey.page
    journey.login("alice")
    journey.goto("/orgs/alpha/assessments/2026/rating-rounds/")
    page.get_by_label("Closing date").fill((timezone.localdate() + datetime.timedelta(days=14)).isoformat())
    page.get_by_label("Engaged", exact=True).check()
    journey.check("open-a-round")
    page.get_by_role("button", name="Open the round").click()
    page.get_by_text("Rating round opened: now invite the raters.").wait_for()
    for email in RATINGS:
        page.get_by_label("E-mail address").fill(email)
        page.get_by_label("Rater group").select_option(label="Leadership")
        page.get_by_role("button", name="Invite").click()
        page.get_by_text(f"{email} invited to rate (Leadership).").wait_for()
    assert page.inner_text("#round-progress") == "0 of 3 raters have rated every indicator."
    journey.check("round-invited")
    round_url = page.url

    for n, (email, ratings) in enumerate(RATINGS.items()):
        rater = journey.another(f"rater{n}")
        rater.goto(_link(email))
        rater.page.get_by_role("heading", level=1, name="Your view of Alpha Regional Hospital").wait_for()
        body = rater.page.inner_text("main")
        assert "ENG-1" in body and "SAF-1" not in body
        for code, value in ratings.items():
            rater.page.locator(f"#r-{codes[code]}-{value}").check()
        if n == 0:
            rater.check("rating-page")
        rater.page.get_by_role("button", name="Save my ratings").click()
        rater.page.get_by_text("Saved (3 ratings changed).").wait_for()
        assert rater.page.inner_text("#rater-progress") == "3 of 3 indicators rated."
        if n == 0:
            # Any other page sends the rater back, with a message.
            rater.goto("/orgs/alpha/")
            assert rater.page.url == rater.base_url + "/rate/"
            rater.page.get_by_text(
                "You are here as a rater: only your rating page is open to you."
            ).wait_for()
    assert Rating.objects.count() == 9
    assert Response.objects.filter(assessment=draft).count() == 0  # ratings never answer for the organization

    page.goto(round_url)
    assert page.inner_text("#round-progress") == "3 of 3 raters have rated every indicator."
    page.get_by_role("button", name="Close the round now").click()
    page.get_by_role("heading", level=1, name="Compare the views and decide").wait_for()
    sections = page.locator("section[id^=consensus-]")
    assert [sections.nth(i).get_attribute("id") for i in range(3)] == [
        "consensus-ENG-1",  # 2 4 5: the widest spread
        "consensus-ENG-2",
        "consensus-ENG-3",
    ]
    eng1 = page.locator("#consensus-ENG-1")
    row = eng1.get_by_role("row", name=re.compile("Leadership"))
    assert row.inner_text().split() == ["Leadership", "(3)", "0", "1", "0", "1", "1", "0", "4", "3\u20134.5"]
    journey.check("consensus")
    eng1.get_by_label("Official answer").select_option(label="Level 4")
    eng1.get_by_label("Consensus note").fill("Two of three leaders see defined practice; the board agreed.")
    eng1.get_by_role("button", name="Set ENG-1").click()
    page.get_by_text("Official answer saved with its consensus note.").wait_for()
    response = Response.objects.get(assessment=draft, indicator_id=codes["ENG-1"])
    assert (response.level, response.updated_by_id) == (4, assessor_a.pk)
    assert ResponseChange.objects.get(response=response).new_values == {"level": 4}
    assert list(ConsensusDecision.objects.values_list("level", "note")) == [
        (4, "Two of three leaders see defined practice; the board agreed.")
    ]

    # After the close, a rater's page is read-only and says so.
    late = journey.others[0]
    late.goto("/rate/")
    late.page.get_by_text("This round is closed: your ratings are kept as they are.").wait_for()
    assert late.page.get_by_role("button", name="Save my ratings").count() == 0
