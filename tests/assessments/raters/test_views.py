"""assessments/raters/views.py and rater_views.py: the pages of both sides, through the whole stack."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import Assessment, Response
from assessments.raters import services
from assessments.raters.models import ConsensusDecision, Rater, Rating, RatingRound
from lhs_portal.celery import app as celery_app
from tests import factories as f

from .conftest import invite, rate

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _open_link(client, rater):
    return client.get(reverse("raters:link", args=[services.rater_token(rater)]), follow=True)


def test_a_rater_sees_only_the_round_and_their_own_ratings(client, engaged_round, groups):
    rita = invite(engaged_round, "rita@example.org", groups["Leadership"])
    sam = invite(engaged_round, "sam@example.org", groups["Leadership"])
    rate(sam, {"ENG-1": 1, "ENG-2": 1})
    rate(rita, {"ENG-2": "dk"})
    page = _open_link(client, rita)
    html = page.content.decode()
    assert page.redirect_chain == [("/rate/", 302)]
    assert [c.name for c, _ in page.context["sections"]] == ["Engaged"]
    assert [(i.code, mine) for i, mine in page.context["sections"][0][1]] == [
        ("ENG-1", ""),
        ("ENG-2", "dk"),
        ("ENG-3", ""),
    ]
    assert "SAF-1" not in html and "ENG-1 at level 5." in html and "Evidence for ENG-3." in html
    assert "1 of 3</strong> indicators rated" in html
    eng = {i.code: i.pk for i, _ in page.context["sections"][0][1]}
    saved = client.post(
        "/rate/", {f"rating-{eng['ENG-1']}": "4", f"rating-{eng['ENG-3']}": "dk"}, follow=True
    )
    assert _messages(saved) == ["Saved (2 ratings changed)."]
    assert sorted(Rating.objects.filter(rater=rita).values_list("indicator__code", "level", "dont_know")) == [
        ("ENG-1", 4, False),
        ("ENG-2", None, True),
        ("ENG-3", None, True),
    ]
    # Sam's ratings never reached Rita's page.
    assert list(Rating.objects.filter(rater=sam).values_list("level", flat=True)) == [1, 1]


def test_a_link_opened_by_another_signed_in_person_is_refused(client, engaged_round, groups, assessor_a):
    rita = invite(engaged_round, "rita@example.org", groups["Leadership"])
    client.force_login(assessor_a)
    refused = client.get(reverse("raters:link", args=[services.rater_token(rita)]))
    assert refused.status_code == 403
    assert "This rating link was sent to someone else" in refused.content.decode()
    assert "rater" not in client.session
    assert client.get("/rate/").status_code == 403


def test_a_signed_in_member_who_is_the_rater_may_rate(client, engaged_round, groups, assessor_a):
    rater = invite(engaged_round, assessor_a.email, groups["Leadership"])
    client.force_login(assessor_a)
    page = _open_link(client, rater)
    assert (page.status_code, page.context["rater"]) == (200, rater)
    # Still a member: their own pages stay open.
    assert client.get(reverse("assessments:overview", args=["alpha", "2026"])).status_code == 200


def test_a_bad_link_says_why(client, engaged_round):
    page = client.get(reverse("raters:link", args=["1:abc:def"]))
    assert page.status_code == 403
    assert "This rating link is not valid" in page.content.decode()


def test_ratings_after_close_are_refused_with_a_message(client, engaged_round, groups, indicator):
    rita = invite(engaged_round, "rita@example.org", groups["Leadership"])
    rate(rita, {"ENG-1": 2})
    _open_link(client, rita)
    services.round_close(rating_round=engaged_round, user=None)
    page = client.post("/rate/", {f"rating-{indicator['ENG-1'].pk}": "5"}, follow=True)
    assert _messages(page) == [
        "This rating round is closed: your ratings can no longer change. Thank you for taking part."
    ]
    assert list(Rating.objects.values_list("level", flat=True)) == [2]
    assert "This round is closed" in page.content.decode()


def test_removing_a_rater_ends_their_session(client, engaged_round, groups):
    rita = invite(engaged_round, "rita@example.org", groups["Leadership"])
    _open_link(client, rita)
    Rater.objects.filter(pk=rita.pk).update(nonce="0" * 32)
    assert client.get("/rate/").status_code == 403
    # No rater session left: other pages treat the browser as anyone signed out.
    assert client.get("/orgs/alpha/").status_code == 302


def test_leaving_ends_the_rater_session(client, engaged_round, groups):
    rita = invite(engaged_round, "rita@example.org", groups["Leadership"])
    _open_link(client, rita)
    page = client.post("/rate/leave/", follow=True)
    assert page.redirect_chain == [("/accounts/login/", 302)]
    assert "You have left the rating page." in page.content.decode()
    assert "rater" not in client.session


def test_assessor_opens_a_round_invites_and_follows_progress(client, draft_a, assessor_a, closes_on, groups):
    client.force_login(assessor_a)
    engaged = draft_a.cycle.rubric.commitments.get(slug="engaged")
    opened = client.post(
        "/orgs/alpha/assessments/2026/rating-rounds/",
        {"closes_on": closes_on.isoformat(), "commitments": [engaged.pk]},
        follow=True,
    )
    rating_round = RatingRound.objects.get()
    assert opened.redirect_chain == [(f"/orgs/alpha/rating-rounds/{rating_round.pk}/", 302)]
    assert list(rating_round.commitments.values_list("slug", flat=True)) == ["engaged"]
    url = f"/orgs/alpha/rating-rounds/{rating_round.pk}/raters/"
    for email in ("a@example.org", "b@example.org"):
        client.post(url, {"email": email, "group": groups["Clinical staff"].pk})
    twice = client.post(url, {"email": "a@example.org", "group": groups["Leadership"].pk}, follow=True)
    assert _messages(twice)[-1:] == [
        "a@example.org is already a rater of this round in the group Clinical staff: a rater belongs to one "
        "group only, so that nobody counts twice."
    ]
    rate(Rater.objects.get(email="a@example.org"), {"ENG-1": 3, "ENG-2": 3, "ENG-3": "dk"})
    page = client.get(f"/orgs/alpha/rating-rounds/{rating_round.pk}/")
    assert "<strong>1 of 2</strong> raters have rated every indicator." in page.content.decode()
    assert [(p.rater.email, p.rated) for p in page.context["progress"]] == [
        ("a@example.org", 3),
        ("b@example.org", 0),
    ]
    # While open, no ratings: the consensus page sends the assessor back.
    early = client.get(f"/orgs/alpha/rating-rounds/{rating_round.pk}/consensus/", follow=True)
    assert _messages(early)[-1] == (
        "The raters' views are shown when the round closes, so that they stay independent."
    )


def test_remind_button_emails_raters_not_finished(
    client, engaged_round, groups, assessor_a, monkeypatch, django_capture_on_commit_callbacks
):
    invite(engaged_round, "a@example.org", groups["Leadership"])
    rate(invite(engaged_round, "b@example.org", groups["Leadership"]), {"ENG-1": 1, "ENG-2": 1, "ENG-3": 1})
    client.force_login(assessor_a)
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(f"/orgs/alpha/rating-rounds/{engaged_round.pk}/remind/", follow=True)
    assert _messages(page) == ["Reminders are on their way to the raters who have not finished."]
    assert [m.to for m in mail.outbox] == [["a@example.org"]]
    assert "/rate/link/" in mail.outbox[0].body


def test_close_early_then_reopen(client, engaged_round, assessor_a, closes_on):
    client.force_login(assessor_a)
    url = f"/orgs/alpha/rating-rounds/{engaged_round.pk}/"
    closed = client.post(url + "close/", follow=True)
    assert closed.redirect_chain == [(url + "consensus/", 302)]
    assert RatingRound.objects.get().status == "closed"
    past = client.post(url + "reopen/", {"closes_on": "2020-01-01"}, follow=True)
    assert _messages(past) == ["The closing date has passed: give today or a later day."]
    assert RatingRound.objects.get().status == "closed"
    client.post(url + "reopen/", {"closes_on": closes_on.isoformat()})
    assert RatingRound.objects.get().is_open


def test_no_round_on_a_submitted_assessment(client, draft_a, assessor_a, closes_on):
    Assessment.objects.filter(pk=draft_a.pk).update(status=Assessment.Status.SUBMITTED)
    client.force_login(assessor_a)
    page = client.post("/orgs/alpha/assessments/2026/rating-rounds/", {"closes_on": closes_on.isoformat()})
    assert page.status_code == 200
    assert page.context["form"].non_field_errors() == [
        "The 2026 assessment is submitted: its answers cannot change, so a rating round cannot be opened or "
        "decided on it."
    ]
    assert RatingRound.objects.count() == 0


def _consensus_queries(client, rating_round) -> tuple[int, str]:
    url = f"/orgs/alpha/rating-rounds/{rating_round.pk}/consensus/"
    client.get(url)  # the rubric outline into the cache, the session settled
    with CaptureQueriesContext(connection) as captured:
        page = client.get(url)
    assert page.status_code == 200
    return len(captured.captured_queries), page.content.decode()


@pytest.mark.parametrize("raters", [6, 40])
def test_consensus_page_queries_do_not_grow_with_raters(client, engaged_round, groups, assessor_a, raters):
    for n in range(raters):
        group = groups["Leadership"] if n % 2 else groups["Clinical staff"]
        rate(invite(engaged_round, f"r{n}@example.org", group), {"ENG-1": 1 + n % 5, "ENG-2": "dk"})
    services.round_close(rating_round=engaged_round, user=None)
    client.force_login(assessor_a)
    queries, html = _consensus_queries(client, engaged_round)
    # Session, user, membership, round, its commitments, groups, respondents, ratings, answers, decisions.
    assert queries == 10
    assert "Q1&ndash;Q3" in html


def test_consensus_sets_the_official_answer(client, engaged_round, groups, assessor_a, indicator, draft_a):
    for n in range(3):
        rate(invite(engaged_round, f"r{n}@example.org", groups["Leadership"]), {"ENG-1": 2 + n})
    services.round_close(rating_round=engaged_round, user=None)
    client.force_login(assessor_a)
    url = f"/orgs/alpha/rating-rounds/{engaged_round.pk}/consensus/"
    page = client.get(url)
    eng1 = next(row for row in page.context["consensus"].indicators if row.indicator.code == "ENG-1")
    assert [(g.group.name, g.level_counts, str(g.spread.median)) for g in eng1.groups] == [
        ("Leadership", [0, 1, 1, 1, 0], "3")
    ]
    no_note = client.post(
        url, {"indicator": indicator["ENG-1"].pk, "version": 0, "level": 3, "note": ""}, follow=True
    )
    assert _messages(no_note) == ["Choose a level and write a consensus note."]
    assert Response.objects.count() == 0
    done = client.post(
        url,
        {"indicator": indicator["ENG-1"].pk, "version": 0, "level": 3, "note": "The median."},
        follow=True,
    )
    assert _messages(done) == ["Official answer saved with its consensus note."]
    assert list(Response.objects.values_list("indicator__code", "level", "updated_by")) == [
        ("ENG-1", 3, assessor_a.pk)
    ]
    assert list(ConsensusDecision.objects.values_list("level", "note")) == [(3, "The median.")]
    assert "The median." in done.content.decode()


def test_groups_page_adds_and_renames(client, assessor_a, groups):
    client.force_login(assessor_a)
    client.post("/orgs/alpha/rater-groups/", {"name": "Data staff"})
    client.post("/orgs/alpha/rater-groups/", {"name": "Executives", "group": groups["Leadership"].pk})
    taken = client.post("/orgs/alpha/rater-groups/", {"name": "other"}, follow=True)
    assert _messages(taken)[-1:] == ["There is already a group called other."]
    page = client.get("/orgs/alpha/rater-groups/")
    assert [g.name for g in page.context["groups"]] == [
        "Executives",
        "Clinical staff",
        "Patient and family partners",
        "Other",
        "Data staff",
    ]


def test_other_organizations_rounds_are_not_found(client, engaged_round, assessor_b):
    f.AssessmentFactory(
        organization=assessor_b.memberships.get().organization, cycle=engaged_round.assessment.cycle
    )
    client.force_login(assessor_b)
    assert client.get(f"/orgs/bravo/rating-rounds/{engaged_round.pk}/").status_code == 404


def test_the_overview_links_to_rating_rounds_for_those_who_edit(client, draft_a, assessor_a, executive_a):
    link = 'href="/orgs/alpha/assessments/2026/rating-rounds/">Rating rounds</a>'
    client.force_login(assessor_a)
    assert link in client.get("/orgs/alpha/assessments/2026/").content.decode()
    client.force_login(executive_a)
    assert link not in client.get("/orgs/alpha/assessments/2026/").content.decode()
