"""The PDF scorecard is accessible (PDF/UA-1): tagged, with its language and title, headings and tables in its
structure tree, and a text alternative for every chart. The browser journey 3 checks the downloaded file the
same way; this test needs no browser."""

import io

import pytest
from pypdf import PdfReader

from reports.services import scorecards as service

pytestmark = pytest.mark.django_db


def _structure_elements(node, seen=None):
    """Every structure element under a node of the structure tree (depth first)."""
    seen = seen if seen is not None else set()
    node = node.get_object()
    kids = node.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, list) else [kids]:
        ref = getattr(kid, "idnum", None)
        kid = kid.get_object()
        if not hasattr(kid, "get") or ref in seen:
            continue
        seen.add(ref)
        if "/S" in kid:
            yield kid
            yield from _structure_elements(kid, seen)


def assert_tagged_pdf(data: bytes, title: str):
    """PDF/UA: a tagged PDF with its language, its title shown, and a text alternative for every figure."""
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    assert str(root["/Lang"]) in ("en", "en-US")
    assert bool(root["/MarkInfo"]["/Marked"])
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata.title == title
    xmp = reader.xmp_metadata
    assert xmp is not None and title in (xmp.dc_title or {}).values()
    assert "pdfuaid:part" in root["/Metadata"].get_object().get_data().decode()
    assert "/StructTreeRoot" in root
    elements = list(_structure_elements(root["/StructTreeRoot"]))
    kinds = {str(e["/S"]) for e in elements}
    assert {"/H1", "/Table", "/TH", "/TD"} <= kinds, kinds
    figures = [e for e in elements if str(e["/S"]) == "/Figure"]
    assert len(figures) >= 2, "the charts are not tagged as figures"  # the radar and the score-vs-peers chart
    alternatives = [str(f.get("/Alt", "")).strip() for f in figures]
    assert all(alternatives), "a figure without a text alternative"
    assert any(alt.startswith("Radar chart of the ten commitment scores") for alt in alternatives), (
        alternatives
    )


def test_scorecard_pdf_is_tagged_with_language_title_and_figure_alternatives(scored):
    scorecard = service.scorecard_request(assessment=scored, peer_group="all").scorecard
    service.scorecard_render(scorecard_id=scorecard.pk)
    scorecard.refresh_from_db()
    with scorecard.file.open("rb") as stored:
        data = stored.read()
    assert_tagged_pdf(data, "Alpha Regional Hospital: LHS Shared Commitments scorecard 2026")
