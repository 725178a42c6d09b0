"""What the API answers equals what the pages and exports show for the same user, to the digit."""

import csv
import html
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import Assessment, Response
from commitments.models import Indicator
from reports.api.services import api_token_revoke
from reports.exporters.assessment import assessment_table
from reports.exporters.benchmarks import benchmark_rows, response_rows
from reports.plans.selectors import plan_overview
from reports.templatetags.dashboard_numbers import ordinal_rank
from tests import factories as f

from .conftest import client_for, make_token


def _page_rows(content: str) -> dict[str, list[str]]:
    """The dashboard's commitment table: name -> the cells of its row, as text."""
    rows = {}
    for name, row in re.findall(r'<th scope="row">([^<]+)</th>(.*?)</tr>', content, re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        rows.setdefault(name, cells)  # the first table: scores against peers
    return rows


def test_scores_equal_the_dashboard(client, released, assessor_a, alice):
    api = alice.get("/api/v1/orgs/alpha/assessments/2026/scores/").json()
    client.force_login(assessor_a)
    page = client.get(reverse("reports:org_dashboard", args=["alpha"])).content.decode()

    # Overall (4 * 3 + 3 * 21 + 2 * 3) / 30 = 3.00 against peers 2, 3, 3, 4, 4 (as the dashboard's own test).
    assert api["overall"] == {
        "slug": "overall",
        "name": "Overall",
        "score": 3.0,
        "level_label": "3 Defined",
        "peer": {"n": 5, "mean": 3.2, "p10": 2.4, "p25": 3.0, "median": 3.0, "p75": 4.0, "p90": 4.0},
        "percentile_rank": 40,
        "difference": 0.0,
    }
    assert (api["release"]["id"], api["release"]["number"]) == (released.pk, 1)
    assert api["release"]["description"] == released.description
    assert (api["peer_group"], api["n_peers"], api["suppressed"]) == ("all", 5, False)
    assert '<p class="kpi-value">3.00<span class="kpi-unit"> / 5</span></p>' in page
    rows = _page_rows(page)
    assert len(api["commitments"]) == 10
    for c in api["commitments"]:
        peer = c["peer"]
        assert rows[c["name"]][0] == f"{c['score']:.2f}"
        # Score, level, levels and lowest indicator (issue 19), then the peer figures.
        assert rows[c["name"]][3] == f"{peer['median']:.2f}"
        assert rows[c["name"]][4] == f"{peer['p25']:.2f} \u2013 {peer['p75']:.2f}"
        assert rows[c["name"]][5] == ordinal_rank(c["percentile_rank"])
    engaged = next(c for c in api["commitments"] if c["slug"] == "engaged")
    assert (engaged["score"], engaged["percentile_rank"], engaged["difference"]) == (4.0, 80, 1.0)


def test_scores_of_a_peer_group_follow_the_disclosure_rules(client, released, org_a, assessor_a, alice):
    org_a.is_teaching = True  # no teaching organization is in the release: the group is hidden
    org_a.save()
    api = alice.get("/api/v1/orgs/alpha/assessments/2026/scores/?peer_group=teaching").json()
    client.force_login(assessor_a)
    page = client.get(reverse("reports:org_dashboard", args=["alpha"]) + "?peer_group=teaching")

    decisions = {d["peer_group"]: d for d in api["group_decisions"]}
    assert decisions["all"] == {
        "peer_group": "all",
        "label": "All participants",
        "n": 5,
        "shown": True,
        "reason": "",
    }
    assert (api["suppressed"], api["n_peers"], decisions["teaching"]["shown"]) == (True, 0, False)
    assert api["hidden_reason"] == decisions["teaching"]["reason"]
    assert api["hidden_reason"].startswith("Fewer than 5 organizations besides yours")
    assert api["hidden_reason"] in html.unescape(page.content.decode())
    assert (api["overall"]["peer"], api["overall"]["percentile_rank"]) == (None, None)
    assert all(c["peer"] is None for c in api["commitments"])


def test_assessment_equals_the_export(cycle, org_a, alice):
    assessment = f.AssessmentFactory(organization=org_a, cycle=cycle)
    levels = [3] * 30
    levels[1] = None  # N/A with its reason
    f.answer_all(assessment, levels)
    first = Response.objects.filter(assessment=assessment).order_by(
        "indicator__commitment__order", "indicator__order"
    )
    Response.objects.filter(pk=first[0].pk).update(
        evidence_summary="Minutes of the board", evidence_links="https://a.example/1\nhttps://a.example/2"
    )
    Response.objects.filter(pk=first[2].pk).delete()  # never answered

    api = alice.get("/api/v1/orgs/alpha/assessments/2026/").json()

    assert (api["organization"], api["status"], api["cycle"]["slug"]) == ("alpha", "draft", "2026")
    exported = assessment_table(
        Assessment.objects.select_related("cycle", "organization").get(pk=assessment.pk)
    )
    assert len(api["responses"]) == len(exported.rows) == 30
    for answer, row in zip(api["responses"], exported.rows, strict=True):
        commitment, code, title, level, label, na_reason, summary, links, documents = row
        assert (answer["indicator"], answer["indicator_title"], answer["level_label"]) == (code, title, label)
        assert answer["level"] == level
        assert answer["commitment_name"] == commitment
        assert (answer["na_justification"], answer["evidence_summary"]) == (na_reason, summary)
        assert answer["evidence_links"] == links.split()
        assert "; ".join(answer["evidence_documents"]) == documents
    assert api["responses"][0]["evidence_links"] == ["https://a.example/1", "https://a.example/2"]
    assert api["responses"][1] | {"version": 1} == {
        **api["responses"][1],
        "answered": True,
        "level": None,
        "level_label": "Not applicable",
        "not_applicable": True,
        "na_justification": "We provide no such service.",
    }
    assert (api["responses"][2]["answered"], api["responses"][2]["version"]) == (False, None)


def test_cycles_of_the_organization(released, alice, cycle):
    api = alice.get("/api/v1/orgs/alpha/cycles/").json()
    assert [(a["cycle"]["slug"], a["cycle"]["status"], a["status"]) for a in api] == [
        ("2026", "open", "validated")
    ]


def test_plan_equals_the_plan_selector(alpha_result, cycle, org_a, assessor_a, alice):
    engaged = cycle.rubric.commitments.get(slug="engaged")
    f.CommitmentTargetFactory(organization=org_a, cycle=cycle, commitment=engaged, target_level="3.50")
    action = f.ImprovementActionFactory(
        organization=org_a, cycle=cycle, commitment=engaged, owner=assessor_a, title="Board dashboard"
    )
    action.indicators.set(Indicator.objects.filter(commitment=engaged)[:1])

    api = alice.get("/api/v1/orgs/alpha/plans/2026/").json()

    overview = plan_overview(organization=org_a, cycle=cycle)
    assert api["counts"] == overview.counts
    assert api["has_results"] is True
    planned = next(c for c in api["commitments"] if c["commitment"] == "engaged")
    assert planned["target_level"] == 3.5
    assert planned["score"] == 4.0
    assert planned["actions"] == [
        {
            "id": action.pk,
            "title": "Board dashboard",
            "description": action.description,
            "status": "planned",
            "owner": assessor_a.get_full_name() or "alice",
            "due_date": action.due_date.isoformat() if action.due_date else None,
            "is_overdue": action.is_overdue,
            "indicators": [engaged.indicators.order_by("order").first().code],
        }
    ]


def test_benchmarks_equal_the_nam_export(client, released, cycle, nam_staff, nam):
    api = nam.get(f"/api/v1/nam/releases/{released.pk}/benchmarks/").json()
    client.force_login(nam_staff)
    exported = client.get(reverse("reports:nam_export", args=["benchmarks", "csv"]))
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert len(api) == len(rows) == len(benchmark_rows(cycle=cycle, release=released))
    for from_api, from_csv in zip(api, rows, strict=True):
        for column, text in from_csv.items():
            value = from_api[column]
            if isinstance(value, float | int) and not isinstance(value, bool):
                assert float(text) == value, column
            else:
                assert ("" if value is None else str(value)) == text, column


@pytest.mark.parametrize(
    ("endpoint", "export_url"),
    [
        ("attestations", lambda: reverse("reports:nam_export", args=["attestations", "csv"])),
        ("plans", lambda: reverse("reports:nam_plans_export") + "?cycle=2026"),
    ],
)
def test_attestations_and_field_plans_equal_the_nam_exports(
    client, released, nam_staff, nam, endpoint, export_url
):
    api = nam.get(f"/api/v1/nam/cycles/2026/{endpoint}/").json()
    client.force_login(nam_staff)
    exported = client.get(export_url())
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert len(api) == len(rows) and len(rows) > 0
    for from_api, from_csv in zip(api, rows, strict=True):
        assert {k: "" if v is None else str(v) for k, v in from_api.items()} == from_csv


def test_benchmarks_filters_as_the_export(released, cycle, nam):
    api = nam.get(f"/api/v1/nam/releases/{released.pk}/benchmarks/?name_contains=Peer&teaching=no").json()
    expected = benchmark_rows(
        cycle=cycle, release=released, filters={"name_contains": "Peer", "is_teaching": False}
    )
    assert [row["n"] for row in api] == [row[5] for row in expected]
    assert {row["n"] for row in api if row["peer_group"] == "all"} == {5}  # Alpha is not a "Peer"


def test_responses_walk_equals_the_export(released, cycle, nam, settings):
    settings.API_PAGE_SIZE = 40
    rows, url, pages = [], "/api/v1/nam/cycles/2026/responses/", 0
    while url:
        page = nam.get(url).json()
        rows += page["results"]
        url, pages = page["next"], pages + 1
    assert pages == 5  # 6 organizations x 30 responses in pages of 40
    exported = [dict(zip(row_keys(rows), row, strict=True)) for row in response_rows(cycle=cycle)]
    assert sorted(rows, key=_key) == sorted(exported, key=_key)


def row_keys(rows):
    return list(rows[0])


def _key(row):
    return (row["organization"], row["indicator"])


def test_responses_pages_are_stable_when_rows_arrive_between_pages(released, cycle, nam, settings):
    settings.API_PAGE_SIZE = 50
    seen = []
    page = nam.get("/api/v1/nam/cycles/2026/responses/").json()
    seen += page["results"]
    # Between pages: a new organization answers (30 new rows) and a seen answer changes.
    late = f.AssessmentFactory(organization=f.OrganizationFactory(name="Late Hospital"), cycle=cycle)
    f.answer_all(late, 2)
    Response.objects.filter(pk=Response.objects.order_by("pk").first().pk).update(level=5)
    url = page["next"]
    while url:
        page = nam.get(url).json()
        seen += page["results"]
        url = page["next"]
    keys = [_key(r) for r in seen]
    assert len(keys) == len(set(keys)) == 7 * 30  # every row once: none repeated, none skipped
    assert sum(r["organization"] == "Late Hospital" for r in seen) == 30


def test_etag_and_304_on_scores(released, alice, org_a):
    first = alice.get("/api/v1/orgs/alpha/assessments/2026/scores/")
    etag = first["ETag"]
    again = alice.get("/api/v1/orgs/alpha/assessments/2026/scores/", HTTP_IF_NONE_MATCH=etag)
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", etag)
    # A live score changes: a new ETag and the new figures.
    Response.objects.filter(assessment__organization=org_a, indicator__code__endswith="1").update(level=5)
    changed = alice.get("/api/v1/orgs/alpha/assessments/2026/scores/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_etag_of_a_release_follows_the_release_and_query(released, nam):
    url = f"/api/v1/nam/releases/{released.pk}/benchmarks/"
    etag = nam.get(url)["ETag"]
    assert nam.get(url, HTTP_IF_NONE_MATCH=f'"other", {etag}').status_code == 304
    assert nam.get(url, HTTP_IF_NONE_MATCH=f"W/{etag}").status_code == 304
    filtered = nam.get(url + "?region=south", HTTP_IF_NONE_MATCH=etag)
    assert filtered.status_code == 200 and filtered["ETag"] != etag


def test_revoked_token_stops_at_once(released, assessor_a, alice_token):
    token, plaintext = alice_token
    client = client_for(plaintext)
    assert client.get("/api/v1/orgs/alpha/cycles/").status_code == 200
    api_token_revoke(token=token, user=assessor_a)
    assert client.get("/api/v1/orgs/alpha/cycles/").status_code == 401


def test_nam_wide_token_reads_any_organization_as_nam_staff_pages_do(released, nam_staff):
    _, plaintext = make_token(nam_staff, nam_wide=True)
    api = client_for(plaintext).get("/api/v1/orgs/alpha/assessments/2026/scores/").json()
    assert api["overall"]["score"] == 3.0


@pytest.mark.parametrize(
    "url", ["/api/v1/nam/cycles/2026/responses/", "/api/v1/nam/cycles/", "/api/v1/orgs/alpha/cycles/"]
)
def test_query_count_does_not_grow_with_the_data(cycle, org_a, nam, url):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert nam.get(url).status_code == 200
        return len(queries)

    def add(n):
        for _ in range(n):
            other = f.AssessmentCycleFactory(rubric=cycle.rubric)
            f.answer_all(f.AssessmentFactory(organization=org_a, cycle=other), 3, status="validated")
            f.answer_all(f.AssessmentFactory(organization=f.OrganizationFactory(), cycle=cycle), 3)

    nam.get("/api/v1/token/")  # the token's first use of the minute writes its last use: not counted below
    add(2)
    small = count()
    add(10)
    assert count() == small
