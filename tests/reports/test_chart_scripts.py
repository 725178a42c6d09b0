"""charts.figure_script(): the dashboards' chart JSON, written by Django's json_script without building plotly
Figures: what plotly serializes, but for the template's defaults of trace types the figure does not draw."""

import json
import re

import plotly.graph_objects as go
import pytest

from assessments.models import Assessment
from reports import charts
from reports.selectors import org_benchmark
from tests import factories as f


def make_org(cycle, levels, **fields):
    organization = f.OrganizationFactory(**fields)
    assessment = f.AssessmentFactory(organization=organization, cycle=cycle)
    return f.answer_all(assessment, levels, status=Assessment.Status.VALIDATED)


@pytest.mark.parametrize("peers", [4, 6])  # suppressed, shown
def test_figure_script_writes_what_plotly_serializes(two_cycle_charts, peers):
    # A name with the characters json_script escapes: it is in the traces' names and hover texts.
    benchmark, stats = two_cycle_charts(viewer_name="St. Mary's <Health> & Care", peers=peers)
    specs = {
        "radar": charts.radar_spec(benchmark),
        "iqr": charts.score_vs_iqr_spec(benchmark),
        "trend": charts.trend_spec(benchmark),
        "boxes": charts.distribution_boxes_spec(stats, {s: s.title() for s in stats}),
        "heatmap": charts.heatmap_spec(
            ["Hospital", "Clinic"], ["Safe", "Fair"], [[3.5, None], [2, 4]], [[6, 0], [5, 7]]
        ),
    }
    for name, spec in specs.items():
        figure = go.Figure(spec)
        element = charts.figure_script(spec, f"chart-{name}")
        # What plotly itself serializes, escaped by json_script so that it cannot end the element.
        body = re.fullmatch(
            rf'<script id="chart-{name}" type="application/json">(.*)</script>', element
        ).group(1)
        assert "<" not in body and ">" not in body and "&" not in body
        # The template's defaults only for the trace types drawn: plotly.js reads no other.
        expected = json.loads(figure.to_json())
        drawn = {trace.type for trace in figure.data}
        template = expected["layout"]["template"]
        template["data"] = {kind: defaults for kind, defaults in template["data"].items() if kind in drawn}
        assert set(json.loads(body)["layout"]["template"]["data"]) <= drawn
        assert json.loads(body) == expected


def test_figure_script_leaves_the_spec_unchanged(cycle):
    viewer = make_org(cycle, [3] * 30)
    spec = charts.radar_spec(org_benchmark(assessment=viewer, peer_group="all"))
    before = json.dumps(spec)
    charts.figure_script(spec, "chart-radar")
    assert json.dumps(spec) == before
