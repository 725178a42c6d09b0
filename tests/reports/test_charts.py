import contextlib
import json

import plotly.graph_objects as go
import pytest

from assessments.models import Assessment
from reports import charts
from reports.selectors import field_statistics, org_benchmark
from reports.services.releases import ReleaseRefused
from tests import factories as f
from tests.reports.conftest import publish


def make_org(cycle, levels, *, status=Assessment.Status.VALIDATED, **fields):
    organization = f.OrganizationFactory(**fields)
    assessment = f.AssessmentFactory(organization=organization, cycle=cycle)
    f.answer_all(assessment, levels, status=status)
    return assessment


@pytest.fixture
def viewer(cycle, all_figures):
    levels = [3] * 30
    levels[0:3] = [5, 5, 5]
    return make_org(cycle, levels, name="Viewer Hospital")


def benchmark_with_peers(cycle, viewer, n):
    for i in range(n):
        make_org(cycle, [2 + i % 3] * 30)
    with contextlib.suppress(ReleaseRefused):  # too few organizations for a first release: no peer figures
        publish(cycle)
    return org_benchmark(assessment=viewer, peer_group="all")


def trace_names(figure):
    return [trace.name for trace in figure.data]


def validated(spec: dict) -> go.Figure:
    """The product's plain figure data as a plotly Figure, validated (raises on any unknown property)."""
    return go.Figure(spec)


def test_radar_against_peer_median(cycle, viewer):
    benchmark = benchmark_with_peers(cycle, viewer, 5)  # peers 2, 3, 4, 2, 3: median 3
    figure = validated(charts.radar_spec(benchmark))
    assert trace_names(figure) == ["Viewer Hospital", "Peer median (All participating organizations, n=5)"]
    org, peer = figure.data
    assert list(org.r) == [5.0] + [3.0] * 9 + [5.0]  # closed loop
    assert list(org.theta)[:2] == ["Engaged", "Safe"] and org.theta[-1] == "Engaged"
    assert list(peer.r) == [3.0] * 11
    assert (org.line.dash, peer.line.dash, org.marker.symbol, peer.marker.symbol) == (
        None,
        "dash",
        "circle",
        "diamond",
    )


def test_radar_without_peers_when_suppressed(cycle, viewer):
    benchmark = benchmark_with_peers(cycle, viewer, 4)
    figure = validated(charts.radar_spec(benchmark))
    assert trace_names(figure) == ["Viewer Hospital"]
    assert figure.layout.annotations[0].text == "Peer comparison hidden: fewer than 5 peers"
    assert "median" not in figure.to_json().lower()


def test_score_vs_iqr(cycle, viewer):
    benchmark = benchmark_with_peers(cycle, viewer, 5)
    figure = validated(charts.score_vs_iqr_spec(benchmark))
    bars, medians, scores = figure.data
    assert trace_names(figure) == [
        "Middle half of peers (25th to 75th percentile)",
        "Peer median",
        "Viewer Hospital",
    ]
    # First commitment on top: the traces list commitments bottom-up.
    assert bars.y[-1] == "Engaged" and bars.orientation == "h"
    assert (bars.base[-1], bars.x[-1]) == (2.0, 1.0)  # peers 2, 2, 3, 3, 4: p25 2, p75 3
    assert medians.x[-1] == 3.0
    assert (scores.x[-1], scores.text[-1], scores.marker.symbol) == (5.0, "5.00", "diamond")
    assert bars.marker.pattern.shape == "/"  # not colour alone


def test_score_vs_iqr_suppressed_has_only_the_organization(cycle, viewer):
    # Four organizations in all: not even a first release can be published.
    figure = validated(charts.score_vs_iqr_spec(benchmark_with_peers(cycle, viewer, 3)))
    assert trace_names(figure) == ["Viewer Hospital"]
    assert "no peer figures published yet" in figure.layout.annotations[0].text


def test_trend(rubric):
    earlier = f.AssessmentCycleFactory(name="2025", rubric=rubric, status="closed")
    later = f.AssessmentCycleFactory(name="2026", rubric=rubric)
    organization = f.OrganizationFactory(name="Trend Clinic")
    f.answer_all(f.AssessmentFactory(organization=organization, cycle=earlier), 2, status="validated")
    current = f.answer_all(f.AssessmentFactory(organization=organization, cycle=later), 4, status="submitted")
    for _ in range(5):
        make_org(earlier, [3] * 30)
    publish(earlier)
    figure = validated(charts.trend_spec(org_benchmark(assessment=current, peer_group="all")))
    assert trace_names(figure)[-2:] == ["Peer median, overall", "Overall"]
    overall = figure.data[-1]
    assert (list(overall.x), list(overall.y), list(overall.text)) == (
        ["2025", "2026"],
        [2.0, 4.0],
        ["2.00", "4.00"],
    )
    peer = figure.data[-2]
    assert (list(peer.x), list(peer.y)) == (["2025"], [3.0])  # 2026 has no peers yet: no point
    assert len(figure.data) == 12  # ten commitments, the peer median and the overall score


def test_figures_are_plain_static_json(cycle, viewer):
    benchmark = benchmark_with_peers(cycle, viewer, 6)
    for build in (charts.radar_spec, charts.score_vs_iqr_spec, charts.trend_spec):
        data = build(benchmark)
        assert set(data) == {"data", "layout"}
        assert not {"updatemenus", "sliders"} & set(data["layout"])
        go.Figure(data)  # valid for plotly, and so for kaleido's SVG export
        json.dumps(data)


def test_distribution_boxes_and_heatmap(cycle, viewer):
    benchmark_with_peers(cycle, viewer, 5)
    stats = {slug: s for (_, slug), s in field_statistics(cycle=cycle).items()}
    figure = validated(charts.distribution_boxes_spec(stats, {"engaged": "Engaged", "overall": "Overall"}))
    box = figure.data[0]
    assert list(box.x) == ["Engaged", "Overall"]
    # Engaged: viewer 5 and peers 2, 3, 4, 2, 3 -> 2, 2, 3, 3, 4, 5.
    assert (box.q1[0], box.median[0], box.q3[0], box.lowerfence[0], box.upperfence[0]) == (
        2.25,
        3.0,
        3.75,
        2.0,
        4.5,
    )
    heat = validated(charts.heatmap_spec(["Hospital"], ["Engaged"], [[stats["engaged"].mean]], [[6]]))
    assert [list(row) for row in heat.data[0].text] == [["3.17<br>n=6"]]
    assert heat.data[0].showscale is False


@pytest.mark.parametrize("peers", [4, 6])  # suppressed, shown
def test_plain_figures_are_valid_plotly_figures(two_cycle_charts, peers):
    # The figures skip graph_objects' validation for speed: validating them here must find nothing wrong.
    benchmark, stats = two_cycle_charts(viewer_name="Viewer Hospital", peers=peers)
    specs = [
        charts.radar_spec(benchmark),
        charts.score_vs_iqr_spec(benchmark),
        charts.trend_spec(benchmark),
        charts.distribution_boxes_spec(stats, {slug: slug.title() for slug in stats}),
        charts.heatmap_spec(
            ["Hospital", "Clinic"], ["Safe", "Fair"], [[3.5, None], [2, 4]], [[6, 0], [5, 7]]
        ),
    ]
    for spec in specs:
        figure = validated(spec)  # raises on any property plotly does not know
        assert [trace.type for trace in figure.data] == [trace["type"] for trace in spec["data"]]


def test_export_data_keeps_only_the_template_defaults_of_the_trace_types_drawn(cycle, viewer):
    benchmark = benchmark_with_peers(cycle, viewer, 5)
    spec = charts.score_vs_iqr_spec(benchmark)
    full = json.loads(validated(spec).to_json())  # what plotly itself serializes
    exported = charts.export_data(spec)
    template, full_template = exported["layout"].pop("template"), full["layout"].pop("template")
    assert sorted(template["data"]) == ["bar", "scatter"]  # plotly.js reads no other
    assert template == {
        "layout": full_template["layout"],
        "data": {kind: full_template["data"][kind] for kind in ("bar", "scatter")},
    }
    assert exported == full


def contrast(one: str, other: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted([luminance(one), luminance(other)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_heatmap_labels_are_readable_on_every_cell():
    """WCAG 1.4.3: the one label colour against each colour of the scale, the darkest included."""
    cells = charts.heatmap_spec(["Hospital"], ["Engaged"], [[None]], [[0]])["data"][0]
    label = cells["textfont"]["color"]
    ratios = [round(contrast(label, colour), 2) for _, colour in cells["colorscale"]]
    assert ratios == [18.16, 15.59, 10.78, 5.54]


def test_peer_lines_and_ranges_stand_out_and_the_peer_median_is_not_told_by_colour_alone(rubric):
    """WCAG 1.4.11 (3:1 on white) and 1.4.1: no commitment line shares the peer median's dash or marker."""
    assert round(contrast(charts.PEER, "#ffffff"), 2) == 5.5
    assert round(contrast(charts.PEER_RANGE, "#ffffff"), 2) == 4.53
    earlier = f.AssessmentCycleFactory(name="2025", rubric=rubric, status="closed")
    later = f.AssessmentCycleFactory(name="2026", rubric=rubric)
    organization = f.OrganizationFactory(name="Trend Clinic")
    f.answer_all(f.AssessmentFactory(organization=organization, cycle=earlier), 2, status="validated")
    current = f.answer_all(f.AssessmentFactory(organization=organization, cycle=later), 4, status="submitted")
    for _ in range(5):
        make_org(earlier, [3] * 30)
    publish(earlier)  # peer figures come from releases
    traces = charts.trend_spec(org_benchmark(assessment=current, peer_group="all"))["data"]
    peer = next(t for t in traces if t["name"] == "Peer median, overall")
    commitments = traces[:10]
    assert peer["line"]["color"] == charts.PEER
    assert peer["line"]["dash"] not in {t["line"]["dash"] for t in commitments}
    assert peer["marker"]["symbol"] not in {t["marker"]["symbol"] for t in commitments}


def test_a_dashboard_chart_carries_the_template_defaults_of_its_own_trace_types_only(cycle, viewer):
    benchmark = benchmark_with_peers(cycle, viewer, 5)
    spec = charts.radar_spec(benchmark)
    html = charts.figure_script(spec, "chart-radar")
    figure = json.loads(
        html.removeprefix('<script id="chart-radar" type="application/json">').removesuffix("</script>")
    )
    full_template = json.loads(validated(spec).to_json())["layout"]["template"]
    assert figure["layout"]["template"] == {
        "layout": full_template["layout"],
        "data": {"scatterpolar": full_template["data"]["scatterpolar"]},
    }
    assert figure["data"] == spec["data"]
