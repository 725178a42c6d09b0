import html
import json
import re

import pytest
from django.urls import reverse

from assessments.models import Assessment, AuditEvent, OrgType, Response
from commitments.models import Indicator
from tests import factories as f
from tests.reports.conftest import publish

PASSWORD = "correct horse battery staple"


def make_org(cycle, levels, *, status=Assessment.Status.VALIDATED, **fields):
    organization = f.OrganizationFactory(**fields)
    assessment = f.AssessmentFactory(organization=organization, cycle=cycle)
    f.answer_all(assessment, levels, status=status)
    return assessment


def text_of(response) -> str:
    """The page's visible text and attributes, without the chart JSON."""
    content = response.content.decode()
    return re.sub(r'<script id="[^"]*" type="application/json">.*?</script>', "", content, flags=re.S)


def dashboard_url(slug="alpha", **params):
    url = reverse("reports:org_dashboard", args=[slug])
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def two_cycles(org, rubric, new_status: str | None = Assessment.Status.VALIDATED):
    """A closed 2025 cycle with the organization's validated result (all level 2) and a 2026 cycle where
    its assessment (all level 3) has new_status (None: a draft). Returns the 2025 cycle."""
    old = f.AssessmentCycleFactory(name="2025", rubric=rubric, status="closed")
    new = f.AssessmentCycleFactory(name="2026", rubric=rubric)
    f.answer_all(f.AssessmentFactory(organization=org, cycle=old), 2, status=Assessment.Status.VALIDATED)
    f.answer_all(f.AssessmentFactory(organization=org, cycle=new), 3, status=new_status)
    return old


@pytest.fixture
def alpha_result(cycle, org_a):
    assessment = f.AssessmentFactory(organization=org_a, cycle=cycle)
    levels = [3] * 30
    levels[0:3] = [4, 4, 4]  # engaged 4.00
    levels[27:30] = [2, 2, 2]  # adaptive 2.00
    return f.answer_all(assessment, levels, status=Assessment.Status.VALIDATED)


@pytest.fixture
def small_releases(settings):
    """NAM's statistics tested on a handful of organizations: releases of any size (the release and
    disclosure rules themselves are tested in test_releases.py and test_disclosure.py)."""
    settings.BENCHMARK_MIN_PEERS = 1
    settings.BENCHMARK_MIN_PEERS_QUARTILES = 1
    settings.BENCHMARK_MIN_PEERS_TAILS = 1


# ---------------------------------------------------------------------------------------------------------
# How scores work


def test_how_scores_work_is_public_and_states_the_rule(client, settings, db):
    settings.BENCHMARK_MIN_PEERS = 7
    response = client.get(reverse("reports:how_scores_work"))
    content = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "<h1>How scores work</h1>" in content
    assert "at least <strong>7</strong> such peers" in content
    formula = "100 × (peers below you + ½ × peers tied with you) ÷ number of peers"  # noqa: RUF001
    assert formula in content
    # Validated only is the default of each release's choice (BENCHMARK_INCLUDE_SUBMITTED off).
    assert "<strong>validated</strong> results only" in content
    assert "<strong>submitted or validated</strong>" not in content
    settings.BENCHMARK_INCLUDE_SUBMITTED = True
    content = html.unescape(client.get(reverse("reports:how_scores_work")).content.decode())
    assert "<strong>submitted or validated</strong> results" in content
    for anchor in [
        "commitment-score",
        "overall",
        "not-applicable",
        "completeness",
        "percentile-rank",
        "anonymity",
    ]:
        assert f'id="{anchor}"' in content


# ---------------------------------------------------------------------------------------------------------
# Organization dashboard


def test_dashboard_shows_scores_peers_and_rank(client, executive_a, alpha_result, cycle, all_figures):
    for level in [2, 3, 3, 4, 4]:
        make_org(cycle, [level] * 30)
    release = publish(cycle)
    client.force_login(executive_a)

    response = client.get(dashboard_url())

    content = text_of(response)
    assert response.status_code == 200
    assert '<h1 class="mb-1">Alpha Regional Hospital</h1>' in content
    # Overall (4 + 8 * 3 + 2) / 10 = 3.00; peers' overall 2, 3, 3, 4, 4: median 3.00, p25 3.00, p75 4.00.
    assert '<p class="kpi-value">3.00<span class="kpi-unit"> / 5</span></p>' in content
    assert '<p class="kpi-value">3.00</p>' in content  # the peer median
    assert "middle half of peers: 3.00 to 4.00<br>5 peer organizations" in content
    # Rank: 1 lower (2), 2 ties (3, 3) -> 100 * (1 + 1) / 5 = 40th.
    assert '<p class="kpi-value">40th</p>' in content
    engaged_row = re.search(r"<th scope=\"row\">Engaged</th>(.*?)</tr>", content, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", engaged_row, re.S)]
    # Engaged 4.00 against peers 2, 3, 3, 4, 4: median 3.00, p25-p75 3.00-4.00, rank (3 + 0.5 * 2) / 5 = 80th.
    assert cells == ["4.00", "4 Managed", "4, 4, 4", "3.00", "3.00 \u2013 4.00", "80th", "3 of 3"]
    assert "Strongest commitments" in content and "Biggest gaps" in content
    assert html.unescape(content).count(release.description) == 3  # the header and under each peer chart
    assert json.loads(
        re.search(
            r'id="chart-radar" type="application/json">(.*?)</script>', response.content.decode(), re.S
        ).group(1)
    )


@pytest.mark.parametrize(("n_peers", "shown"), [(4, False), (5, True), (6, True)])
def test_dashboard_suppression_at_the_threshold(client, executive_a, alpha_result, cycle, n_peers, shown):
    for _ in range(n_peers):
        make_org(cycle, [4] * 30, org_type=OrgType.HOSPITAL)
    for _ in range(5):  # other types: "all participants" far enough from the type group not to hide it
        make_org(cycle, [2] * 30, org_type=OrgType.ACADEMIC)
    publish(cycle)
    client.force_login(executive_a)

    response = client.get(dashboard_url(peer_group="org_type"))

    page = response.content.decode()
    assert response.status_code == 200
    if shown:
        assert "Peer comparison hidden" not in page
        assert '<p class="kpi-value">4.00</p>' in page  # the peer median
        assert f"{n_peers} peer organizations" in page
        assert "Peer median" in page
        # Fewer than 10 peers: the median alone, and a sentence why.
        assert "middle half of peers:" not in page and "25th\u201375th" in page
        assert f"and this group has {n_peers}." in page
    else:
        assert "Peer comparison hidden." in page
        assert (
            "Fewer than 5 organizations besides yours and your affiliates have results in this group" in page
        )
        assert '<p class="kpi-value">4.00</p>' not in page
        assert "percentile rank" in page.lower()  # the heading stays, with no value
        assert "25th\u201375th" not in page and "middle half of peers" not in page.lower()
        assert "th</td>" not in page and "4.00 \u2013" not in page


def test_viewer_is_not_counted_among_its_peers(client, executive_a, cycle, org_a):
    assessment = f.AssessmentFactory(organization=org_a, cycle=cycle)
    f.answer_all(assessment, 5, status=Assessment.Status.VALIDATED)
    for _ in range(4):
        make_org(cycle, [2] * 30)
    publish(cycle)
    client.force_login(executive_a)
    page = client.get(dashboard_url()).content.decode()
    # Five organizations have results, but only four are Alpha's peers.
    assert "Fewer than 5 organizations besides yours" in page and '<p class="kpi-value">2.00</p>' not in page


def test_dashboard_defaults_to_latest_result_and_switches_cycle(client, executive_a, org_a, rubric):
    two_cycles(org_a, rubric, None)  # the 2026 draft is not a result
    client.force_login(executive_a)
    page = client.get(dashboard_url()).content.decode()
    assert "Results dashboard · cycle 2025" in page
    assert '<p class="kpi-value">2.00<span class="kpi-unit"> / 5</span></p>' in page
    assert "Your 2026 self-assessment is in progress." in page
    assert f'href="{reverse("assessments:overview", args=["alpha", "2026"])}"' in page

    response = client.get(dashboard_url(cycle="2026"))
    page = response.content.decode()
    assert "Your organization has no submitted results for that cycle: showing the latest." in page
    assert "Results dashboard · cycle 2025" in page


def test_trend_across_cycles(client, executive_a, org_a, rubric):
    two_cycles(org_a, rubric, Assessment.Status.SUBMITTED)
    client.force_login(executive_a)
    page = client.get(dashboard_url()).content.decode()
    assert "Results dashboard · cycle 2026" in page
    assert "up +1.00 since 2025" in page
    assert 'data-chart="chart-trend"' in page
    overall_row = re.search(
        r'<th scope="row">Overall</th>\s*(<td.*?)</tr>', page.split("Scores by cycle")[1], re.S
    )
    assert re.findall(r">(\d\.\d\d)<", overall_row.group(1)) == ["2.00", "3.00"]


def test_last_cycles_targets_against_what_was_achieved(
    client, executive_a, org_a, rubric, django_assert_max_num_queries
):
    old = two_cycles(org_a, rubric)
    engaged, safe = rubric.commitments.order_by("order")[:2]
    f.CommitmentTargetFactory(organization=org_a, cycle=old, commitment=engaged, target_level="3.00")
    f.CommitmentTargetFactory(organization=org_a, cycle=old, commitment=safe, target_level="3.50")
    f.ImprovementActionFactory(organization=org_a, cycle=old, commitment=engaged, status="done")
    f.ImprovementActionFactory(organization=org_a, cycle=old, commitment=safe, status="in_progress")
    client.force_login(executive_a)
    client.get(dashboard_url())  # the peer group's scores are cached from here on
    with django_assert_max_num_queries(12):
        page = client.get(dashboard_url()).content.decode()

    section = html.unescape(page.split('id="targets-heading"')[1].split("</section>")[0])
    assert "What your plan on the 2025 results aimed for, against what 2026 achieved." in section
    assert "1 of 2 targets met; 1 of 2 actions done." in section
    rows = [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
        for row in re.findall(r"<tr>\s*<th scope=\"row\">.*?</tr>", section, re.S)
    ]
    assert rows == ["Engaged 3.00 3.00 ✓ Met 1 / 1", "Safe 3.50 3.00 ✗ Not met (-0.50) 0 / 1"]


def test_no_targets_section_without_an_earlier_plan(client, executive_a, alpha_result):
    client.force_login(executive_a)
    assert 'id="targets-heading"' not in client.get(dashboard_url()).content.decode()


def test_invalid_peer_group_falls_back_with_a_message(client, executive_a, alpha_result):
    client.force_login(executive_a)
    page = client.get(dashboard_url(peer_group="state")).content.decode()
    assert "That peer group does not exist: showing all participants." in page
    assert '<option value="all" selected>All participants</option>' in page


def test_empty_state_without_results(client, assessor_a, cycle, org_a):
    f.answer_all(f.AssessmentFactory(organization=org_a, cycle=cycle), 3)  # a draft
    client.force_login(assessor_a)
    response = client.get(dashboard_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert '<h2 class="h4">No results yet</h2>' in page
    assert f'href="{reverse("assessments:org_home", args=["alpha"])}"' in page


def test_other_organizations_get_404_and_anonymous_sign_in(client, assessor_b, alpha_result):
    client.force_login(assessor_b)
    assert client.get(dashboard_url()).status_code == 404
    client.logout()
    response = client.get(dashboard_url())
    assert (response.status_code, response.url) == (302, f"/accounts/login/?next={dashboard_url()}")


def test_nam_staff_see_any_organization_dashboard(client, nam_staff, alpha_result):
    client.force_login(nam_staff)
    response = client.get(dashboard_url())
    assert response.status_code == 200
    assert "Alpha Regional Hospital" in response.content.decode()


def test_no_inline_script_or_style(client, executive_a, alpha_result):
    client.force_login(executive_a)
    page = client.get(dashboard_url()).content.decode()
    for tag in re.findall(r"<script[^>]*>", page):
        assert "src=" in tag or 'type="application/json"' in tag
    assert "<style" not in page and " style=" not in page
    assert '<div class="chart chart-square" data-chart="chart-radar" role="img" aria-label=' in page


def _field(cycle, count):
    """count organizations with validated results, of varied types."""
    types = [OrgType.HOSPITAL, OrgType.HEALTH_SYSTEM, OrgType.COMMUNITY_HEALTH_CENTER]
    for i in range(count):
        make_org(cycle, [1 + i % 5] * 30, org_type=types[i % 3], state=["OH", "TX", "CA", "NY"][i % 4])


@pytest.mark.parametrize("size", [3, 30])
def test_org_dashboard_query_count_is_constant(
    client, executive_a, alpha_result, cycle, size, django_assert_num_queries
):
    _field(cycle, max(size, 5))
    publish(cycle)
    client.force_login(executive_a)
    client.get(dashboard_url())  # the session's first write
    # session, user, memberships (with their organizations), assessments, commitments, response counts, the
    # cycles' latest releases, the viewer's live and released affiliates. The release's groups were all read
    # and cached by the first view (every group takes part in deciding which are shown).
    with django_assert_num_queries(QUERIES):
        response = client.get(dashboard_url(peer_group="org_type"))
    assert response.status_code == 200
    # Shown again: the same queries whatever the number of peers, and the same page.
    with django_assert_num_queries(QUERIES):
        again = client.get(dashboard_url(peer_group="org_type"))
    # The CSRF token, and the idle-timeout countdown (one second less when the second render is slow).
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"|data-seconds-left="\d+"')
    assert token.sub("", again.content.decode()) == token.sub("", response.content.decode())


# 9, and one for the lowest indicator per commitment (issue 19 item 10); the perception gap is read only for
# an assessment that has had a rating round (org_assessments says so in its own query).
QUERIES = 10


def peer_line(client, **params) -> str:
    page = html.unescape(client.get(dashboard_url(**params)).content.decode())
    return re.search(r"middle half of peers: [^<]*<br>\d+ peer organizations", page).group(0)


def test_peer_figures_change_with_a_release_not_with_results(
    client, executive_a, alpha_result, cycle, org_a, all_figures
):
    for level in [2, 3, 3, 4, 4]:
        make_org(cycle, [level] * 30, org_type=OrgType.HOSPITAL)
    for _ in range(5):
        make_org(cycle, [1] * 30, org_type=OrgType.ACADEMIC)
    publish(cycle)
    client.force_login(executive_a)
    assert (
        peer_line(client, peer_group="org_type")
        == "middle half of peers: 3.00 to 4.00<br>5 peer organizations"
    )

    make_org(cycle, [5] * 30, org_type=OrgType.HOSPITAL)  # a new result: not published yet
    assert (
        peer_line(client, peer_group="org_type")
        == "middle half of peers: 3.00 to 4.00<br>5 peer organizations"
    )

    org_a.name = "Alpha University Hospital"  # the organization's own data is live
    org_a.save()
    page = html.unescape(client.get(dashboard_url()).content.decode())
    assert '<h1 class="mb-1">Alpha University Hospital</h1>' in page

    alpha_result.status = Assessment.Status.RETURNED  # no longer a result: nothing to show
    alpha_result.save()
    assert '<h2 class="h4">No results yet</h2>' in client.get(dashboard_url()).content.decode()


def test_kept_dashboard_shows_plan_targets_set_since(client, executive_a, org_a, rubric):
    old = two_cycles(org_a, rubric)
    client.force_login(executive_a)
    assert 'id="targets-heading"' not in client.get(dashboard_url()).content.decode()

    engaged = rubric.commitments.get(order=1)
    f.CommitmentTargetFactory(organization=org_a, cycle=old, commitment=engaged, target_level="3.50")
    section = html.unescape(client.get(dashboard_url()).content.decode().split('id="targets-heading"')[1])
    assert "0 of 1 target met; 0 of 0 actions done." in re.sub(r"\s+", " ", section)


@pytest.mark.parametrize("size", [3, 30])
def test_nam_dashboard_query_count_is_constant(client, nam_staff, cycle, size, django_assert_num_queries):
    _field(cycle, max(size, 5))
    publish(cycle)
    client.force_login(nam_staff)
    # The session, the user, the cycles, the organizations' page (count, rows, statuses, overall scores), the
    # participation (2), the cycle's latest release, the commitments' names and the navigation; while the
    # release's statistics are not cached, three statistics queries (field, by type, by region).
    with django_assert_num_queries(15):
        response = client.get(reverse("reports:nam_dashboard"))
    assert response.status_code == 200
    with django_assert_num_queries(12):  # the release's statistics come from the cache
        again = client.get(reverse("reports:nam_dashboard"))
    # The CSRF token, and the idle-timeout countdown (one second less when the second render is slow).
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"|data-seconds-left="\d+"')
    assert token.sub("", again.content.decode()) == token.sub("", response.content.decode())


# ---------------------------------------------------------------------------------------------------------
# NAM dashboard


def test_nam_dashboard_numbers(client, nam_staff, cycle, rubric, small_releases):
    f.MembershipFactory(organization=make_org(cycle, [2] * 30).organization)
    make_org(cycle, [3] * 30, org_type=OrgType.ACADEMIC, state="TX")
    make_org(cycle, [4] * 30, status=Assessment.Status.SUBMITTED, state="CA")
    make_org(cycle, [5] * 30, status=Assessment.Status.DRAFT)
    f.OrganizationFactory()  # never started
    publish(cycle)
    client.force_login(nam_staff)

    response = client.get(reverse("reports:nam_dashboard"))

    page = response.content.decode()
    assert response.status_code == 200
    # Participation 2026: invited 1 (one organization has members), started 4, submitted 2 (+1 validated = 3).
    cycle_row = re.search(r'<tr class="table-active">(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r'<td class="num">(\d+)', cycle_row) == ["1", "4", "3", "2"]
    # Distribution of overall scores 2, 3, 4 (the draft does not count).
    overall = re.search(
        r'<th scope="row">Overall</th>(.*?)</tr>', page.split("Commitment scores of")[1], re.S
    )
    values = re.findall(r'<td class="num">([\d.]+)</td>', overall.group(1))
    assert values == ["3", "3.00", "2.20", "2.50", "3.00", "3.50", "3.80"]
    assert reverse("reports:org_dashboard", args=[Assessment.objects.first().organization.slug]) in page
    assert "Mean scores by organization type, cycle 2026" in page


def test_nam_dashboard_filters(client, nam_staff, cycle, small_releases):
    make_org(cycle, [2] * 30, org_type=OrgType.HOSPITAL)
    make_org(cycle, [4] * 30, org_type=OrgType.ACADEMIC, is_teaching=True)
    publish(cycle)
    client.force_login(nam_staff)
    page = client.get(
        reverse("reports:nam_dashboard"), {"org_type": "academic", "teaching": "yes"}
    ).content.decode()
    overall = re.search(
        r'<th scope="row">Overall</th>(.*?)</tr>', page.split("Commitment scores of")[1], re.S
    )
    assert re.findall(r'<td class="num">([\d.]+)</td>', overall.group(1))[:3] == ["1", "4.00", "4.00"]
    assert "1 organization matches the filters" in page

    page = client.get(reverse("reports:nam_dashboard"), {"org_type": "castle"}).content.decode()
    assert "Some filters were not valid and were ignored: see below." in page
    assert "Select a valid choice. castle is not one of the available choices." in page


def test_nam_dashboard_name_filter_applies_to_every_table_chart_and_export(
    client, nam_staff, cycle, settings
):
    settings.BENCHMARK_MIN_PEERS = 1  # a release of the two results (NAM's figures come from releases)
    make_org(cycle, [2] * 30, name="Riverside General")
    make_org(cycle, [4] * 30, name="Hilltop Medical", status=Assessment.Status.SUBMITTED)
    make_org(cycle, [5] * 30, name="Riverside Children's", status=Assessment.Status.DRAFT)
    publish(cycle, inclusion="submitted")
    client.force_login(nam_staff)
    response = client.get(reverse("reports:nam_dashboard"), {"q": "riverside"})
    page = response.content.decode()
    shown = html.unescape(re.sub(r"<[^>]+>", " ", page))
    assert re.search(
        r"Every table, chart and download below shows only organizations matching:\s+"
        r"Organization name contains “riverside”\.",
        shown,
    )
    assert "2 organizations match the filters" in page
    # Participation 2026: two Riverside organizations started, one submitted; Hilltop is not counted.
    cycle_row = re.search(r'<tr class="table-active">(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r'<td class="num">(\d+)', cycle_row) == ["0", "2", "1", "1"]
    # The score distribution counts Riverside General only (the draft is not a result).
    overall = re.search(
        r'<th scope="row">Overall</th>(.*?)</tr>', page.split("Commitment scores of")[1], re.S
    )
    assert re.findall(r'<td class="num">([\d.]+)</td>', overall.group(1))[:3] == ["1", "2.00", "2.00"]
    # "Download with these filters" carries the name; the downloads honour it.
    assert 'href="/nam/export/responses.csv?q=riverside"' in page
    responses = client.get(reverse("reports:nam_export", args=["responses", "csv"]), {"q": "riverside"})
    rows = responses.content.decode("utf-8-sig").splitlines()[1:]
    assert sorted({row.split(",")[0] for row in rows}) == ["Riverside Children's", "Riverside General"]
    benchmarks = client.get(reverse("reports:nam_export", args=["benchmarks", "csv"]), {"q": "riverside"})
    overall_row = next(
        row for row in benchmarks.content.decode("utf-8-sig").splitlines() if ",all,all,overall," in row
    )
    assert overall_row.split(",")[5:7] == ["1", "2.00"]  # after cycle, release, group, value, commitment


def test_nam_dashboard_says_when_no_filter_is_in_effect(client, nam_staff, cycle):
    make_org(cycle, [2] * 30)
    client.force_login(nam_staff)
    page = html.unescape(
        re.sub(r"<[^>]+>", " ", client.get(reverse("reports:nam_dashboard")).content.decode())
    )
    assert re.search(r"No filters:\s+every table, chart and download below covers all organizations\.", page)


def test_nam_dashboard_shows_a_drafts_progress_not_a_score(client, nam_staff, cycle):
    make_org(cycle, [4] * 30, name="Alpha Validated")
    draft = f.AssessmentFactory(organization=f.OrganizationFactory(name="Bravo Draft"), cycle=cycle)
    for indicator in Indicator.objects.of_rubric(cycle.rubric).order_by("commitment__order", "order")[:6]:
        Response.objects.create(assessment=draft, indicator=indicator, level=5)
    make_org(cycle, [3] * 30, name="Charlie Returned", status=Assessment.Status.RETURNED)
    f.OrganizationFactory(name="Delta Not Started")
    client.force_login(nam_staff)
    page = client.get(reverse("reports:nam_dashboard")).content.decode()
    rows = {
        html.unescape(name): re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cells)).strip()
        for name, cells in re.findall(r'<th scope="row"><a [^>]+>([^<]+)</a></th>(.*?)</tr>', page, re.S)
    }
    assert rows["Alpha Validated"].endswith("Validated 4.00")
    assert rows["Bravo Draft"].endswith("Draft no score yet: 6 of 30 answered")
    assert rows["Charlie Returned"].endswith("Returned no score yet: 30 of 30 answered")
    assert rows["Delta Not Started"].endswith("Not started \u2013")


def test_nam_dashboard_is_for_nam_staff_only(client, executive_a, cycle):
    client.force_login(executive_a)
    assert client.get(reverse("reports:nam_dashboard")).status_code == 403
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCESS_DENIED).count() == 1


def test_nam_dashboard_without_cycles(client, nam_staff):
    client.force_login(nam_staff)
    page = client.get(reverse("reports:nam_dashboard")).content.decode()
    assert "No cycle yet" in page


def test_nam_dashboard_defaults_to_the_latest_cycle_that_opened(
    client, nam_staff, cycle, rubric, small_releases
):
    f.AssessmentCycleFactory(name="2027", rubric=rubric, status="upcoming")
    make_org(cycle, [3] * 30)
    publish(cycle)
    client.force_login(nam_staff)
    page = client.get(reverse("reports:nam_dashboard")).content.decode()
    assert "Score distributions, cycle 2026" in page
    assert '<option value="2026" selected>2026</option>' in page
    page = client.get(reverse("reports:nam_dashboard"), {"cycle": "2027"}).content.decode()
    assert "no release of the 2027 cycle has been published yet" in page


# ---------------------------------------------------------------------------------------------------------
# NAM dashboard: the statistics section is cached under the cycle's benchmark version


def field_overall(page) -> list[str]:
    """The Overall row of the distribution table: n, mean, 10th, 25th, median, 75th, 90th."""
    table = page.split("Commitment scores of")[1]
    row = re.search(r'<th scope="row">Overall</th>(.*?)</tr>', table, re.S).group(1)
    return re.findall(r'<td class="num">([\d.]+)</td>', row)


def heatmap_first_row(page, title) -> list[list[str]]:
    """The first group's cells in a heatmap's table: [mean, "n=..."] per commitment, then overall."""
    table = page.split(f"<caption>Mean scores {title}, with the number of organizations (n);")[1]
    row = re.search(r'<tr><th scope="row">.*?</tr>', table, re.S).group(0)
    return [re.sub(r"<[^>]+>", " ", cell).split() for cell in re.findall(r'<td class="num">(.*?)</td>', row)]


def nam_page(client, **params) -> str:
    return client.get(reverse("reports:nam_dashboard"), params).content.decode()


def test_nam_statistics_change_with_each_release(client, nam_staff, cycle, small_releases):
    for level in (2, 3, 4):
        make_org(cycle, [level] * 30, org_type=OrgType.HOSPITAL)
    publish(cycle)
    client.force_login(nam_staff)
    assert field_overall(nam_page(client)) == ["3", "3.00", "2.20", "2.50", "3.00", "3.50", "3.80"]

    fourth = make_org(cycle, [5] * 30, org_type=OrgType.HOSPITAL)  # a new result: not released yet
    assert field_overall(nam_page(client)) == ["3", "3.00", "2.20", "2.50", "3.00", "3.50", "3.80"]
    publish(cycle)
    page = nam_page(client)
    assert field_overall(page) == ["4", "3.50", "2.30", "2.75", "3.50", "4.25", "4.70"]
    assert heatmap_first_row(page, "by organization type")[-1] == ["3.50", "n=4"]  # the Overall column
    assert "Peer figures: release 2 of the 2026 cycle" in page

    fourth.status = Assessment.Status.RETURNED  # sent back for changes: withdrawn from the next release
    fourth.save()
    publish(cycle)
    assert field_overall(nam_page(client)) == ["3", "3.00", "2.20", "2.50", "3.00", "3.50", "3.80"]


def test_nam_statistics_mark_what_members_would_not_see(client, nam_staff, cycle):
    for level in (2, 3, 4, 4, 5, 5):
        make_org(cycle, [level] * 30, org_type=OrgType.HOSPITAL)
    publish(cycle)
    client.force_login(nam_staff)
    page = nam_page(client)
    table = page.split("Commitment scores of")[1]
    row = re.search(r'<th scope="row">Overall</th>(.*?)</tr>', table, re.S).group(1)
    # Six organizations: a member of the group sees five peers, so the median only.
    assert "† median only" in html.unescape(row)


def test_nam_statistics_are_kept_per_filter_and_show_a_renamed_cycle(
    client, nam_staff, cycle, small_releases
):
    make_org(cycle, [2] * 30, org_type=OrgType.HOSPITAL)
    make_org(cycle, [4] * 30, org_type=OrgType.ACADEMIC)
    publish(cycle)
    client.force_login(nam_staff)
    assert field_overall(nam_page(client))[:3] == ["2", "3.00", "2.20"]
    assert field_overall(nam_page(client, org_type="academic"))[:3] == ["1", "4.00", "4.00"]
    assert field_overall(nam_page(client, org_type="hospital"))[:3] == ["1", "2.00", "2.00"]
    assert field_overall(nam_page(client))[:3] == ["2", "3.00", "2.20"]

    cycle.name = "2026 (pilot)"
    cycle.save()
    assert "Score distributions, cycle 2026 (pilot)" in html.unescape(nam_page(client))


def test_nam_statistics_follow_the_releases_inclusion(client, nam_staff, cycle, small_releases):
    make_org(cycle, [2] * 30)
    make_org(cycle, [4] * 30, status=Assessment.Status.SUBMITTED)
    publish(cycle, inclusion="submitted")
    client.force_login(nam_staff)
    assert field_overall(nam_page(client))[:2] == ["2", "3.00"]
    publish(cycle, inclusion="validated")
    page = nam_page(client)
    assert field_overall(page)[:2] == ["1", "2.00"]
    assert "1 organizations, validated results only" in page


def test_nam_statistics_of_a_draft_rubric_show_its_renamed_commitments(client, nam_staff):
    # Commitment names are read on every view (only the release's statistics are cached): a draft's may
    # change.
    draft = f.build_rubric("2027.1", publish=False)
    cycle = f.AssessmentCycleFactory(name="2027", rubric=draft)
    for _ in range(5):
        make_org(cycle, [3] * 30)
    publish(cycle)
    client.force_login(nam_staff)
    assert '<th scope="row">Engaged</th>' in nam_page(client)
    draft.commitments.filter(slug="engaged").update(name="Engaged with patients")
    page = nam_page(client)
    assert '<th scope="row">Engaged with patients</th>' in page
    assert field_overall(page)[:2] == ["5", "3.00"]
