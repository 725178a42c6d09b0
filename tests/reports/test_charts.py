import json

import plotly.graph_objects as go
import pytest

from assessments.models import Assessment
from reports import charts
from reports.selectors import field_statistics, org_benchmark
from tests import factories as f


def make_org(cycle, levels, *, status=Assessment.Status.VALIDATED, **fields):
    organization = f.OrganizationFactory(**fields)
    assessment = f.AssessmentFactory(organization=organization, cycle=cycle)
    f.answer_all(assessment, levels, status=status)
    return assessment


@pytest.fixture
def viewer(cycle):
    levels = [3] * 30
    levels[0:3] = [5, 5, 5]
    return make_org(cycle, levels, name="Viewer Hospital")


def benchmark_with_peers(cycle, viewer, n):
    for i in range(n):
        make_org(cycle, [2 + i % 3] * 30)
    return org_benchmark(assessment=viewer, peer_group="all")


def trace_names(figure):
    return [trace.name for trace in figure.data]


def test_radar_against_peer_median(cycle, viewer):
    benchmark = benchmark_with_peers(cycle, viewer, 5)  # peers 2, 3, 4, 2, 3: median 3
    figure = charts.radar(benchmark)
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
    figure = charts.radar(benchmark)
    assert trace_names(figure) == ["Viewer Hospital"]
    assert figure.layout.annotations[0].text == "Peer comparison hidden: fewer than 5 peers"
    assert "median" not in figure.to_json().lower()


def test_score_vs_iqr(cycle, viewer):
    benchmark = benchmark_with_peers(cycle, viewer, 5)
    figure = charts.score_vs_iqr(benchmark)
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
    figure = charts.score_vs_iqr(benchmark_with_peers(cycle, viewer, 3))
    assert trace_names(figure) == ["Viewer Hospital"]
    assert "fewer than 5 peers" in figure.layout.annotations[0].text


def test_trend(rubric):
    earlier = f.AssessmentCycleFactory(name="2025", rubric=rubric, status="closed")
    later = f.AssessmentCycleFactory(name="2026", rubric=rubric)
    organization = f.OrganizationFactory(name="Trend Clinic")
    f.answer_all(f.AssessmentFactory(organization=organization, cycle=earlier), 2, status="validated")
    current = f.answer_all(f.AssessmentFactory(organization=organization, cycle=later), 4, status="submitted")
    for _ in range(5):
        make_org(earlier, [3] * 30)
    figure = charts.trend(org_benchmark(assessment=current, peer_group="all"))
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
    for build in (charts.radar, charts.score_vs_iqr, charts.trend):
        data = charts.figure_data(build(benchmark))
        assert set(data) == {"data", "layout"}
        assert not {"updatemenus", "sliders"} & set(data["layout"])
        go.Figure(data)  # valid for plotly, and so for kaleido's SVG export
        json.dumps(data)


def test_distribution_boxes_and_heatmap(cycle, viewer):
    benchmark_with_peers(cycle, viewer, 5)
    stats = {slug: s for (_, slug), s in field_statistics(cycle=cycle).items()}
    figure = charts.distribution_boxes(stats, {"engaged": "Engaged", "overall": "Overall"})
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
    heat = charts.heatmap(["Hospital"], ["Engaged"], [[stats["engaged"].mean]], [[6]])
    assert [list(row) for row in heat.data[0].text] == [["3.17<br>n=6"]]
    assert heat.data[0].showscale is False


@pytest.mark.parametrize("peers", [4, 6])  # suppressed, shown
def test_unvalidated_figures_are_valid_and_serialize_as_plotly_does(two_cycle_charts, peers):
    # The figures skip graph_objects' validation for speed: validating their data here must find nothing
    # wrong, and figure_data()'s shortcut must give exactly what plotly's own to_json() gives.
    benchmark, stats = two_cycle_charts(viewer_name="Viewer Hospital", peers=peers)
    figures = [
        charts.radar(benchmark),
        charts.score_vs_iqr(benchmark),
        charts.trend(benchmark),
        charts.distribution_boxes(stats, {slug: slug.title() for slug in stats}),
        charts.heatmap(["Hospital", "Clinic"], ["Safe", "Fair"], [[3.5, None], [2, 4]], [[6, 0], [5, 7]]),
    ]
    for figure in figures:
        validated = go.Figure(figure.to_dict())  # raises on any property plotly does not know
        assert charts.figure_data(figure) == json.loads(figure.to_json()) == json.loads(validated.to_json())


def test_export_data_keeps_only_the_template_defaults_of_the_trace_types_drawn(cycle, viewer):
    benchmark = benchmark_with_peers(cycle, viewer, 5)
    spec = charts.score_vs_iqr_spec(benchmark)
    full = charts.figure_data(charts.as_figure(spec))
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
    traces = charts.trend_spec(org_benchmark(assessment=current, peer_group="all"))["data"]
    peer = next(t for t in traces if t["name"] == "Peer median, overall")
    commitments = traces[:10]
    assert peer["line"]["color"] == charts.PEER
    assert peer["line"]["dash"] not in {t["line"]["dash"] for t in commitments}
    assert peer["marker"]["symbol"] not in {t["marker"]["symbol"] for t in commitments}
