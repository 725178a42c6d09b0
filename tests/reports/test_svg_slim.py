"""reports/exporters/svg_slim.py: Chromium's SVG of a Plotly chart, rewritten into fewer and simpler nodes
that WeasyPrint draws exactly as it draws the original.

tests/reports/data/plotly_*.svg are the three charts of a scorecard as kaleido exported them (demo data).
"""

import re
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest
from PIL import Image, ImageChops

from reports.exporters import chart_svg, pdf
from reports.exporters.svg_slim import slim_svg

STATIC = Path(__file__).resolve().parents[2] / "static"
DATA = Path(__file__).resolve().parent / "data"
CHARTS = {"radar": (400, 320), "score_vs_iqr": (680, 390), "trend": (680, 255)}


def elements(svg: str) -> list[ElementTree.Element]:
    return list(ElementTree.fromstring(svg).iter())  # noqa: S314 (our own test data)


def test_what_draws_nothing_goes_and_the_rest_is_said_plainly():
    plotly_like = (
        '<svg class="main-svg" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        ' width="10" height="10" style=""><g class="cartesianlayer"><g class="subplot xy">'
        '<path class="xgrid crisp" d="M0,1h9" style="stroke: rgb(1, 2, 3); stroke-width: 1px;" stroke="red"'
        ' opacity="1" vector-effect="none"/>'
        '<path class="xlines-below"/><path d="M0,0"/><rect width="0" height="5"/>'
        '<g class="hoverlayer"/><g class="infolayer"><g class="g-gtitle"/></g>'
        '</g></g><g class="legend" clip-path="url(#c)" transform="translate(1,2)">'
        '<rect class="legendtoggle" width="5"/>'
        '<text data-unformatted="A" style="font-family: \'IBM Plex Sans\', sans-serif; font-size: 12px;"'
        ' fill-opacity="1" text-anchor="start" white-space="pre">A</text>'
        '<use xlink:href="#p"/></g></svg>'
    )
    assert slim_svg(plotly_like) == (
        '<svg width="10" height="10" xmlns="http://www.w3.org/2000/svg">'
        '<path d="M0,1h9" stroke="#010203" stroke-width="1" />'
        '<g clip-path="url(#c)" transform="translate(1,2)">'
        '<text font-family="\'IBM Plex Sans\', sans-serif" font-size="12">A</text>'
        '<use href="#p" /></g></svg>'
    )


def test_inherited_values_are_kept_where_they_differ_from_the_parent():
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        '<g text-anchor="middle" fill-opacity="0.5">'
        '<text x="1" y="1" text-anchor="start" fill-opacity="1">A</text><text x="1" y="5">B</text></g></svg>'
    )
    assert '<text x="1" y="1" text-anchor="start" fill-opacity="1">A</text>' in slim_svg(svg)


@pytest.mark.parametrize(
    ("element", "moved"),
    [
        (
            '<path d="M1,2L3,4h5v6A1 1 0 0 1 7 8l1 1Z m1 1"/>',
            '<path d="M11 22L13 24h5v6A1 1 0 0 1 17 28l1 1Zm1 1" />',
        ),
        ('<path d="m1,2 3,4"/>', '<path d="m11 22 3 4" />'),  # a first "m" is absolute, the rest relative
        ('<text x="1" y="2">A</text>', '<text x="11" y="22">A</text>'),
        ('<rect x="1" y="2" width="3" height="4"/>', '<rect x="11" y="22" width="3" height="4" />'),
        # A group passes its move on; a text without a position of its own gets a transform.
        (
            '<g><path d="M0,0H1"/><text>B</text></g>',
            '<path d="M10 20H11" /><text transform="translate(10,20)">B</text>',
        ),
        # Where only a transform moves it the same: clipped in its own space, painted with a pattern,
        # other transforms, arc flags run together.
        (
            '<g clip-path="url(#c)"><path d="M0,0H1"/></g>',
            '<g clip-path="url(#c)" transform="translate(10,20)">',
        ),
        (
            '<path d="M0,0H1" fill="url(#p)"/>',
            '<path d="M0,0H1" fill="url(#p)" transform="translate(10,20)" />',
        ),
        (
            '<line x1="0" y1="0" x2="1" y2="1" transform="rotate(45)"/>',
            'transform="translate(10,20) rotate(45)"',
        ),
        ('<path d="M0,0A1 1 0 011 1"/>', '<path d="M0,0A1 1 0 011 1" transform="translate(10,20)" />'),
    ],
)
def test_translations_become_coordinates_where_that_draws_the_same(element, moved):
    svg = f'<svg xmlns="http://www.w3.org/2000/svg"><g transform="translate(10,20)">{element}</g></svg>'
    slim = slim_svg(svg)
    assert moved in slim
    assert slim.count("translate(") == moved.count("translate(")  # the group's own is gone


def test_runs_of_shapes_apart_from_each_other_are_drawn_as_one_path():
    markers = "".join(f'<path d="M{x},5h4v4h-4Z" fill="#0072b2"/>' for x in (0, 20, 40))
    crossing = '<path d="M0,50h40" stroke="#000"/><path d="M20,30v40" stroke="#000"/>'
    hatched = '<path d="M0,80h9v9h-9Z" fill="url(#p)"/><path d="M50,80h9v9h-9Z" fill="url(#p)"/>'
    svg = slim_svg(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="99" height="99">{markers}{crossing}{hatched}</svg>'
    )
    paths = [e.get("d") for e in elements(svg) if e.tag.endswith("path")]
    assert paths == [
        "M0 5h4v4h-4Z M20 5h4v4h-4Z M40 5h4v4h-4Z",  # one path
        "M0,50h40",  # lines that cross stay apart
        "M20,30v40",
        "M0,80h9v9h-9Z",  # a pattern starts at each shape's corner in WeasyPrint
        "M50,80h9v9h-9Z",
    ]


@pytest.mark.parametrize("name", list(CHARTS))
def test_the_charts_lose_most_of_their_nodes_and_transforms(name):
    original = (DATA / f"plotly_{name}.svg").read_text()
    slim = slim_svg(original)
    assert len(elements(slim)) <= 0.4 * len(elements(original))
    # Those left rotate something (the radar's tick labels) or are clipped in their own space.
    assert slim.count("transform=") <= 0.25 * original.count("transform=")


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs pdftoppm (poppler-utils)")
def test_pages_with_the_slim_charts_are_identical_pixel_for_pixel(tmp_path):
    def page(svgs: dict[str, str], name: str) -> Image.Image:
        images = "".join(
            f'<img src="scorecard-chart:{chart}" alt="{chart}" style="width: {CHARTS[chart][0] * 0.75}pt">'
            for chart in svgs
        )
        html = f'<html lang="en"><head><title>t</title></head><body>{images}</body></html>'
        resources = {
            f"scorecard-chart:{chart}": (lambda s=svg: (s.encode(), "image/svg+xml"))
            for chart, svg in svgs.items()
        }
        css = (STATIC / "css" / "scorecard-pdf.css",)  # the charts' font
        content = pdf.html_to_pdf(html, base_dir=STATIC, resources=resources, stylesheets=css)
        subprocess.run(
            ["pdftoppm", "-r", "150", "-png", "-singlefile", "-f", "1", "-l", "1", "-", str(tmp_path / name)],
            input=content,
            check=True,
        )
        return Image.open(tmp_path / f"{name}.png").convert("RGB")

    for chart in CHARTS:
        original = (DATA / f"plotly_{chart}.svg").read_text()
        before, after = (
            page({chart: original}, f"{chart}-before"),
            page({chart: slim_svg(original)}, f"{chart}-after"),
        )
        assert ImageChops.difference(before, after).getbbox() is None, chart


def test_chart_svg_slims_what_chromium_draws():
    assert chart_svg.slim_svg is slim_svg
    assert re.search(r"<svg[^>]*>", slim_svg((DATA / "plotly_radar.svg").read_text()))
