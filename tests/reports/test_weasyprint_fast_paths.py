"""reports/exporters/weasyprint_fast_paths.py: our HTML parsed in C into the tree tinyhtml5 builds, SVG text
drawn a run at a time where WeasyPrint draws it a letter at a time, charts painted after the layout, streams
compressed at zlib's default level; and the garbage collector paused for a render (exporters/pdf.py)."""

import datetime
import gc
import importlib
import io
import shutil
import subprocess
from pathlib import Path

import pydyf
import pytest
import tinyhtml5
import weasyprint
from PIL import Image
from pypdf import PdfReader

from reports.exporters import pdf
from reports.exporters import weasyprint_fast_paths as fast
from reports.plans.models import ImprovementAction
from reports.services import scorecards as service

STATIC = Path(__file__).resolve().parents[2] / "static"


def test_checked_against_the_installed_weasyprint():
    # Both reach below WeasyPrint's API: a new WeasyPrint must be checked (and TESTED_VERSIONS extended)
    # before they are used with it; until then WeasyPrint does it all itself.
    assert fast.TESTED, f"WeasyPrint {weasyprint.__version__} is not in {fast.TESTED_VERSIONS}"
    assert fast.SVG_TEXT_RUNS
    assert fast.COMPRESSION_AT_LEVEL_6, f"pydyf {pydyf.__version__} is not in {fast.PYDYF_TESTED_VERSIONS}"


# ---------------------------------------------------------------------------------------------------------
# HTML


def tree(element) -> tuple:
    """An element as comparable data: tag, attributes, text, tail, children (comments left out)."""
    return (
        element.tag,
        dict(element.attrib),
        element.text or "",
        element.tail or "",
        [tree(child) for child in element if isinstance(child.tag, str)],
    )


def tinyhtml5_tree(html: str) -> tuple:
    return tree(tinyhtml5.parse(html, namespace_html_elements=False))


@pytest.mark.django_db
def test_a_scorecard_parses_to_the_tree_tinyhtml5_builds(scored):
    ImprovementAction.objects.create(  # the plan page with its tables and lists
        organization=scored.organization,
        cycle=scored.cycle,
        commitment=scored.cycle.rubric.commitments.get(slug="fair"),
        title="Stratify readmissions by language & payer <pilot>",
    )
    document = service.scorecard_document(assessment=scored, peer_group="all")
    uris = {name: f"scorecard-chart:{name}" for name in ("radar", "score_vs_iqr", "trend")}
    html = service.scorecard_html(document, chart_uris=uris, produced_on=datetime.date(2026, 11, 28))
    assert fast._xml_tree(html) is not None, "the scorecard's HTML is no longer well-formed XML"
    parsed = fast.parse_html(html, base_url=STATIC.as_uri() + "/", url_fetcher=None)
    assert tree(parsed.etree_element) == tinyhtml5_tree(html)
    assert parsed.base_url == STATIC.as_uri() + "/" and parsed.media_type == "print"


@pytest.mark.parametrize(
    "body",
    [
        "<p>Text <div>a block closes the paragraph</div></p>",  # HTML moves the div out of the p
        "<table><tr><td>a row without its tbody</td></tr></table>",  # HTML adds the tbody
        "<table>text in a table<tbody></tbody></table>",  # HTML moves the text before the table
        "<ul><li>one<li>two</li></li></ul>",  # HTML closes the first item
        "<h2>Title <h3>in a title</h3></h2>",  # HTML closes the h2
        "<p>a&nbsp;b</p>",  # an entity XML does not know
        "<p>R&D</p>",  # a bare ampersand
        "<p>one<br>two</p><input disabled>",  # an attribute without a value
        '<img alt="two\nlines" src="x.png">',  # XML would make the line break a space
        "<form><p>not one of our elements</p></form>",
        "<p>unclosed",
    ],
)
def test_html_that_is_not_plainly_xml_is_parsed_by_tinyhtml5(body):
    html = f'<!doctype html>\n<html lang="en">\n<head><title>t</title></head>\n<body>{body}</body>\n</html>\n'
    root = fast._xml_tree(html)
    assert root is None or not fast._as_html_parser_builds_it(root)
    parsed = fast.parse_html(html, base_url="file:///", url_fetcher=None)
    assert tree(parsed.etree_element) == tinyhtml5_tree(html)


def test_well_formed_html_is_read_as_xml_with_its_whitespace_where_html_puts_it():
    html = (
        '<!doctype html>\n<html lang="en">\n<head>\n  <meta charset="utf-8">\n  <title>A &amp; B</title>\n'
        "</head>\n<body>\n<p>One <span>two</span> <strong>three</strong><br>four</p>\n</body>\n</html>\n"
    )
    root = fast._xml_tree(html)
    assert root is not None and fast._as_html_parser_builds_it(root)
    assert tree(fast.parse_html(html, base_url="file:///", url_fetcher=None).etree_element) == tinyhtml5_tree(
        html
    )


# ---------------------------------------------------------------------------------------------------------
# SVG text

TEXTS = (
    '<text x="10" y="20" font-size="13" font-family="IBM Plex Sans">1 Initial</text>',
    '<text x="150" y="45" text-anchor="middle" font-size="13" font-family="IBM Plex Sans">Accountable</text>',
    '<text x="290" y="70" text-anchor="end" font-size="10" font-family="IBM Plex Sans">'
    "Peer median, overall</text>",
    '<g transform="translate(0,80)"><text x="10" y="15" dy="3" fill="#0072b2">Trend 2.67</text></g>',
)


def render_svg_page(svg: str) -> bytes:
    html = (
        '<html lang="en"><head><title>t</title><style>@page { size: 320px 140px; margin: 0 }'
        '@font-face { font-family: "IBM Plex Sans"; src: url("fonts/ibm-plex-sans/IBMPlexSans-Regular.ttf") }'
        "img { display: block; width: 320px }</style></head>"
        '<body><img src="scorecard-chart:t" alt="t"></body></html>'
    )
    return pdf.html_to_pdf(
        html, base_dir=STATIC, resources={"scorecard-chart:t": lambda: (svg.encode(), "image/svg+xml")}
    )


def ink_rows(pdf_bytes: bytes, tmp_path: Path, name: str) -> list[tuple[int, int, int, int]]:
    """The box of the dark pixels of each text's band (rows 0-30, 30-55, 55-80, 80-110 px), at 150 dpi."""
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", "-", str(tmp_path / name)],
        input=pdf_bytes,
        check=True,
    )
    image = Image.open(tmp_path / f"{name}.png").convert("L")
    scale = 150 / 96
    boxes = []
    for top, bottom in ((0, 30), (30, 55), (55, 80), (80, 110)):
        band = image.crop((0, int(top * scale), image.width, int(bottom * scale)))
        boxes.append(band.point(lambda value: 255 if value < 128 else 0).getbbox())
    return boxes


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs pdftoppm (poppler-utils)")
def test_svg_text_runs_land_where_weasyprint_puts_the_letters(tmp_path, monkeypatch):
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="320" height="140">{"".join(TEXTS)}</svg>'
    runs = render_svg_page(svg)
    svg_module = importlib.import_module("weasyprint.svg")
    letter_by_letter = importlib.import_module("weasyprint.svg.text").text
    monkeypatch.setattr(svg_module, "text", letter_by_letter)
    for tag in ("text", "tspan", "a", "textPath"):
        monkeypatch.setitem(svg_module.TAGS, tag, letter_by_letter)
    letters = render_svg_page(svg)
    # The same place (at 150 dpi, give or take a pixel of antialiasing): the same start, centre or end as
    # anchored, the same top and bottom; a run may be narrower by the kerning WeasyPrint's letters leave
    # out (a few per cent).
    rows = zip(ink_rows(runs, tmp_path, "runs"), ink_rows(letters, tmp_path, "letters"), strict=True)
    for anchor, (run, letter) in zip(("start", "middle", "end", "start"), rows, strict=True):
        assert run is not None and letter is not None
        edge = {
            "start": lambda box: box[0],
            "middle": lambda box: (box[0] + box[2]) / 2,
            "end": lambda box: box[2],
        }
        assert abs(edge[anchor](run) - edge[anchor](letter)) <= 2, (anchor, run, letter)
        assert abs(run[1] - letter[1]) <= 1 and abs(run[3] - letter[3]) <= 1, (anchor, run, letter)
        assert 0.94 <= (run[2] - run[0]) / (letter[2] - letter[0]) <= 1.0, (anchor, run, letter)
    # And they read back as words.
    text = PdfReader(io.BytesIO(runs)).pages[0].extract_text()
    for words in ("1 Initial", "Accountable", "Peer median, overall", "Trend 2.67"):
        assert words in text


# ---------------------------------------------------------------------------------------------------------
# The garbage collector


@pytest.mark.parametrize("enabled", [True, False])
def test_a_render_leaves_the_collector_as_it_found_it(enabled):
    html = '<html lang="en"><head><title>t</title></head><body><p>Text</p></body></html>'
    was = gc.isenabled()
    if not enabled:
        gc.disable()
    try:
        assert pdf.html_to_pdf(html, base_dir=STATIC).startswith(b"%PDF")
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()
