"""assessments/raters/services.py and selectors.py: rounds, raters, ratings, exact distributions."""

import datetime
import time
from decimal import Decimal

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessments.models import Assessment, Response, ResponseChange
from assessments.raters import selectors, services
from assessments.raters.models import ConsensusDecision, Rater, Rating, RatingRound
from tests import factories as f

from .conftest import invite, rate

pytestmark = pytest.mark.django_db

D = Decimal


def _state():
    return (
        list(RatingRound.objects.values_list("pk", "status", "closes_on")),
        list(Rater.objects.values_list("pk", "email", "group_id", "nonce")),
        sorted(Rating.objects.values_list("rater_id", "indicator_id", "level", "dont_know")),
        list(Response.objects.values_list("indicator_id", "level", "version")),
        ConsensusDecision.objects.count(),
    )


@pytest.fixture
def rated_round(engaged_round, groups, assessor_a):
    """Leadership 3 raters, Clinical staff 4, Patient and family partners 2 (too few to show)."""
    lead, clin, pat = groups["Leadership"], groups["Clinical staff"], groups["Patient and family partners"]
    plan = [
        (lead, {"ENG-1": 4, "ENG-2": 3, "ENG-3": 2}),
        (lead, {"ENG-1": 4, "ENG-2": 3, "ENG-3": 3}),
        (lead, {"ENG-1": 5, "ENG-2": 3, "ENG-3": "dk"}),
        (clin, {"ENG-1": 1, "ENG-2": 3, "ENG-3": 5}),
        (clin, {"ENG-1": 2, "ENG-2": 3, "ENG-3": 5}),
        (clin, {"ENG-1": 2, "ENG-2": 3, "ENG-3": 4}),
        (clin, {"ENG-1": "dk", "ENG-2": 3, "ENG-3": "dk"}),
        (pat, {"ENG-1": 3, "ENG-2": 1}),
        (pat, {"ENG-1": 3}),
    ]
    for n, (group, ratings) in enumerate(plan):
        rate(invite(engaged_round, f"r{n}@example.org", group, assessor_a), ratings)
    return engaged_round


def test_spread_is_median_and_inclusive_quartiles():
    assert selectors.spread_of({4: 2, 5: 1}) == selectors.Spread(3, D("4"), D("4"), D("4.5"))
    assert selectors.spread_of({1: 1, 2: 2}) == selectors.Spread(3, D("2"), D("1.5"), D("2"))
    assert selectors.spread_of({3: 1}) == selectors.Spread(1, D("3"), D("3"), D("3"))
    assert selectors.spread_of({}) is None


def test_consensus_distributions_are_exact_and_widest_disagreement_first(rated_round):
    services.round_close(rating_round=rated_round, user=None)
    page = selectors.consensus(RatingRound.objects.get(pk=rated_round.pk))
    assert [row.indicator.code for row in page.indicators] == ["ENG-3", "ENG-1", "ENG-2"]
    by_code = {row.indicator.code: row for row in page.indicators}
    eng1 = {g.group.name: g for g in by_code["ENG-1"].groups}
    assert sorted(eng1) == ["Clinical staff", "Leadership"]  # patients (2) are below the minimum of 3
    assert eng1["Leadership"].level_counts == [0, 0, 0, 2, 1]
    assert (eng1["Leadership"].dont_know, eng1["Leadership"].respondents) == (0, 3)
    assert eng1["Leadership"].spread == selectors.Spread(3, D("4"), D("4"), D("4.5"))
    assert eng1["Clinical staff"].level_counts == [1, 2, 0, 0, 0]
    assert (eng1["Clinical staff"].dont_know, eng1["Clinical staff"].respondents) == (1, 4)
    assert eng1["Clinical staff"].spread == selectors.Spread(3, D("2"), D("1.5"), D("2"))
    # Every shown rating together: 1 2 2 4 4 5 (the patients' 3 3 are not in it).
    assert by_code["ENG-1"].overall == selectors.Spread(6, D("3"), D("2"), D("4"))
    eng3 = {g.group.name: g.spread for g in by_code["ENG-3"].groups}
    assert eng3 == {
        "Leadership": selectors.Spread(2, D("2.5"), D("2.25"), D("2.75")),
        "Clinical staff": selectors.Spread(3, D("5"), D("4.5"), D("5")),
    }
    assert (by_code["ENG-3"].overall.iqr, by_code["ENG-3"].median_gap) == (D("2"), D("2.5"))
    assert (by_code["ENG-1"].overall.iqr, by_code["ENG-1"].median_gap) == (D("2"), D("2"))
    assert by_code["ENG-2"].overall == selectors.Spread(7, D("3"), D("3"), D("3"))
    assert [(g.group.name, g.respondents, g.counts) for g in page.hidden_groups] == [
        ("Patient and family partners", 2, {})
    ]


def test_the_minimum_is_a_setting(rated_round, settings):
    settings.RATER_GROUP_MIN = 2
    services.round_close(rating_round=rated_round, user=None)
    eng1 = selectors.consensus(rated_round).indicators[1]
    assert [(g.group.name, g.level_counts) for g in eng1.groups] == [
        ("Leadership", [0, 0, 0, 2, 1]),
        ("Clinical staff", [1, 2, 0, 0, 0]),
        ("Patient and family partners", [0, 0, 2, 0, 0]),
    ]
    settings.RATER_GROUP_MIN = 4
    assert [g.group.name for g in selectors.consensus(rated_round).indicators[0].groups] == ["Clinical staff"]


def test_progress_counts_ratings_never_shows_them(rated_round):
    progress = {p.rater.email: (p.rated, p.total, p.finished) for p in selectors.round_progress(rated_round)}
    assert progress["r0@example.org"] == (3, 3, True)
    assert progress["r7@example.org"] == (2, 3, False)
    assert progress["r8@example.org"] == (1, 3, False)


def test_ratings_never_change_the_official_answer(rated_round, draft_a):
    assert Response.objects.filter(assessment=draft_a).count() == 0


def test_open_round_defaults_groups_and_whole_rubric(draft_a, assessor_a, closes_on, org_a):
    rating_round = services.round_open(assessment=draft_a, user=assessor_a, closes_on=closes_on)
    assert [g.name for g in org_a.rater_groups.all()] == [
        "Leadership",
        "Clinical staff",
        "Patient and family partners",
        "Other",
    ]
    assert len(selectors.round_indicator_ids(rating_round)) == 30
    assert rating_round.is_open


@pytest.mark.parametrize("status", [Assessment.Status.SUBMITTED, Assessment.Status.VALIDATED])
def test_no_round_on_a_submitted_assessment(draft_a, assessor_a, closes_on, status):
    draft_a.status = status
    draft_a.save()
    before = _state()
    with pytest.raises(ValidationError) as refused:
        services.round_open(assessment=draft_a, user=assessor_a, closes_on=closes_on)
    assert refused.value.messages == [
        f"The 2026 assessment is {status.label.lower()}: its answers cannot change, so a rating round "
        "cannot be opened or decided on it."
    ]
    assert _state() == before


def test_a_second_open_round_and_a_past_date_are_refused(engaged_round, draft_a, assessor_a, closes_on):
    before = _state()
    with pytest.raises(ValidationError, match="A rating round of this assessment is open"):
        services.round_open(assessment=draft_a, user=assessor_a, closes_on=closes_on)
    services.round_close(rating_round=engaged_round, user=assessor_a)
    with pytest.raises(ValidationError, match="The closing date has passed"):
        services.round_open(
            assessment=draft_a, user=assessor_a, closes_on=timezone.localdate() - datetime.timedelta(days=1)
        )
    assert RatingRound.objects.count() == len(before[0])


def test_a_rater_in_two_groups_is_refused(engaged_round, groups, assessor_a):
    invite(engaged_round, "Pat@Example.org", groups["Leadership"], assessor_a)
    assert len(mail.outbox) == 0  # sent on commit
    before = _state()
    with pytest.raises(ValidationError) as refused:
        invite(engaged_round, "pat@example.org", groups["Other"], assessor_a)
    assert refused.value.messages == [
        "pat@example.org is already a rater of this round in the group Leadership: a rater belongs to one "
        "group only, so that nobody counts twice."
    ]
    with pytest.raises(ValidationError, match="already a rater of this round \\(Leadership\\)"):
        invite(engaged_round, "pat@example.org", groups["Leadership"], assessor_a)
    assert _state() == before


def test_invitation_emails_a_personal_link(
    engaged_round, groups, assessor_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        rater = invite(engaged_round, "pat@example.org", groups["Clinical staff"], assessor_a)
    assert [m.to for m in mail.outbox] == [["pat@example.org"]]
    assert mail.outbox[0].subject == "Your view of Alpha Regional Hospital's maturity"
    assert services.rater_url(rater).split("/rate/link/")[1][:-1].startswith(f"{rater.pk}:")
    assert "clinical staff raters" in mail.outbox[0].body


def test_links_are_signed_single_person_and_expire(engaged_round, groups, settings):
    rater = invite(engaged_round, "pat@example.org", groups["Leadership"])
    token = services.rater_token(rater)
    assert services.rater_from_token(token) == rater
    other = invite(engaged_round, "sam@example.org", groups["Leadership"])
    forged = token.replace(f"{rater.pk}:", f"{other.pk}:", 1)

    def reason(value):
        with pytest.raises(services.RaterLinkError) as error:
            services.rater_from_token(value)
        return error.value.reason

    assert reason(forged) == "invalid"

    class PastSigner(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - 31 * 24 * 3600)

    old = PastSigner(salt=services.LINK_SALT).sign(f"{rater.pk}:{rater.nonce}")
    assert reason(old) == "expired"
    Rater.objects.filter(pk=rater.pk).update(nonce="0" * 32)
    assert reason(token) == "removed"


def test_ratings_are_refused_after_close_and_nothing_changes(rated_round, indicator):
    rater = Rater.objects.get(email="r0@example.org")
    services.round_close(rating_round=rated_round, user=None)
    before = _state()
    with pytest.raises(ValidationError) as refused:
        services.ratings_save(rater=rater, choices={indicator["ENG-1"].pk: 1})
    assert refused.value.messages == [
        "This rating round is closed: your ratings can no longer change. Thank you for taking part."
    ]
    assert _state() == before


def test_a_passed_closing_date_closes_the_round(rated_round, indicator):
    RatingRound.objects.filter(pk=rated_round.pk).update(
        closes_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    rater = Rater.objects.get(email="r0@example.org")
    with pytest.raises(ValidationError, match="closed"):
        services.ratings_save(rater=rater, choices={indicator["ENG-1"].pk: 1})


@pytest.mark.parametrize(
    ("code", "value", "message"),
    [
        ("SAF-1", 3, "An indicator is not part of this rating round; nothing was saved."),
        ("ENG-2", "6", "A rating is a level from 1 to 5 or \u201cdon't know\u201d; nothing was saved."),
    ],
)
def test_bad_ratings_are_refused_whole(engaged_round, groups, indicator, code, value, message):
    rater = invite(engaged_round, "pat@example.org", groups["Leadership"])
    rate(rater, {"ENG-1": 4})
    before = _state()
    with pytest.raises(ValidationError) as refused:
        services.ratings_save(rater=rater, choices={indicator["ENG-1"].pk: 2, indicator[code].pk: value})
    assert refused.value.messages == [message]
    assert _state() == before


def test_ratings_change_and_clear(engaged_round, groups, indicator):
    rater = invite(engaged_round, "pat@example.org", groups["Leadership"])
    assert rate(rater, {"ENG-1": 4, "ENG-2": "dk"}) == 2
    assert rate(rater, {"ENG-1": 4, "ENG-2": 2}) == 1
    assert services.ratings_save(rater=rater, choices={indicator["ENG-1"].pk: None}) == 1
    assert list(Rating.objects.values_list("indicator__code", "level", "dont_know")) == [("ENG-2", 2, False)]


def test_close_early_and_reopen(engaged_round, assessor_a, closes_on, groups):
    services.round_close(rating_round=engaged_round, user=assessor_a)
    engaged_round.refresh_from_db()
    assert (engaged_round.status, engaged_round.is_open) == ("closed", False)
    with pytest.raises(ValidationError, match="already closed"):
        services.round_close(rating_round=engaged_round, user=assessor_a)
    with pytest.raises(ValidationError, match="This round is closed: re-open it before inviting raters"):
        invite(engaged_round, "late@example.org", groups["Other"])
    later = closes_on + datetime.timedelta(days=7)
    services.round_reopen(rating_round=engaged_round, user=assessor_a, closes_on=later)
    engaged_round.refresh_from_db()
    assert (engaged_round.status, engaged_round.closes_on, engaged_round.closed_at) == ("open", later, None)
    with pytest.raises(ValidationError, match="This round is open already"):
        services.round_reopen(rating_round=engaged_round, user=assessor_a, closes_on=later)


def test_reminders_go_to_raters_not_finished(rated_round):
    assert services.raters_remind(round_id=rated_round.pk) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["r7@example.org", "r8@example.org"]
    assert mail.outbox[0].subject == "Reminder: your view of Alpha Regional Hospital's maturity"
    assert Rater.objects.filter(reminded_at__isnull=False).count() == 2
    services.round_close(rating_round=rated_round, user=None)
    assert services.raters_remind(round_id=rated_round.pk) == 0


def test_consensus_sets_the_answer_through_the_save_service(rated_round, draft_a, assessor_a, indicator):
    eng1 = indicator["ENG-1"].pk
    f.ResponseFactory(assessment=draft_a, indicator=indicator["ENG-1"], level=2, evidence_summary="Minutes.")
    with pytest.raises(ValidationError, match="The round is still open"):
        services.consensus_set(
            rating_round=rated_round, indicator_id=eng1, level=3, note="x", version=1, user=assessor_a
        )
    services.round_close(rating_round=rated_round, user=assessor_a)
    before = _state()
    with pytest.raises(ValidationError, match="Say in a consensus note"):
        services.consensus_set(
            rating_round=rated_round, indicator_id=eng1, level=3, note=" ", version=1, user=assessor_a
        )
    with pytest.raises(ValidationError, match="A colleague changed this answer"):
        services.consensus_set(
            rating_round=rated_round, indicator_id=eng1, level=3, note="Agreed.", version=0, user=assessor_a
        )
    with pytest.raises(ValidationError, match="not part of this rating round"):
        services.consensus_set(
            rating_round=rated_round,
            indicator_id=indicator["SAF-1"].pk,
            level=3,
            note="n",
            version=0,
            user=assessor_a,
        )
    assert _state() == before
    decision = services.consensus_set(
        rating_round=rated_round,
        indicator_id=eng1,
        level=3,
        note="Leaders and staff met halfway.",
        version=1,
        user=assessor_a,
    )
    response = Response.objects.get(assessment=draft_a, indicator_id=eng1)
    assert (response.level, response.version, response.evidence_summary, response.updated_by) == (
        3,
        2,
        "Minutes.",
        assessor_a,
    )
    change = ResponseChange.objects.get(response=response)
    assert (change.changed_by, change.old_values, change.new_values) == (
        assessor_a,
        {"level": 2},
        {"level": 3},
    )
    assert (decision.level, decision.note, decision.decided_by) == (
        3,
        "Leaders and staff met halfway.",
        assessor_a,
    )


def test_consensus_refused_once_the_assessment_is_submitted(rated_round, draft_a, assessor_a, indicator):
    services.round_close(rating_round=rated_round, user=assessor_a)
    Assessment.objects.filter(pk=draft_a.pk).update(status=Assessment.Status.SUBMITTED)
    before = _state()
    with pytest.raises(ValidationError, match="submitted: its answers cannot change"):
        services.consensus_set(
            rating_round=rated_round,
            indicator_id=indicator["ENG-1"].pk,
            level=3,
            note="n",
            version=0,
            user=assessor_a,
        )
    assert _state() == before


def test_groups_add_and_rename(org_a, groups):
    added = services.rater_group_add(organization=org_a, name="  Data   staff ")
    assert (added.name, added.order) == ("Data staff", 4)
    with pytest.raises(ValidationError, match="There is already a group called leadership"):
        services.rater_group_add(organization=org_a, name="leadership")
    services.rater_group_rename(group=groups["Other"], name="Community members")
    assert [g.name for g in org_a.rater_groups.all()] == [
        "Leadership",
        "Clinical staff",
        "Patient and family partners",
        "Community members",
        "Data staff",
    ]
