"""What the PDF scorecard's pages say (issue 17 items 18-21): the trend chart and its table, value labels
clear of the markers, differences from exact values, no zero called a strength, and a cycle without a plan
in one line. Figures are checked as the PDF draws them (print_figures), pages as read back from the PDF."""

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from assessments.models import Assessment
from reports.exporters import scorecard as exporter
from reports.selectors import org_benchmark
from tests import factories as f

from .conftest import publish, submitted

pytestmark = pytest.mark.django_db


def pages_text(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def render(assessment, peer_group="all") -> list[str]:
    return pages_text(
        exporter.scorecard_pdf(exporter.scorecard_document(assessment=assessment, peer_group=peer_group))
    )


def _reload(assessment):
    return Assessment.objects.select_related("organization", "cycle__rubric").get(pk=assessment.pk)


@pytest.fixture
def two_cycles(rubric, cycle, org_a, all_figures):
    """Alpha in 2025 and 2026, five peers at 3 in both. Alpha's overall score goes from 86/30 (2.87: Engaged
    and Safe at 7/3) to 91/30 (3.03: Engaged at 10/3): a change of 1/6, +0.17, where the rounded scores
    would say 3.03 - 2.87 = +0.16."""
    earlier = f.AssessmentCycleFactory(name="2025", rubric=rubric)
    submitted(org_a, earlier, [2, 2, 3, 2, 2, 3] + [3] * 24)
    current = submitted(org_a, cycle, [3, 3, 4] + [3] * 27)
    for index in range(5):
        peer = f.OrganizationFactory(name=f"Peer {index}", slug=f"peer-{index}")
        submitted(peer, earlier, [3] * 30)
        submitted(peer, cycle, [3] * 30)
    publish(earlier)  # peer figures come from releases
    publish(cycle)
    return _reload(current)


# ---------------------------------------------------------------------------------------------------------
# 18: the trend chart shows the overall score and the peer median; the commitments are in a table


def test_trend_chart_draws_the_overall_score_and_the_peer_median_only(two_cycles):
    benchmark = org_benchmark(assessment=two_cycles, peer_group="all")
    trend = exporter.print_figures(benchmark)["trend"]
    assert [trace["name"] for trace in trend["data"]] == ["Peer median, overall", "Overall"]
    assert [trace["y"] for trace in trend["data"]] == [[3.0, 3.0], [2.87, 3.03]]


def test_the_commitments_of_every_cycle_are_in_a_table_beside_the_trend_chart(two_cycles):
    pages = render(two_cycles)
    progress = next(page for page in pages if "Progress across cycles" in page)
    assert "Scores of Alpha Regional Hospital by cycle" in progress
    lines = progress.splitlines()
    # Engaged rose from 2.33 to 3.33 and Safe from 2.33 to 3.00; the overall score and the peer median.
    # Each change said in indicator levels (issue 19 item 11): Engaged 2, 2, 3 -> 3, 3, 4.
    assert any(line.endswith("Engaged 2.33 3.33 +1.00: three indicator levels up") for line in lines), lines
    assert any(line.endswith("Safe 2.33 3.00 +0.67: two indicator levels up") for line in lines), lines
    assert "Overall 2.87 3.03 +0.17: five indicator levels up" in lines
    assert "Peer median, overall 3.00 3.00" in lines
    for name in ("Effective", "Efficient", "Fair", "Accessible", "Accountable", "Transparent", "Secure"):
        assert any(line.endswith(f"{name} 3.00 3.00 No change") for line in lines), name


def test_a_single_cycle_has_no_trend_page(scored):
    assert "trend" not in exporter.print_figures(org_benchmark(assessment=scored, peer_group="all"))
    assert not any("Progress across cycles" in page for page in render(scored))


# ---------------------------------------------------------------------------------------------------------
# 19: value labels clear of the markers; differences from exact values, rounded once


def test_no_value_label_sits_on_a_marker(two_cycles):
    figures = exporter.print_figures(org_benchmark(assessment=two_cycles, peer_group="all"))
    # The radar's ring numbers sat on the markers of its first spokes: the caption names the rings instead.
    assert figures["radar"]["layout"]["polar"]["radialaxis"]["showticklabels"] is False
    # The score-against-peers chart writes no number beside its diamonds (they sat on the median's tick):
    # the table above the chart gives them.
    assert not any("text" in trace.get("mode", "") for trace in figures["score_vs_iqr"]["data"])
    # The trend's overall values are written on the side away from the peer median's marker.
    peer, overall = figures["trend"]["data"]
    assert "text" not in peer["mode"]
    assert overall["y"] == [2.87, 3.03] and peer["y"] == [3.0, 3.0]
    assert overall["textposition"] == ["bottom center", "top center"]  # below the median, then above
    # No legend drawn in any chart: the captions say what each line and mark is.
    assert {name: figure["layout"]["showlegend"] for name, figure in figures.items()} == dict.fromkeys(
        ("radar", "score_vs_iqr", "trend"), False
    )


def test_differences_are_computed_from_exact_values_and_rounded_once(rubric, cycle, org_a, all_figures):
    # Engaged: 4, 4, 3 = 11/3 (3.67); every peer 3, 3, 4 = 10/3 (3.33). 11/3 - 10/3 = 0.33, where the
    # rounded 3.67 - 3.33 would say 0.34.
    current = submitted(org_a, cycle, [4, 4, 3] + [3] * 27)
    for index in range(5):
        submitted(
            f.OrganizationFactory(name=f"Peer {index}", slug=f"peer-{index}"), cycle, [3, 3, 4] + [3] * 27
        )
    publish(cycle)
    current = _reload(current)
    engaged = org_benchmark(assessment=current, peer_group="all").commitments[0]
    assert (engaged.score, engaged.peer.median, engaged.difference) == (
        Decimal("3.67"),
        Decimal("3.33"),
        Decimal("0.33"),
    )
    summary = render(current)[1]
    assert "Engaged 3.67 +0.33" in summary
    assert "+0.34" not in summary


def test_change_since_last_cycle_is_computed_from_exact_scores(two_cycles):
    summary = " ".join(render(two_cycles)[1].split())
    assert "+0.17Five indicator levels up; from 2.87 in 2025" in summary  # value and note: two spans
    assert "+0.16" not in summary


# ---------------------------------------------------------------------------------------------------------
# 20: a zero difference is neither a strength nor a gap


def test_a_zero_difference_is_not_called_a_strength(rubric, cycle, org_a, all_figures):
    current = submitted(org_a, cycle, [3] * 30)
    for index in range(5):
        submitted(f.OrganizationFactory(name=f"Peer {index}", slug=f"peer-{index}"), cycle, [3] * 30)
    publish(cycle)
    summary = render(_reload(current))[1]
    assert "No commitment is above the peer median." in summary
    assert "No commitment is below the peer median." in summary
    assert "0.00" not in summary.split("Strongest commitments", 1)[1]


# ---------------------------------------------------------------------------------------------------------
# Issue 26 item 9: the trend chart's alternative and the earlier cycles in the PDF's text


def test_trend_alternative_gives_every_cycle_and_the_table_every_commitment(two_cycles):
    from .test_scorecard_pdfua import _kids, _structure_elements

    data = exporter.scorecard_pdf(exporter.scorecard_document(assessment=two_cycles, peer_group="all"))
    root = PdfReader(io.BytesIO(data)).trailer["/Root"]
    elements = list(_structure_elements(root["/StructTreeRoot"]))
    alternatives = [str(e.get("/Alt", "")) for e in elements if str(e["/S"]) == "/Figure"]
    assert (
        "Line chart of the overall score of Alpha Regional Hospital by cycle: 2025 2.87, 2026 3.03; and of "
        "the overall peer median: 2025 3.00, 2026 3.00. The table below gives every commitment's score in "
        "each cycle."
    ) in alternatives
    # That table: a header row (Commitment, 2025, 2026, change), the ten commitments, overall and peer rows.
    shapes = [
        {str(g["/S"]): [len(_kids(r)) for r in _kids(g)] for g in _kids(t)}
        for t in elements
        if str(t["/S"]) == "/Table"
    ]
    by_cycle = {"/Caption": [0], "/THead": [4], "/TBody": [4] * 10, "/TFoot": [4, 4]}
    assert shapes.count(by_cycle) == 1, shapes


@pytest.mark.parametrize("page_size", ["letter", "A4"])
def test_the_commitments_table_and_its_chart_share_one_page(two_cycles, settings, page_size):
    """The chart under the ten commitments' table once fell to a page of its own, two thirds blank: the
    table's level column is wide enough for "Levels 4, 3, 3; lowest SAF-1 at 3 (and 1 more)" on one line
    and the chart is sized to fit beside it."""
    settings.SCORECARD_PAGE_SIZE = page_size
    pages = render(two_cycles)
    table_page = next(page for page in pages if "The ten commitments" in page)
    assert "Percentile rank" in table_page
    assert "Your score (diamond) against the middle half of peer scores" in table_page
    progress = next(i for i, page in enumerate(pages) if "Progress across cycles" in page)
    assert progress == pages.index(table_page) + 1
