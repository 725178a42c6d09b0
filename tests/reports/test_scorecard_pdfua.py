"""The PDF scorecard is accessible (PDF/UA-1): tagged, with its language and title, headings and tables in its
structure tree, and a text alternative for every chart; and nothing on its pages crosses the margins. The
browser journey 3 checks the downloaded file the same way; these tests need no browser.

Read back with two well-kept libraries: pypdf (the structure tree: it reads any PDF object as plain
dictionaries, which is all a check of /StructTreeRoot needs, and it is already what the tests read PDFs
with; pikepdf would add a C++ library for the same walk) and pdfminer.six (where each character is
drawn: its layout analysis gives every glyph's box, which pypdf's text extraction does not).
"""

import io

import pytest
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTTextLine
from pypdf import PdfReader

from reports.exporters import scorecard as exporter
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


MM = 72 / 25.4  # PDF points in a millimetre
SIDE_MARGIN_MM = 17  # static/css/scorecard-pdf.css, @page margin (the cover keeps its text inside it too)
EDGE_MM = 8  # the running header and footer sit in the top and bottom margins, never nearer the edge


def text_lines(data: bytes):
    """(page number, page box, line text, left, bottom, right, top) of every line of text drawn on every page,
    charts included, in PDF points; the box holds the line's visible glyphs (not its spaces)."""

    def lines(item):
        if isinstance(item, LTTextLine):
            yield item
        elif hasattr(item, "__iter__"):
            for child in item:
                yield from lines(child)

    for number, page in enumerate(extract_pages(io.BytesIO(data)), start=1):
        for line in lines(page):
            glyphs = [c for c in line if isinstance(c, LTChar) and c.get_text().strip()]
            if glyphs:
                yield (
                    number,
                    page.bbox,
                    line.get_text().strip(),
                    min(c.x0 for c in glyphs),
                    min(c.y0 for c in glyphs),
                    max(c.x1 for c in glyphs),
                    max(c.y1 for c in glyphs),
                )


def assert_within_margins(data: bytes):
    """Every line of text on every page is inside the side margins and clear of the page's edges."""
    outside = []
    count = 0
    for number, (x0, y0, x1, y1), text, left, bottom, right, top in text_lines(data):
        count += 1
        tolerance = 0.5  # half a point: a glyph's side bearing
        if (
            left < x0 + SIDE_MARGIN_MM * MM - tolerance
            or right > x1 - SIDE_MARGIN_MM * MM + tolerance
            or bottom < y0 + EDGE_MM * MM
            or top > y1 - EDGE_MM * MM
        ):
            outside.append((number, text[:50], round(left / MM, 1), round(right / MM, 1)))
    assert count > 100, "no text read back from the PDF"
    assert not outside, f"text outside the margins (page, text, left mm, right mm): {outside[:8]}"


def _kids(element) -> list:
    """The structure elements directly under one (not marked content or annotations)."""
    kids = element.get("/K")
    kids = kids if isinstance(kids, list) else [kids] if kids is not None else []
    return [k.get_object() for k in kids if hasattr(k.get_object(), "get") and "/S" in k.get_object()]


def _below(element) -> list:
    found = []
    for kid in _kids(element):
        found += [kid, *_below(kid)]
    return found


def assert_tables_bind_headers_to_cells(elements):
    """Each table: its caption (if any) first, no table inside it, every header cell with an ID, and every
    data cell naming its row's header cells and at least one column header among its /Headers."""
    tables = [e for e in elements if str(e["/S"]) == "/Table"]
    assert tables
    for table in tables:
        kinds = [str(k["/S"]) for k in _kids(table)]
        assert set(kinds) <= {"/Caption", "/THead", "/TBody", "/TFoot", "/TR"}, kinds
        assert "/Caption" not in kinds[1:], f"a caption after the table's rows: {kinds}"
        inside = _below(table)
        assert "/Table" not in {str(e["/S"]) for e in inside}, "a table nested inside a table"
        header_ids = {str(e["/ID"]) for e in inside if str(e["/S"]) == "/TH"}
        assert len(header_ids) == sum(1 for e in inside if str(e["/S"]) == "/TH"), "a header cell without ID"
        for row in (e for e in inside if str(e["/S"]) == "/TR"):
            row_headers = {str(k["/ID"]) for k in _kids(row) if str(k["/S"]) == "/TH"}
            for cell in (k for k in _kids(row) if str(k["/S"]) == "/TD"):
                headers = {str(h) for h in cell["/A"].get("/Headers", [])}
                assert headers <= header_ids, "a cell naming a header of another table"
                assert row_headers <= headers, "a cell not bound to its row's header"
                if "/THead" in kinds:
                    assert headers - row_headers, "a cell not bound to its column's header"


def assert_list_items_in_lists(elements):
    for item in (e for e in elements if str(e["/S"]) == "/LI"):
        assert str(item["/P"].get_object()["/S"]) == "/L", "a list item outside a list"


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
    assert_tables_bind_headers_to_cells(elements)
    assert_list_items_in_lists(elements)
    assert_within_margins(data)


def test_scorecard_pdf_is_tagged_with_language_title_and_figure_alternatives(scored):
    scorecard = service.scorecard_request(assessment=scored, peer_group="all").scorecard
    service.scorecard_render(scorecard_id=scorecard.pk)
    scorecard.refresh_from_db()
    with scorecard.file.open("rb") as stored:
        data = stored.read()
    assert_tagged_pdf(data, "Alpha Regional Hospital: LHS Shared Commitments scorecard 2026")


LONG_NAME = (
    "Saint Bartholomew's Regional Academic Medical Center and Community Health Network of the Ohio Valley"
)


@pytest.mark.parametrize("page_size", ["letter", "A4"])
def test_no_text_crosses_the_margins_of_any_page(scored, settings, page_size):
    settings.SCORECARD_PAGE_SIZE = page_size
    scored.organization.name = LONG_NAME
    scored.organization.save()
    data = exporter.scorecard_pdf(exporter.scorecard_document(assessment=scored, peer_group="all"))
    lines = list(text_lines(data))
    # The commitments table is read back whole: its last column and the long name in its caption.
    assert any(text.startswith("Percentile rank") for _, _, text, *_ in lines)
    assert_within_margins(data)


def test_no_text_crosses_the_margins_when_peers_are_hidden(rubric, cycle, org_a):
    from .conftest import submitted

    org_a.name = LONG_NAME
    org_a.save()
    assessment = submitted(org_a, cycle, [3] * 30)
    data = exporter.scorecard_pdf(exporter.scorecard_document(assessment=assessment, peer_group="all"))
    assert_within_margins(data)


def test_structure_tree_of_the_cover_and_the_tables(scored):
    """The cover's key facts are a list (L > LI, not LI inside a Div); each table's caption is its first
    child, not tables nested inside it; data cells name their row and column headers (WeasyPrint writes
    /Headers and /ID rather than /Scope: the binding is explicit)."""
    data = exporter.scorecard_pdf(exporter.scorecard_document(assessment=scored, peer_group="all"))
    root = PdfReader(io.BytesIO(data)).trailer["/Root"]
    elements = list(_structure_elements(root["/StructTreeRoot"]))
    assert_tables_bind_headers_to_cells(elements)
    assert_list_items_in_lists(elements)
    cover = _kids(_kids(root["/StructTreeRoot"].get_object())[0])[0]  # Document > the cover's Sect
    facts = [k for k in _kids(cover) if str(k["/S"]) == "/L"]
    assert len(facts) == 1 and [str(k["/S"]) for k in _kids(facts[0])] == ["/LI"] * 4
    # Every table has a caption, first (the indicators' and the levels' are hidden on paper, not in the tree).
    tables = [e for e in elements if str(e["/S"]) == "/Table"]
    assert len(tables) == 1 + 10 + 1  # the ten commitments, one per commitment's indicators, the levels
    assert all(str(_kids(t)[0]["/S"]) == "/Caption" for t in tables)
