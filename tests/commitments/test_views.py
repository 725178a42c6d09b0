"""commitments/views.py: the public pages of the rubric."""

import html
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from commitments.loader import parse_file
from commitments.models import Rubric
from commitments.services import rubric_load
from tests import factories as f

pytestmark = pytest.mark.django_db

INDEX = reverse("commitments:index")


def detail_url(slug):
    return reverse("commitments:detail", args=[slug])


def text_of(response) -> str:
    """The page's visible text with whitespace collapsed, for exact phrase checks."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_index_shows_the_scale_and_every_commitment_in_order(client, rubric):
    response = client.get(INDEX)
    assert response.status_code == 200
    text = text_of(response)
    assert "<h1>The Commitments</h1>" in response.content.decode()
    assert "Rubric version 2026.1" in text
    assert "1 Initial Ad hoc: practice depends on individuals and is not written down." in text
    assert "3 Defined A documented, organization-wide standard practice." in text
    assert "5 Learning Results feed back into redesign and improvement is shown over time." in text
    names = re.findall(r'<a href="/commitments/([a-z]+)/">([A-Za-z]+)</a>', response.content.decode())
    assert names == [(slug, name) for slug, name, _ in f.COMMITMENT_NAMES]
    assert "Engaged Definition of Engaged ENG-1 Engaged indicator 1 ENG-2 Engaged indicator 2" in text
    assert "There are 10 commitments" in text


def test_the_detail_page_shows_guidance_and_an_accessible_table_of_levels(client, rubric):
    response = client.get(detail_url("safe"))
    html = response.content.decode()
    text = text_of(response)
    assert response.status_code == 200
    assert "<h1>Safe</h1>" in html
    assert "Definition of Safe" in text
    assert text.count("What assessors look for") == 3
    assert "Evidence for SAF-2." in text
    assert html.count("<caption>") == 3
    assert "<caption>SAF-1: the five maturity levels</caption>" in html
    rows = re.findall(r'<th scope="row">.*?</span> (\w+)</th>\s*<td>(.*?)</td>', html, flags=re.S)
    assert rows[:5] == [
        ("Initial", "SAF-1 at level 1."),
        ("Developing", "SAF-1 at level 2."),
        ("Defined", "SAF-1 at level 3."),
        ("Managed", "SAF-1 at level 4."),
        ("Learning", "SAF-1 at level 5."),
    ]
    assert len(rows) == 15
    assert 'href="/commitments/engaged/"' in html  # previous commitment
    assert 'href="/commitments/effective/"' in html  # next commitment


def test_an_empty_portal_says_the_rubric_is_not_published_yet(client, db):
    response = client.get(INDEX)
    assert response.status_code == 200
    assert "The rubric has not been published yet" in text_of(response)
    assert client.get(detail_url("engaged")).status_code == 404


@pytest.mark.parametrize(
    "url",
    [detail_url("unknown"), INDEX + "?version=1999.1", detail_url("engaged") + "?version=1999.1"],
    ids=["unknown-slug", "unknown-version", "detail-unknown-version"],
)
def test_unknown_pages_are_404(client, rubric, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Engaged" not in text_of(response)


def test_drafts_are_not_public(client, rubric):
    f.build_rubric("2027.1", commitments=1, indicators=1, publish=False)
    assert client.get(INDEX + "?version=2027.1").status_code == 404
    assert "Rubric version 2026.1" in text_of(client.get(INDEX))


def test_the_latest_published_version_is_the_default_and_older_ones_stay_readable(client, rubric):
    newer = f.build_rubric("2027.1", commitments=2, indicators=1, previous=rubric)
    Rubric.objects.filter(pk=rubric.pk).update(status=Rubric.Status.RETIRED)
    current = client.get(detail_url("engaged"))
    assert "Rubric version 2027.1" in text_of(current)
    assert "Continues ENG-1 of rubric version 2026.1." in text_of(current)
    old = client.get(INDEX + "?version=2026.1")
    text = text_of(old)
    assert "Rubric version 2026.1 Retired" in text
    assert "You are reading version 2026.1, which is not the current one." in text
    # Links keep the version being read.
    assert 'href="/commitments/adaptive/?version=2026.1"' in old.content.decode()
    assert 'href="/commitments/adaptive/' not in client.get(INDEX).content.decode()
    assert newer.commitments.count() == 2


def test_signed_in_people_see_the_same_pages(client, rubric, assessor_a):
    client.force_login(assessor_a)
    response = client.get(detail_url("adaptive"))
    assert response.status_code == 200
    assert "<h1>Adaptive</h1>" in response.content.decode()


@pytest.mark.parametrize(("commitments", "indicators"), [(2, 1), (10, 3)])
def test_query_counts_do_not_grow_with_the_rubric(client, django_assert_num_queries, commitments, indicators):
    f.build_rubric("2025.1", commitments=1, indicators=1)
    f.build_rubric("2026.1", commitments=commitments, indicators=indicators)
    # rubric, versions, commitments, indicators, compliance items
    with django_assert_num_queries(5):
        response = client.get(INDEX)
    assert text_of(response).count(" indicator 1 ") == commitments
    # rubric, commitment, indicators (+ predecessors), descriptors, neighbours, versions
    with django_assert_num_queries(6):
        assert client.get(detail_url("engaged")).status_code == 200


def test_the_2026_2_pages_say_the_rating_rule_fair_equitable_and_whose_words_they_are(client):
    rubrics = Path(settings.BASE_DIR) / "fixtures" / "rubric"
    rubric_load(spec=parse_file(rubrics / "2026.1.yaml"), publish=True)
    rubric_load(spec=parse_file(rubrics / "2026.2.yaml"), publish=True)
    index = html.unescape(text_of(client.get(INDEX)))
    fair = html.unescape(text_of(client.get(detail_url("fair"))))
    safe = html.unescape(text_of(client.get(detail_url("safe"))))
    rule = "How to choose a level. Levels are cumulative: choose the highest level whose description is fully"
    own = "are this rubric's own content, written by the rubric's authors; they are not NAM text"
    assert rule in index and rule in fair
    assert own in index and own in fair
    assert "Fair (Equitable in NAM's framework)" in index
    assert (
        "<h1>Fair (Equitable in NAM&#x27;s framework)</h1>" in client.get(detail_url("fair")).content.decode()
    )
    assert "Advancing parity in people\u2019s opportunities to reach full health potential" in fair
    assert "NAM's framework pages call this commitment Equitable and word it:" in fair
    assert "Advances parity in individual opportunity to reach full health potential" in fair
    assert "LAW-1 A current, enterprise-wide HIPAA security risk analysis" in index
    assert (
        "SAF-2-AMB Medication safety in ambulatory care "
        "(Community health center, Ambulatory or clinic group, Other only)"
    ) in index
    assert "Applies to: Hospital, Health system, Academic medical center." in safe
