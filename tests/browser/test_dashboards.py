"""The dashboards in a real Chromium: the Plotly charts draw under the Content-Security-Policy (no violation,
no console error) and the pages pass axe-core."""

import pytest

from assessments.models import Assessment, OrgType
from reports.services.releases import release_publish
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
    release_publish(cycle=cycle)


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
    assert "Fewer than 5 organizations besides yours" in page.content()
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


def test_nam_publishes_a_release_and_a_member_sees_it(journey, nam_staff, executive_a, cycle, org_a):
    """NAM staff preview and publish release 1; the member's dashboard shows its figures and its line; a
    second release with too few changes is refused with the reason; five more results make release 2."""
    f.answer_all(f.AssessmentFactory(organization=org_a, cycle=cycle), 3, status=Assessment.Status.VALIDATED)
    for _ in range(5):
        f.answer_all(
            f.AssessmentFactory(organization=f.OrganizationFactory(), cycle=cycle), 2, status="validated"
        )
    nam = journey
    page = nam.page
    nam.login("nadia")
    nam.goto(f"/nam/cycles/{cycle.slug}/release/")
    page.get_by_role("heading", level=1, name="Publish release 1 of the 2026 peer figures").wait_for()
    assert "6 organizations, validated results only: 6 added, 0 changed, 0 withdrawn." in page.inner_text(
        "main"
    )
    nam.check("release-preview")
    page.get_by_role("button", name="Publish release 1").click()
    page.get_by_text("Published. Peer figures: release 1 of the 2026 cycle").wait_for()
    nam.check("release-published")

    member = journey.another("member")
    member.login("erin")
    member.goto("/orgs/alpha/dashboard/")
    line = member.page.get_by_test_id("release-line")
    assert line.inner_text().startswith("Peer figures: release 1 of the 2026 cycle, published ")
    assert line.inner_text().endswith(", 6 organizations, validated results only")
    assert member.page.locator("p.kpi-value").nth(1).inner_text() == "2.00"  # the peer median
    member.check("dashboard-release-1")

    # Two new results: too few for a release.
    for _ in range(2):
        f.answer_all(
            f.AssessmentFactory(organization=f.OrganizationFactory(), cycle=cycle), 5, status="validated"
        )
    nam.goto(f"/nam/cycles/{cycle.slug}/release/")
    assert "3 more" in page.get_by_test_id("refusal").inner_text()
    page.get_by_role("button", name="Publish release 2").click()
    page.get_by_text("Not published: only 2 results added, changed or withdrawn").first.wait_for()
    nam.check("release-refused")

    for _ in range(3):
        f.answer_all(
            f.AssessmentFactory(organization=f.OrganizationFactory(), cycle=cycle), 5, status="validated"
        )
    nam.goto(f"/nam/cycles/{cycle.slug}/release/")
    page.get_by_role("button", name="Publish release 2").click()
    page.get_by_text("Published. Peer figures: release 2 of the 2026 cycle").wait_for()

    member.goto("/orgs/alpha/dashboard/")
    assert "release 2 of the 2026 cycle" in member.page.get_by_test_id("release-line").inner_text()
    # Peers 2, 2, 2, 2, 2, 5, 5, 5, 5, 5: median 3.50.
    assert member.page.locator("p.kpi-value").nth(1).inner_text() == "3.50"
    member.check("dashboard-release-2")


CHART_LAYOUT = """([chart, path]) => path.split('.')
    .reduce((o, k) => o && o[k], document.querySelector(`[data-chart='${chart}']`).layout)"""


RADAR_BOXES = """() => {
  const chart = document.querySelector("[data-chart='chart-radar']");
  const box = chart.getBoundingClientRect();
  const texts = [...chart.querySelectorAll('.legendtext')].map(t => t.getBoundingClientRect().right);
  return {width: Math.round(box.width), height: Math.round(box.height), right: Math.round(box.right),
          circle: Math.round(chart.querySelector('.polarlayer .plotbg').getBoundingClientRect().width),
          legend_right: Math.round(Math.max(...texts))};
}"""


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
    # The radar keeps a circle worth reading (it was 114 px across in 460 px of height), as tall as it is
    # wide, and its legend, the peer group's long name included, stays inside the chart.
    radar = page.evaluate(RADAR_BOXES)
    assert radar["height"] == radar["width"]
    assert 300 <= radar["width"] < 400
    assert radar["circle"] >= 140
    assert radar["legend_right"] <= radar["right"]
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
    # Every commitment named (plotly skipped every other one), the groups' long names on two lines.
    commitments = nam.page.evaluate(f"() => document.querySelector(`[data-chart='{heatmap}']`).data[0].x")
    assert nam.page.evaluate(CHART_LAYOUT, [heatmap, "xaxis.ticktext"]) == commitments
    assert len(commitments) == 11
    assert nam.page.locator(f"[data-chart='{heatmap}'] .xtick").count() == 11
    groups = nam.page.evaluate(CHART_LAYOUT, [heatmap, "yaxis.ticktext"])
    assert "Academic<br>medical center" in groups
    assert "Hospital" in groups
    # Cell labels would run into each other: the table under the chart gives them.
    cell_labels = nam.page.locator(f"[data-chart='{heatmap}'] svg text").filter(has_text="n=")
    assert cell_labels.count() == 0
    nam.page.set_viewport_size({"width": 1366, "height": 900})
    cell_labels.first.wait_for()
    assert nam.page.evaluate(CHART_LAYOUT, [heatmap, "yaxis.ticktext"]) is None


def test_a_wide_tables_caption_stays_in_view_on_a_phone(journey, executive_a, field):
    """The scores table scrolls sideways at 390 px; its caption wraps to the visible width and stays there
    while the columns scroll (it ran past the screen's edge, cut)."""
    page = journey.page
    page.set_viewport_size({"width": 390, "height": 844})
    journey.login("erin")
    journey.goto("/orgs/alpha/dashboard/")
    scroller = page.locator(".table-responsive").filter(has=page.locator("table.dashboard-table")).first
    caption = scroller.locator("caption")
    assert caption.inner_text().startswith("Scores by commitment, cycle 2026, compared with")
    width = scroller.evaluate("s => s.clientWidth")
    assert scroller.evaluate("s => s.scrollWidth") > width  # the table does scroll sideways
    left = caption.evaluate("c => c.getBoundingClientRect().left")
    assert caption.evaluate("c => c.getBoundingClientRect().width") <= width
    scroller.evaluate("s => { s.scrollLeft = 200; }")
    assert scroller.evaluate("s => s.scrollLeft") == 200
    assert caption.evaluate("c => c.getBoundingClientRect().left") == left
