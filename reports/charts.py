"""Every chart of the portal, built as Plotly figures from selector output.

The same figures are drawn in the browser by static/js/charts.js and exported as SVG for the PDF
scorecards, so they use nothing that only works in a browser. Colours come from the Okabe-Ito palette
(safe for colour-blind readers) and never carry meaning alone: the organization is a solid line with round
markers, peers a dashed line with diamonds, the peer range a hatched bar, and every trace is named.

Each figure is written as plain data (traces and layout as dicts, exactly what plotly.js reads), never
through graph_objects' property validation, which took 40-110 ms per dashboard, more than the rest of the
page; tests/reports/test_charts.py validates every one with go.Figure instead.
"""

import json
from decimal import Decimal

import plotly
import plotly.io as pio
from django.utils.html import json_script

from commitments.models import MaturityLevel
from lhs_portal import cache

from .selectors import OrgBenchmark, PeerStats

# Okabe-Ito
BLUE = "#0072B2"
ORANGE = "#E69F00"
SKY = "#56B4E9"
GREEN = "#009E73"
VERMILION = "#D55E00"
PURPLE = "#CC79A7"
YELLOW = "#F0E442"
BLACK = "#000000"
NAVY = "#12355b"
GRID = "#d9dee5"
# Peer figures drawn as lines or outlines: 3:1 or more against white (WCAG 1.4.11), unlike ORANGE (2.25:1)
# and SKY (2.31:1).
PEER = "#B34700"  # 5.5:1
PEER_RANGE = "#2B7BB9"  # 4.5:1
SERIES = [BLUE, VERMILION, GREEN, PURPLE, ORANGE, SKY, BLACK, "#8c6d00", "#5a5a5a", "#7a3e9d"]
SYMBOLS = [
    "circle",
    "square",
    "diamond",
    "triangle-up",
    "x",
    "cross",
    "triangle-down",
    "star",
    "hexagon",
    "pentagon",
]
DASHES = ["solid", "dot", "dash", "longdash", "dashdot", "longdashdot"]
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
LEVEL_TICKS = [level.value for level in MaturityLevel]
LEVEL_TEXT = [f"{level.value} {level.label}" for level in MaturityLevel]


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _spec(data: list[dict], *, annotations: list[dict] | None = None, height: int = 420, **extra) -> dict:
    """Plain figure data: trace dicts (each with its "type") and the common layout."""
    layout = {
        "height": height,
        "font": {"family": FONT, "size": 13, "color": "#1f2933"},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "margin": {"l": 20, "r": 20, "t": 30, "b": 20},
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0, "font": {"size": 12}},
        "hoverlabel": {"font": {"family": FONT}},
    }
    if annotations:
        layout["annotations"] = annotations
    layout.update(extra)
    return {"data": data, "layout": layout}


def _peer_name(benchmark: OrgBenchmark) -> str:
    return f"Peer median ({benchmark.peer_group_value}, n={benchmark.n_peers})"


def _hidden_text(benchmark: OrgBenchmark) -> str:
    # The short form of benchmark.hidden_reason (reports/disclosure.py), which the page gives in full.
    if benchmark.release is None:
        return "Peer comparison hidden: no peer figures published yet"
    if benchmark.n_peers < benchmark.min_peers:
        return f"Peer comparison hidden: fewer than {benchmark.min_peers} peers"
    return "Peer comparison hidden: too close to another group"


def _suppressed_note(benchmark: OrgBenchmark, *, y: float = 1.08) -> dict:
    return {
        "font": {"color": "#3b4650", "size": 12},
        "showarrow": False,
        "text": _hidden_text(benchmark),
        "x": 0.5,
        "xanchor": "center",
        "xref": "paper",
        "y": y,
        "yref": "paper",
    }


def radar_spec(benchmark: OrgBenchmark) -> dict:
    """The organization's commitment scores against the peer median (no peer trace when suppressed)."""
    names = [c.name for c in benchmark.commitments]
    closed_names = [*names, names[0]] if names else names
    scores = [_num(c.score) or 0 for c in benchmark.commitments]
    data = [
        {
            "type": "scatterpolar",
            "r": [*scores, scores[0]] if scores else scores,
            "theta": closed_names,
            "name": benchmark.organization.name,
            "mode": "lines+markers",
            "line": {"color": BLUE, "width": 3},
            "marker": {"symbol": "circle", "size": 8},
            "fill": "toself",
            "fillcolor": "rgba(0, 114, 178, 0.15)",
            "hovertemplate": "%{theta}: %{r:.2f}<extra>" + benchmark.organization.name + "</extra>",
        }
    ]
    annotations = []
    if not benchmark.suppressed:
        medians = [_num(c.peer.median) if c.peer else None for c in benchmark.commitments]
        data.append(
            {
                "type": "scatterpolar",
                "r": [*medians, medians[0]] if medians else medians,
                "theta": closed_names,
                "name": _peer_name(benchmark),
                "mode": "lines+markers",
                "line": {"color": PEER, "width": 2, "dash": "dash"},
                "marker": {"symbol": "diamond", "size": 9},
                "hovertemplate": "%{theta}: %{r:.2f}<extra>Peer median</extra>",
            }
        )
    else:
        annotations.append(_suppressed_note(benchmark))
    return _spec(
        data,
        annotations=annotations,
        height=460,
        polar={
            "radialaxis": {
                "range": [0, 5],
                "tickvals": LEVEL_TICKS,
                "ticktext": [str(v) for v in LEVEL_TICKS],
                "gridcolor": GRID,
                # Between the first two spokes, so the numbers never sit on a commitment's name.
                "angle": 72,
                "tickangle": 0,
                "tickfont": {"size": 10, "color": "#5b6670"},
            },
            "angularaxis": {"gridcolor": GRID, "direction": "clockwise", "rotation": 90},
            "bgcolor": "white",
        },
        margin={"l": 95, "r": 95, "t": 40, "b": 30},
        showlegend=True,
    )


def score_vs_iqr_spec(benchmark: OrgBenchmark) -> dict:
    """Per commitment: the organization's score (diamond) against the middle half of peers (hatched bar,
    25th to 75th percentile) and the peer median (vertical tick)."""
    rows = list(reversed(benchmark.commitments))  # the first commitment on top
    names = [c.name for c in rows]
    data, annotations = [], []
    if not benchmark.suppressed:
        # The middle half only where disclosure shows quartiles (reports/disclosure.py); the median always.
        with_peers = [c for c in rows if c.peer and c.peer.p25 is not None]
        data.append(
            {
                "type": "bar",
                "y": [c.name for c in with_peers],
                "x": [float(c.peer.p75 - c.peer.p25) for c in with_peers],
                "base": [float(c.peer.p25) for c in with_peers],
                "orientation": "h",
                "name": "Middle half of peers (25th to 75th percentile)",
                "marker": {
                    "color": "rgba(86, 180, 233, 0.35)",
                    "line": {"color": PEER_RANGE, "width": 1.5},
                    "pattern": {"shape": "/", "fgcolor": PEER_RANGE, "size": 6, "solidity": 0.2},
                },
                "width": 0.55,
                "customdata": [[float(c.peer.p25), float(c.peer.p75)] for c in with_peers],
                "hovertemplate": "%{y}: peers' middle half %{customdata[0]:.2f} to %{customdata[1]:.2f}"
                "<extra></extra>",
            }
        )
        data.append(
            {
                "type": "scatter",
                "y": [c.name for c in rows if c.peer],
                "x": [float(c.peer.median) for c in rows if c.peer],
                "mode": "markers",
                "name": "Peer median",
                "marker": {"symbol": "line-ns-open", "size": 22, "color": BLACK, "line": {"width": 3}},
                "hovertemplate": "%{y}: peer median %{x:.2f}<extra></extra>",
            }
        )
    else:
        annotations.append(_suppressed_note(benchmark))
    scored = [c for c in rows if c.score is not None]
    data.append(
        {
            "type": "scatter",
            "y": [c.name for c in scored],
            "x": [float(c.score) for c in scored],
            "mode": "markers+text",
            "name": benchmark.organization.name,
            "marker": {
                "symbol": "diamond",
                "size": 13,
                "color": BLUE,
                "line": {"color": "white", "width": 1},
            },
            "text": [f"{c.score:.2f}" for c in scored],
            "textposition": "middle right",
            "textfont": {"color": BLUE, "size": 12},
            "hovertemplate": "%{y}: %{x:.2f}<extra>" + benchmark.organization.name + "</extra>",
        }
    )
    return _spec(
        data,
        annotations=annotations,
        height=120 + 34 * len(names),
        barmode="overlay",
        xaxis={
            "range": [0.8, 5.35],
            "tickvals": LEVEL_TICKS,
            "ticktext": LEVEL_TEXT,
            "gridcolor": GRID,
            "zeroline": False,
        },
        yaxis={"categoryorder": "array", "categoryarray": names, "automargin": True},
        margin={"l": 20, "r": 20, "t": 40, "b": 20},
    )


def trend_spec(benchmark: OrgBenchmark) -> dict:
    """The overall score (thick line) and each commitment across cycles, with the peer median overall."""
    cycles = [p.cycle_name for p in benchmark.trend]
    data = []
    for index, commitment in enumerate(benchmark.commitments):
        data.append(
            {
                "type": "scatter",
                "x": cycles,
                "y": [_num(p.commitments.get(commitment.slug)) for p in benchmark.trend],
                "mode": "lines+markers",
                "name": commitment.name,
                "line": {
                    "color": SERIES[index % len(SERIES)],
                    "width": 1.5,
                    "dash": DASHES[index % len(DASHES)],
                },
                "marker": {"symbol": SYMBOLS[index % len(SYMBOLS)], "size": 7},
                "opacity": 0.75,
                "hovertemplate": "%{x}: %{y:.2f}<extra>" + commitment.name + "</extra>",
            }
        )
    peer_points = [p for p in benchmark.trend if p.peer_median is not None]
    if peer_points:
        data.append(
            {
                "type": "scatter",
                "x": [p.cycle_name for p in peer_points],
                "y": [float(p.peer_median) for p in peer_points],
                "mode": "lines+markers",
                "name": "Peer median, overall",
                # A dash pattern and a marker no commitment line has: told apart without colour (WCAG 1.4.1).
                "line": {"color": PEER, "width": 3, "dash": "12px,4px,2px,4px"},
                "marker": {"symbol": "hourglass", "size": 10},
                "hovertemplate": "%{x}: %{y:.2f}<extra>Peer median</extra>",
            }
        )
    data.append(
        {
            "type": "scatter",
            "x": cycles,
            "y": [_num(p.overall) for p in benchmark.trend],
            "mode": "lines+markers+text",
            "name": "Overall",
            "line": {"color": NAVY, "width": 4},
            "marker": {"symbol": "circle", "size": 11},
            "text": [f"{p.overall:.2f}" if p.overall is not None else "" for p in benchmark.trend],
            "textposition": "top center",
            "textfont": {"color": NAVY, "size": 13},
            "hovertemplate": "%{x}: %{y:.2f}<extra>Overall</extra>",
        }
    )
    return _spec(
        data,
        height=440,
        xaxis={"type": "category", "title": {"text": "Assessment cycle"}, "gridcolor": GRID},
        yaxis={
            "range": [0.8, 5.3],
            "tickvals": LEVEL_TICKS,
            "ticktext": LEVEL_TEXT,
            "gridcolor": GRID,
            "zeroline": False,
        },
        legend={"orientation": "v", "x": 1.02, "y": 1, "font": {"size": 12}},
        margin={"l": 20, "r": 20, "t": 30, "b": 20},
    )


# ---------------------------------------------------------------------------------------------------------
# NAM staff: field-wide charts


def distribution_boxes_spec(stats: dict[str, PeerStats], names: dict[str, str]) -> dict:
    """Per commitment (and overall), a box drawn from percentiles: box 25th-75th, line at the median,
    whiskers from the 10th to the 90th percentile, a diamond at the mean."""
    keys = [slug for slug in names if slug in stats]
    box = {
        "type": "box",
        "x": [names[k] for k in keys],
        "q1": [float(stats[k].p25) for k in keys],
        "median": [float(stats[k].median) for k in keys],
        "q3": [float(stats[k].p75) for k in keys],
        "lowerfence": [float(stats[k].p10 if stats[k].p10 is not None else stats[k].p25) for k in keys],
        "upperfence": [float(stats[k].p90) for k in keys],
        "mean": [float(stats[k].mean) for k in keys],
        "boxmean": True,
        "name": "Organizations",
        "marker": {"color": BLUE},
        "fillcolor": "rgba(0, 114, 178, 0.18)",
        "line": {"color": BLUE},
        "showlegend": False,
    }
    return _spec(
        [box],
        height=420,
        yaxis={"range": [0.8, 5.2], "tickvals": LEVEL_TICKS, "ticktext": LEVEL_TEXT, "gridcolor": GRID},
        xaxis={"tickangle": -30},
    )


def heatmap_spec(rows: list[str], columns: list[str], means, counts) -> dict:
    """Mean scores (rows: groups, columns: commitments) with each cell labelled by its mean and n."""
    text = [
        [
            "" if mean is None else f"{mean:.2f}<br>n={count}"
            for mean, count in zip(mean_row, count_row, strict=True)
        ]
        for mean_row, count_row in zip(means, counts, strict=True)
    ]
    cells = {
        "type": "heatmap",
        "z": [[_num(m) for m in row] for row in means],
        "x": columns,
        "y": rows,
        "text": text,
        "texttemplate": "%{text}",
        # One dark text colour on every cell: the scale stops at a mid blue, so each label is 5.5:1 or more
        # (plotly's automatic black-or-white text fell to 3.1:1 on the middle blues).
        "textfont": {"size": 12, "color": "#111111"},
        # ColorBrewer Blues: one hue, readable by colour-blind readers; every cell also shows its number,
        # so no colour scale is drawn (plotly's colour bar also sets a style attribute our CSP blocks).
        "colorscale": [
            [0, "#f7fbff"],
            [0.33, "#deebf7"],
            [0.66, "#9ecae1"],
            [1, "#4292c6"],
        ],
        "zmin": 1,
        "zmax": 5,
        "showscale": False,
        "hovertemplate": "%{y}, %{x}: %{z:.2f}<extra></extra>",
        "xgap": 2,
        "ygap": 2,
    }
    return _spec(
        [cells],
        height=140 + 48 * len(rows),
        yaxis={"autorange": "reversed", "automargin": True},
        xaxis={"side": "top", "tickangle": 0},
        margin={"l": 20, "r": 20, "t": 40, "b": 10},
    )


def export_data(spec: dict) -> dict:
    """A figure's plain data (a *_spec() function's) for an image export by kaleido: what plotly's
    figure.to_json() gives, with the template's defaults for the trace types the figure draws only."""
    data = json.loads(json.dumps(spec))  # a copy the caller may change
    data["layout"]["template"] = template_for(spec)
    return data


def template_for(spec: dict) -> dict:
    """Plotly's default template as plain data (what figure.to_json() writes in every figure's layout),
    keeping template.data only for the trace types this figure draws: plotly.js reads no other, so the
    chart is the same, and parsing and merging forty other types' defaults was an eighth of what Chromium
    did per chart (and most of each dashboard chart's JSON)."""
    template = cache.get_or_compute(
        "plotly-template",
        f"plotly-{plotly.__version__}-{pio.templates.default}",
        # to_plotly_json() deep-copies the whole template (about 1 ms); the one cache keeps its plain data,
        # which only changes with plotly's version or the default template's name.
        compute=lambda: pio.templates[pio.templates.default].to_plotly_json(),
    )
    types = {trace.get("type", "scatter") for trace in spec["data"]}
    return {
        **template,
        "data": {kind: defaults for kind, defaults in template.get("data", {}).items() if kind in types},
    }


def figure_script(spec: dict, element_id: str) -> str:
    """The <script type="application/json"> element static/js/charts.js draws a figure from: its plain data
    (a *_spec() function's) with plotly's default template, written by Django's json_script."""
    return json_script(
        {"data": spec["data"], "layout": {**spec["layout"], "template": template_for(spec)}}, element_id
    )
