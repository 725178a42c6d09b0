"""reports/perception.py: the perception gap on the organization dashboard and the PDF scorecard."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from assessments.models import Assessment
from assessments.raters.models import Rating, RatingRound
from assessments.raters.services import rater_groups_ensure
from commitments.models import Indicator
from reports.exporters import scorecard as scorecards
from reports.perception import perception_gap
from tests import factories as f
from tests.assessments.raters.factories import RaterFactory, RatingRoundFactory

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def validated_a(cycle, org_a):
    levels = [3] * 30
    levels[0:3] = [4, 4, 4]  # Engaged 4.00
    levels[27:30] = [2, 2, 2]  # Adaptive 2.00
    return f.answer_all(f.AssessmentFactory(organization=org_a, cycle=cycle), levels, status="validated")


def _rater(rating_round, group, ratings: dict, codes):
    rater = RaterFactory(round=rating_round, group=group)
    Rating.objects.bulk_create(
        Rating(rater=rater, indicator=codes[c], level=None if v == "dk" else v, dont_know=v == "dk")
        for c, v in ratings.items()
    )


@pytest.fixture
def closed_round(validated_a, org_a, rubric):
    """A round on the whole rubric, closed: Leadership 3 raters, Clinical staff 3, patients 2 (hidden)."""
    groups = {g.name: g for g in rater_groups_ensure(organization=org_a)}
    codes = {i.code: i for i in Indicator.objects.of_rubric(rubric)}
    rating_round = RatingRoundFactory(assessment=validated_a, status=RatingRound.Status.CLOSED)
    lead, clin, pat = groups["Leadership"], groups["Clinical staff"], groups["Patient and family partners"]
    for _ in range(3):
        _rater(rating_round, lead, {"ENG-1": 5, "ENG-2": 5, "ADP-1": 2}, codes)
    _rater(rating_round, clin, {"ENG-1": 2, "ENG-2": 2, "ENG-3": 2, "ADP-1": 3}, codes)
    _rater(rating_round, clin, {"ENG-1": 3, "ENG-2": 3, "ENG-3": "dk", "ADP-1": 3}, codes)
    _rater(rating_round, clin, {"ENG-1": 2, "ADP-1": 3}, codes)
    _rater(rating_round, pat, {"ENG-1": 1}, codes)
    _rater(rating_round, pat, {"ENG-1": 1}, codes)
    return rating_round


def test_gap_per_commitment_is_exact(closed_round, validated_a):
    gap = perception_gap(validated_a)
    assert gap.group_names == ["Leadership", "Clinical staff"]
    assert gap.hidden == [("Patient and family partners", 2)]
    rows = {c.name: c for c in gap.commitments}
    assert len(rows) == 10
    engaged = rows["Engaged"]
    assert engaged.official == D("4.00")
    assert [
        (g.group, g.spread.count, g.spread.median, g.spread.q1, g.spread.q3, g.gap) for g in engaged.groups
    ] == [
        ("Leadership", 6, D("5"), D("5"), D("5"), D("1.00")),
        ("Clinical staff", 6, D("2"), D("2"), D("2.75"), D("-2.00")),
    ]
    assert [(g.group, g.spread.median, g.gap) for g in rows["Adaptive"].groups] == [
        ("Leadership", D("2"), D("0.00")),
        ("Clinical staff", D("3"), D("1.00")),
    ]
    assert rows["Safe"].groups == [] and rows["Safe"].row == [None, None]
    assert [finding.sentence for finding in gap.findings] == [
        "Clinical staff rate Engaged 2.00 below the official score (median 2 against 4.00).",
        "Leadership rate Engaged 1.00 above the official score (median 5 against 4.00).",
        "Clinical staff rate Adaptive 1.00 above the official score (median 3 against 2.00).",
    ]


def test_no_gap_without_a_closed_round(validated_a, closed_round):
    RatingRound.objects.filter(pk=closed_round.pk).update(status="open", closes_on=datetime.date(2999, 1, 1))
    assert perception_gap(validated_a) is None
    # A passed closing date closes the round as well as the button does.
    RatingRound.objects.filter(pk=closed_round.pk).update(closes_on=datetime.date(2020, 1, 1))
    assert perception_gap(validated_a).rating_round == closed_round


def test_minimum_is_a_setting(closed_round, validated_a, settings):
    settings.RATER_GROUP_MIN = 2
    assert perception_gap(validated_a).group_names == [
        "Leadership",
        "Clinical staff",
        "Patient and family partners",
    ]
    settings.RATER_GROUP_MIN = 4
    gap = perception_gap(validated_a)
    assert (gap.group_names, gap.findings) == ([], [])


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_dashboard_shows_the_gap(client, closed_round, executive_a):
    client.force_login(executive_a)
    page = client.get(reverse("reports:org_dashboard", args=["alpha"]))
    assert page.status_code == 200
    text = _text(page.content.decode())
    assert "How your people see it: the perception gap" in text
    assert "Groups with fewer than 3 raters are not shown: Patient and family partners (2)." in text
    assert "Clinical staff rate Engaged 2.00 below the official score (median 2 against 4.00)." in text
    assert "Engaged 4.00 5 (5-5; +1.00) 2 (2-2.75; -2.00)" in text.replace("&ndash;", "-")


def test_dashboard_without_a_round_has_no_gap_section(client, validated_a, executive_a):
    client.force_login(executive_a)
    page = client.get(reverse("reports:org_dashboard", args=["alpha"]))
    assert page.context["perception"] is None
    assert "perception gap" not in page.content.decode()


def test_scorecard_shows_the_gap(closed_round, validated_a):
    document = scorecards.scorecard_document(assessment=validated_a, peer_group="all")
    html = scorecards.scorecard_html(document, chart_uris={}, produced_on=datetime.date(2026, 12, 3))
    text = _text(html).replace("&ndash;", "-")
    assert "The perception gap" in text
    assert "Leadership rate Engaged 1.00 above the official score (median 5 against 4.00)." in text
    assert "Engaged 4.00 5 (5-5) 2 (2-2.75)" in text
    assert Assessment.objects.get(pk=validated_a.pk).status == "validated"
