"""The PDF scorecard as a document: what it shows (and the hash of that), its print charts, its HTML and PDF.

The service (reports.services.scorecards) decides when a scorecard is rendered and where it is stored; this
module only turns an assessment and its released peer figures into pages.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import hashlib
import json
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import ordinal
from django.core.exceptions import ValidationError
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone

from assessments.models import Assessment, Response
from commitments.models import Commitment, LevelDescriptor, MaturityLevel, level_label
from reports import charts, score_notes
from reports.disclosure import method_context
from reports.exporters import chart_svg, pdf
from reports.peer_groups import PeerGroup
from reports.perception import perception_gap
from reports.plans.selectors import scorecard_plan_context
from reports.selectors import org_benchmark

# Bump when the templates or the CSS change what a PDF looks like: every scorecard is then rendered afresh.
TEMPLATE_VERSION = "2026.12-1"
NO_VALUE = "\u2013"  # an en dash: no score, or a peer figure not shown
STATIC_DIR = Path(settings.BASE_DIR) / "static"
PAGE_SIZES = {"letter": "letter", "a4": "A4"}
STYLESHEET = STATIC_DIR / "css" / "scorecard-pdf.css"


class ScorecardUnavailable(ValidationError):
    """No scorecard can be made for this assessment (not submitted, unknown peer group...)."""


# ---------------------------------------------------------------------------------------------------------
# What the PDF shows


@dataclass(frozen=True)
class IndicatorRow:
    code: str
    title: str
    level: int | None
    level_label: str
    not_applicable: bool
    current: str  # the descriptor of the level reached
    next_level_label: str  # "" at level 5, N/A or unanswered
    next_step: str  # the descriptor of the level above


@dataclass(frozen=True)
class ScorecardDocument:
    """Everything one scorecard PDF shows, and its hash."""

    assessment: Assessment
    peer_group: str
    benchmark: object  # reports.selectors.OrgBenchmark
    indicators: dict[str, list[IndicatorRow]]  # by commitment slug
    definitions: dict[str, str]  # commitment slug -> its definition
    # Commitments NAM's framework pages name or word differently (Fair / Equitable): slug -> both wordings
    wordings: dict[str, dict[str, str]]
    perception: (
        object  # reports.perception: the latest closed rating round's groups beside the official levels
    )
    plan_html: str  # the page "Our improvement plan" (reports.plans.selectors), rendered; "" without a plan
    rubric_version: str
    page_size: str
    inputs_hash: str


def page_size() -> str:
    return PAGE_SIZES.get(str(settings.SCORECARD_PAGE_SIZE).strip().lower(), "letter")


def _indicator_rows(assessment: Assessment) -> dict[str, list[IndicatorRow]]:
    """Each indicator's level and, as the next step, the descriptor of the level above (two queries)."""
    responses = list(
        Response.objects.filter(assessment=assessment)
        .select_related("indicator__commitment")
        .order_by("indicator__commitment__order", "indicator__order")
    )
    descriptors = {
        (indicator_id, level): text
        for indicator_id, level, text in LevelDescriptor.objects.filter(
            indicator__commitment__rubric_id=assessment.cycle.rubric_id
        ).values_list("indicator_id", "level", "text")
    }
    rows: dict[str, list[IndicatorRow]] = {}
    for response in responses:
        indicator = response.indicator
        level = response.level
        next_level = level + 1 if level is not None and level < MaturityLevel.LEARNING else None
        rows.setdefault(indicator.commitment.slug, []).append(
            IndicatorRow(
                code=indicator.code,
                title=indicator.title,
                level=level,
                level_label="Not applicable" if response.not_applicable else level_label(level),
                not_applicable=response.not_applicable,
                current=descriptors.get((indicator.pk, level), "") if level else "",
                next_level_label=level_label(next_level) if next_level else "",
                next_step=descriptors.get((indicator.pk, next_level), "") if next_level else "",
            )
        )
    return rows


def _plain(value):
    """A JSON-able, canonical form of selector output: dataclasses, models, numbers, dates."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, models.Model):
        return f"{value._meta.label}:{value.pk}"
    if isinstance(value, enum.Enum):
        return _plain(value.value)
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, decimal.Decimal):
        return str(value.normalize())
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    return str(value)


def scorecard_document(*, assessment: Assessment, peer_group: str, release=None) -> ScorecardDocument:
    """Read what the scorecard of this assessment against this peer group shows; its peer figures from
    `release` (the one a scorecard recorded) or the cycle's latest."""
    if assessment.status not in (Assessment.Status.SUBMITTED, Assessment.Status.VALIDATED):
        raise ScorecardUnavailable(
            f"The {assessment.cycle} assessment of {assessment.organization} is not submitted: "
            "a scorecard is made from a submitted or validated assessment."
        )
    if peer_group not in PeerGroup.values:
        raise ScorecardUnavailable(f"Unknown peer group {peer_group!r}.")
    benchmark = org_benchmark(assessment=assessment, peer_group=peer_group, release=release)
    indicators = _indicator_rows(assessment)
    definitions = {}
    wordings = {}
    for commitment in Commitment.objects.filter(rubric_id=assessment.cycle.rubric_id):
        definitions[commitment.slug] = commitment.definition
        if commitment.framework_definition and (
            commitment.framework_definition != commitment.definition
            or commitment.display_name != commitment.name
        ):
            wordings[commitment.slug] = {
                "display_name": commitment.display_name,
                "definition": commitment.definition,
                "source": commitment.definition_source,
                "framework_name": commitment.framework_name or commitment.name,
                "framework_definition": commitment.framework_definition,
                "framework_source": commitment.framework_source,
            }
    # The improvement plan's page belongs to the plans feature: its rendered HTML is both what the PDF
    # shows and what the hash covers (titles, owners, due dates, statuses). A cycle with neither a plan nor
    # last cycle's targets to review gets one line on the summary page instead of a page.
    plan_context = scorecard_plan_context(assessment=assessment)
    overview, review = plan_context.get("plan_overview"), plan_context.get("target_review")
    has_plan_page = bool(overview and overview.has_plan) or bool(review and not review.is_empty)
    plan_html = (
        render_to_string("reports/plans/snippets/scorecard_plan_page.html", plan_context)
        if has_plan_page
        else ""
    )
    rubric_version = assessment.cycle.rubric.version
    perception = perception_gap(assessment)
    size = page_size()
    canonical = json.dumps(
        {
            "template_version": TEMPLATE_VERSION,
            "organization": assessment.organization.name,
            "cycle": assessment.cycle.name,
            "assessment_status": assessment.status,
            "rubric_version": rubric_version,
            "page_size": size,
            "peer_group": peer_group,
            "benchmark": _plain(benchmark),
            "indicators": _plain(indicators),
            "definitions": definitions,
            "wordings": wordings,
            "perception": _plain(perception),
            "plan": plan_html,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return ScorecardDocument(
        assessment=assessment,
        peer_group=peer_group,
        benchmark=benchmark,
        indicators=indicators,
        definitions=definitions,
        wordings=wordings,
        perception=perception,
        plan_html=plan_html,
        rubric_version=rubric_version,
        page_size=size,
        inputs_hash=hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
    )


# Chart sizes in CSS pixels (96 per inch): drawn at the size they are printed, so text stays legible.
CHART_SIZES = {"radar": (400, 320), "score_vs_iqr": (680, 280), "trend": (680, 270)}
# The peer median's line in print: the dashboards' orange (2.25:1 on white) darkened to 5:1.
PRINT_PEER_COLOR = "#9A5B00"


# Print adjustments to the dashboards' figures, merged into their layout as plotly's update_layout would:
# the PDF's own font; no numbers on the radar's rings (they sat on the markers of the first spokes: the
# caption says what the rings are).
_PRINT_FONT = {"font": {"family": "IBM Plex Sans, sans-serif"}}
_PRINT_LAYOUT = {
    "radar": {"polar": {"radialaxis": {"showticklabels": False}}},
    "trend": {
        "xaxis": {"title": {"text": ""}},
        "yaxis": {"range": [0.7, 5.4]},
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
    },
}


def _merged(into: dict, changes: dict) -> dict:
    """`changes` merged into a copy of `into`, nested dicts key by key (as plotly's update_layout)."""
    merged = dict(into)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merged(merged[key], value)
        else:
            merged[key] = value
    return merged


def _print_trend(figure: dict, benchmark) -> None:
    """The trend as the PDF draws it: the overall score and the overall peer median only (the commitments
    are in the table below the chart), each value written beside its own marker on the side away from the
    other line's marker of the same cycle."""
    names = {c.name for c in benchmark.commitments}
    figure["data"] = [trace for trace in figure["data"] if trace.get("name") not in names]
    medians = {p.cycle_name: p.peer_median for p in benchmark.trend}
    for trace in figure["data"]:
        if trace.get("name") == "Overall":
            trace["textposition"] = [
                "bottom center"
                if medians.get(p.cycle_name) is not None and p.overall < medians[p.cycle_name]
                else "top center"
                for p in benchmark.trend
            ]
            trace["textfont"] = {**trace.get("textfont", {}), "size": 11}


def print_figures(benchmark) -> dict[str, dict]:
    """The charts of reports/charts.py that the PDF shows, as plain figure data with the print adjustments.

    The figures stay plain data (charts.*_spec) to the end: plotly's validated update_layout and to_dict
    took more time than building them."""
    figures = {"radar": charts.radar_spec(benchmark)}
    if not benchmark.suppressed:
        figures["score_vs_iqr"] = charts.score_vs_iqr_spec(benchmark)
        # The scores are in the table above the chart: no number beside each diamond (they sat on the
        # peer median's tick).
        for trace in figures["score_vs_iqr"]["data"]:
            if trace.get("mode") == "markers+text":
                trace["mode"] = "markers"
                trace.pop("text", None)
    if len(benchmark.trend) > 1:
        figures["trend"] = charts.trend_spec(benchmark)
        _print_trend(figures["trend"], benchmark)
    if benchmark.suppressed:  # the page says why peers are missing, in words: no note over the chart
        figures["radar"]["layout"]["annotations"] = []
    for name, figure in figures.items():
        for trace in figure["data"]:
            # The legend names the organization's trace "Your organization": a long name would be cut off.
            if trace.get("name") == benchmark.organization.name:
                trace["name"] = "Your organization"
            if trace.get("line", {}).get("color") == charts.ORANGE:  # the peer median, darker on paper
                trace["line"] = {**trace["line"], "color": PRINT_PEER_COLOR}
                trace["marker"] = {**trace.get("marker", {}), "color": PRINT_PEER_COLOR}
        # No legend in the drawing: each figure's caption names what its lines and marks are, in the
        # page's text (WeasyPrint draws an SVG's text a letter at a time: the legends were a third of it).
        figure["layout"] = _merged(
            figure["layout"], {**_PRINT_LAYOUT.get(name, {}), **_PRINT_FONT, "showlegend": False}
        )
    return figures


def _charts(document: ScorecardDocument) -> tuple[dict[str, str], dict[str, pdf.Resource]]:
    """The PDF's charts: their URLs in the HTML, and the resources that give their SVG. Chromium starts
    drawing them at once; WeasyPrint lays the pages out around an image of each chart's size and asks for
    the drawing only when it paints (pdf.painted_later), so Chromium draws while the pages are laid out."""
    figures = print_figures(document.benchmark)
    specs = [
        chart_svg.ChartSpec(figure=charts.export_data(figure), width=width, height=height)
        for (width, height), figure in ((CHART_SIZES[name], figure) for name, figure in figures.items())
    ]
    pending = chart_svg.draw_soon(specs)

    def drawing(index: int) -> pdf.Resource:
        return lambda: (pending.svgs()[index].encode("utf-8"), "image/svg+xml")

    urls, resources = {}, {}
    for index, (name, spec) in enumerate(zip(figures, specs, strict=True)):
        urls[name] = f"scorecard-chart:{name}"
        resources[urls[name]] = pdf.painted_later(f"scorecard-chart-drawing:{name}", spec.width, spec.height)
        resources[f"scorecard-chart-drawing:{name}"] = drawing(index)
    return urls, resources


def _number(value) -> str:
    return NO_VALUE if value is None else f"{value:.2f}"


def _signed(value) -> str:
    """A difference as printed: "+0.33", "\u22120.33" (a minus sign), "\u00b10.00", an en dash for none."""
    if value is None:
        return NO_VALUE
    if value == 0:
        return "\u00b10.00"
    return f"{value:+.2f}".replace("-", "\u2212")


def _percentile(rank) -> str:
    return NO_VALUE if rank is None else f"{ordinal(int(rank))}"


def _commitment_view(c, *, indicators=(), definition="", score=None, wording=None) -> dict:
    """One commitment's figures as the PDF prints them; `score` (reports.scores.CommitmentScore) adds its
    levels and lowest indicator, which its mean hides (issue 19)."""
    peer = c.peer
    lowest = score_notes.lowest_of((c.slug, i.code, i.title, i.level) for i in indicators).get(c.slug)
    return {
        "levels": score_notes.levels_text(score.levels) if score is not None else "",
        "lowest": lowest,
        "display_name": wording["display_name"] if wording else c.name,
        "order": c.order,
        "slug": c.slug,
        "name": c.name,
        "score": _number(c.score),
        "has_score": c.score is not None,
        "level_label": c.level_label,
        "median": _number(peer.median) if peer else NO_VALUE,
        "iqr": f"{_number(peer.p25)}{NO_VALUE}{_number(peer.p75)}"
        if peer and peer.p25 is not None
        else NO_VALUE,
        "percentile": _percentile(c.percentile_rank) if peer else NO_VALUE,
        "difference": _signed(c.difference),
        "above": c.difference is not None and c.difference > 0,
        "indicators": list(indicators),
        "definition": definition,
    }


def _peer_phrase(benchmark) -> str:
    """The peer group's value inside a sentence: "hospital", "100-299 beds", but "Midwest census region"."""
    value = benchmark.peer_group_value
    if benchmark.peer_group == PeerGroup.REGION or not value:
        return value
    return value[0].lower() + value[1:]


def _change_text(change) -> str:
    """ "+0.33: one indicator up one level", "No change", or a dash without two scores to compare."""
    if change is None:
        return NO_VALUE
    if change.is_no_change:
        return "No change"
    return f"{_signed(change.difference)}: {change.phrase}"


def _by_cycle(benchmark) -> dict | None:
    """The trend chart's figures as a table: each commitment, the overall score and the overall peer median
    in every cycle (None with a single cycle: there is no trend to show)."""
    trend = benchmark.trend
    if len(trend) < 2:
        return None
    now = benchmark.scores.by_slug() if benchmark.scores else {}
    before = benchmark.previous_scores.by_slug() if benchmark.previous_scores else {}
    return {
        "cycles": [p.cycle_name for p in trend],
        "previous_cycle": trend[-2].cycle_name,
        "commitments": [
            {
                "order": c.order,
                "name": c.name,
                "scores": [_number(p.commitments.get(c.slug)) for p in trend],
                "change": _change_text(score_notes.commitment_change(now.get(c.slug), before.get(c.slug))),
            }
            for c in benchmark.commitments
        ],
        "overall": [_number(p.overall) for p in trend],
        "overall_change": _change_text(
            score_notes.overall_change(benchmark.scores, benchmark.previous_scores)
        ),
        "peer_median": [_number(p.peer_median) for p in trend],
        "has_peers": any(p.peer_median is not None for p in trend),
        "peers_missing": any(p.peer_median is None for p in trend),
    }


def scorecard_html(
    document: ScorecardDocument, *, chart_uris: dict[str, str], produced_on: datetime.date
) -> str:
    b = document.benchmark
    scores = b.scores.by_slug() if b.scores else {}
    views = {
        c.slug: _commitment_view(
            c,
            indicators=document.indicators.get(c.slug, []),
            definition=document.definitions.get(c.slug, ""),
            score=scores.get(c.slug),
            wording=document.wordings.get(c.slug),
        )
        for c in b.commitments
    }
    previous = b.trend[-2] if len(b.trend) > 1 else None
    # From the exact scores, rounded once, and said in indicator levels (issue 19 item 11).
    change = score_notes.overall_change(b.scores, b.previous_scores) if previous is not None else None
    return render_to_string(
        "reports/scorecard/scorecard.html",
        {
            "doc": document,
            "b": b,
            "organization": document.assessment.organization,
            "cycle": document.assessment.cycle,
            "peer_phrase": _peer_phrase(b),
            "overall": _commitment_view(b.overall),
            "commitments": [views[c.slug] for c in b.commitments],
            # A strength is above the basis and a gap below it: a zero difference is neither.
            "strongest": [views[c.slug] for c in b.strongest if c.difference > 0],
            "gaps": [views[c.slug] for c in b.gaps if c.difference < 0],
            "previous": previous,
            "change": change,
            "change_value": (
                ("No change" if change.is_no_change else _signed(change.difference)) if change else None
            ),
            "change_up": change is not None and change.direction > 0,
            "change_down": change is not None and change.direction < 0,
            "wordings": list(document.wordings.values()),
            "rubric": document.assessment.cycle.rubric,
            "by_cycle": _by_cycle(b),
            "charts": chart_uris,
            "produced_on": produced_on,
            "page_size": document.page_size,
            "levels": [(level.value, level.label, level.meaning) for level in MaturityLevel],
            "perception": document.perception,
            **method_context(b.release),
        },
    )


def scorecard_pdf(document: ScorecardDocument, *, produced_on: datetime.date | None = None) -> bytes:
    """The PDF bytes of a scorecard document (charts drawn by Chromium, pages by WeasyPrint)."""
    chart_urls, chart_resources = _charts(document)
    html = scorecard_html(document, chart_uris=chart_urls, produced_on=produced_on or timezone.localdate())
    return pdf.html_to_pdf(html, base_dir=STATIC_DIR, resources=chart_resources, stylesheets=(STYLESHEET,))
