"""The dashboards in a real Chromium: the Plotly charts draw under the Content-Security-Policy (no violation,
no console error) and the pages pass axe-core."""

import pytest

from assessments.models import Assessment, OrgType
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def field(cycle, org_a):
    levels = [3] * 30
    levels[0:3] = [4, 4, 4]
    f.answer_all(
        f.AssessmentFactory(organization=org_a, cycle=cycle), levels, status=Assessment.Status.VALIDATED
    )
    for i in range(6):
        organization = f.OrganizationFactory(org_type=[OrgType.HOSPITAL, OrgType.ACADEMIC][i % 2])
        f.answer_all(
            f.AssessmentFactory(organization=organization, cycle=cycle), 2 + i % 3, status="validated"
        )


def test_org_dashboard_charts_draw_under_the_csp(journey, executive_a, field):
    journey.login("erin")
    journey.goto("/orgs/alpha/dashboard/")
    page = journey.page
    page.locator("[data-chart] .main-svg").first.wait_for()
    assert page.locator(".js-plotly-plot").count() == 2  # radar and score vs peers (one cycle: no trend)
    assert page.locator("style").count() == 0  # plotly.js injected nothing
    journey.check("org-dashboard")
    # A peer group with too few peers: no peer trace in the charts.
    journey.goto("/orgs/alpha/dashboard/?peer_group=org_type")
    page.locator("[data-chart] .main-svg").first.wait_for()
    assert "fewer than 5 peers" in page.content()
    assert page.locator("[data-chart='chart-radar'] .scatterlayer .trace").count() == 1
    journey.check("org-dashboard-suppressed")


def test_nam_dashboard_charts_draw_under_the_csp(journey, nam_staff, field):
    journey.login("nadia")
    journey.goto("/nam/dashboard/")
    journey.page.locator("[data-chart] .main-svg").first.wait_for()
    assert journey.page.locator(".js-plotly-plot").count() == 3  # box plots and two heatmaps
    journey.check("nam-dashboard")


def test_how_scores_work(journey, db):
    journey.goto("/scores/")
    journey.check("how-scores-work")


CHART_LAYOUT = """([chart, path]) => path.split('.')
    .reduce((o, k) => o && o[k], document.querySelector(`[data-chart='${chart}']`).layout)"""


def test_charts_are_laid_out_for_a_phone(journey, executive_a, nam_staff, field):
    """Issue 17 item 12: at 390 px level ticks are numbers, legends sit below, heatmap labels are turned;
    back at a desktop width the full labels return."""
    page = journey.page
    page.set_viewport_size({"width": 390, "height": 844})
    journey.login("erin")
    journey.goto("/orgs/alpha/dashboard/")
    page.locator("[data-chart] .main-svg").first.wait_for()
    assert page.evaluate(CHART_LAYOUT, ["chart-iqr", "xaxis.ticktext"]) == ["1", "2", "3", "4", "5"]
    assert page.evaluate(CHART_LAYOUT, ["chart-radar", "legend.orientation"]) == "h"
    page.set_viewport_size({"width": 1366, "height": 900})
    page.wait_for_function(f"() => ({CHART_LAYOUT})(['chart-iqr', 'xaxis.ticktext'])[1] === '2 Developing'")
    nam = journey.another("nam")
    nam.page.set_viewport_size({"width": 390, "height": 844})
    nam.login("nadia")
    nam.goto("/nam/dashboard/")
    nam.page.locator("[data-chart] .main-svg").first.wait_for()
    heatmap = nam.page.locator("[data-chart^='chart-heat'], [data-chart*='heat']").first.get_attribute(
        "data-chart"
    )
    assert nam.page.evaluate(CHART_LAYOUT, [heatmap, "xaxis.tickangle"]) == -60
    # Cell labels would run into each other: the table under the chart gives them.
    cell_labels = nam.page.locator(f"[data-chart='{heatmap}'] svg text").filter(has_text="n=")
    assert cell_labels.count() == 0
    nam.page.set_viewport_size({"width": 1366, "height": 900})
    cell_labels.first.wait_for()
