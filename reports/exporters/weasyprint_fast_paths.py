"""Shortcuts through WeasyPrint for the PDF scorecard, each giving the pages WeasyPrint would give.

- parse_html: our HTML read by Python's XML parser (C) instead of tinyhtml5 (pure Python, a twentieth of a
  scorecard's render), when the tree is provably the one an HTML parser would build.
- SVG text drawn a run at a time instead of a letter at a time (see _install_svg_text_runs).
- draw_later: an SVG image laid out from a placeholder of its size, given its drawing only before the
  pages are painted (the charts, still being drawn by Chromium while WeasyPrint lays the pages out).
- The PDF's streams compressed at zlib's default level rather than pydyf's 9 (see _compress_at_level_6).

They reach into WeasyPrint (and pydyf, which writes its PDF) below their public API, so they are used only
with the versions they were checked against (TESTED_VERSIONS, PYDYF_TESTED_VERSIONS;
tests/reports/test_weasyprint_fast_paths.py fails on any other): with another version WeasyPrint does
everything itself, as fast as it does.
"""

from __future__ import annotations

import importlib
import re
import zlib
from math import inf
from xml.etree import ElementTree
from xml.etree.ElementTree import Element, ParseError, TreeBuilder, XMLParser

import cssselect2
import pydyf
import weasyprint
from weasyprint import HTML
from weasyprint.matrix import Matrix

TESTED_VERSIONS = ("70.",)
TESTED = weasyprint.__version__.startswith(TESTED_VERSIONS)
PYDYF_TESTED_VERSIONS = ("0.13.",)

# ---------------------------------------------------------------------------------------------------------
# HTML


_DOCTYPE = re.compile(r"\A\s*<!doctype html>", re.IGNORECASE)
_DECLARATION = re.compile(r"<!(?!--)")  # any other <!DOCTYPE, <!ENTITY, <![CDATA[: left to tinyhtml5
_VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)
_VOID_TAG = re.compile(r"<(" + "|".join(sorted(_VOID_ELEMENTS)) + r")(\s[^<>]*?)?\s*/?>")
# Elements whose tree an HTML parser builds as written, once they are well formed and placed as below. Any
# other element (forms, scripts, templates, embedded content...) sends the document to tinyhtml5.
_KNOWN_ELEMENTS = frozenset(
    {
        *("html", "head", "title", "meta", "style", "body"),
        *("section", "article", "header", "footer", "div", "p", "h1", "h2", "h3", "h4", "h5", "h6"),
        *("figure", "figcaption", "img", "ul", "ol", "li", "dl", "dt", "dd", "blockquote", "hr"),
        *("table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td"),
        *("span", "strong", "em", "b", "i", "small", "sub", "sup", "abbr", "time", "code", "mark", "br"),
    }
)
# A start tag of any of these closes an open <p> (HTML's tree construction, "in body").
_CLOSES_P = frozenset(
    {
        *("address", "article", "aside", "blockquote", "details", "dialog", "div", "dl", "dd", "dt"),
        *("fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6"),
        *("header", "hgroup", "hr", "li", "main", "menu", "nav", "ol", "p", "pre", "section", "table"),
        "ul",
    }
)
# Where an HTML parser keeps these elements; anywhere else it closes, moves or adds elements.
_PARENTS = {
    "head": {"html"},
    "body": {"html"},
    "title": {"head"},
    "meta": {"head"},
    "style": {"head"},
    "caption": {"table"},
    "colgroup": {"table"},
    "thead": {"table"},
    "tbody": {"table"},
    "tfoot": {"table"},
    "col": {"colgroup"},
    "tr": {"thead", "tbody", "tfoot"},
    "th": {"tr"},
    "td": {"tr"},
    "li": {"ul", "ol"},
    "dt": {"dl", "div"},
    "dd": {"dl", "div"},
}
# Children an HTML parser only accepts as written (text in them is whitespace, or is moved out).
_CHILDREN = {
    "html": ("head", "body"),
    "head": {"title", "meta", "style"},
    "table": {"caption", "colgroup", "thead", "tbody", "tfoot"},
    "thead": {"tr"},
    "tbody": {"tr"},
    "tfoot": {"tr"},
    "tr": {"th", "td"},
    "colgroup": {"col"},
}
_TEXT_ONLY = frozenset({"title", "style"})  # text for HTML, with no elements in it
_RAW_TEXT = frozenset({"style"})  # and where HTML reads no character references either
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# XML turns a tab or line break inside an attribute value into a space; HTML keeps it.
_ATTRIBUTE_WITH_BREAK = re.compile(r"=\s*(?:\"[^\"]*[\t\n\r][^\"]*\"|'[^']*[\t\n\r][^']*')")


def _blank(text: str | None) -> bool:
    return not text or text.isspace()


def _as_html_parser_builds_it(root: Element) -> bool:
    """True if an HTML parser would build this same tree from the same markup (see parse_html)."""
    if root.tag != "html" or tuple(child.tag for child in root) != _CHILDREN["html"]:
        return False
    if not (_blank(root.text) and all(_blank(child.tail) for child in root)):
        return False
    stack = [(root, False, False)]  # (element, inside a <p>, inside a heading)
    while stack:
        element, in_p, in_heading = stack.pop()
        for child in element:
            tag = child.tag
            if not isinstance(tag, str) or tag not in _KNOWN_ELEMENTS:
                return False
            if tag in _PARENTS and element.tag not in _PARENTS[tag]:
                return False
            if (in_p and tag in _CLOSES_P) or (in_heading and tag in _HEADINGS):
                return False
            if tag in _VOID_ELEMENTS and (len(child) or child.text):
                return False
            if tag in _TEXT_ONLY and len(child):
                return False
            if tag in _RAW_TEXT and "&" in (child.text or ""):
                return False
            stack.append((child, in_p or tag == "p", in_heading or tag in _HEADINGS))
        allowed = _CHILDREN.get(element.tag)
        if allowed is not None and element.tag != "html":
            if any(child.tag not in allowed for child in element):
                return False
            if not (_blank(element.text) and all(_blank(child.tail) for child in element)):
                return False
    return True


def _xml_tree(html: str) -> Element | None:
    """The tree of `html` read as XML (void elements closed), or None if it is not well formed."""
    markup = _DOCTYPE.sub("", html, count=1)
    if _DECLARATION.search(markup) or _ATTRIBUTE_WITH_BREAK.search(markup):
        return None
    markup = _VOID_TAG.sub(lambda match: f"<{match[1]}{match[2] or ''} />", markup)
    # No DTD, no entity declaration can get this far (_DECLARATION): nothing for expat to expand or fetch.
    parser = XMLParser(target=TreeBuilder())  # noqa: S314
    try:
        parser.feed(markup)
        return parser.close()
    except ParseError:  # a named entity, a bare "&" or "<", an unclosed or unquoted thing: HTML, not XML
        return None


def parse_html(html: str, *, base_url: str, url_fetcher) -> HTML:
    """weasyprint.HTML(string=html, base_url=..., url_fetcher=...), parsed in a twentieth of the time when
    it can be.

    Our templates write well-formed markup (every element closed, attributes quoted, text escaped by
    Django): read as XML, with its void elements closed, it gives the tree tinyhtml5 would, in C. Only
    when the tree holds nothing an HTML parser would close, move or add (_as_html_parser_builds_it); then
    the HTML object is filled as its own __init__ fills it. Anything else is parsed by WeasyPrint.
    """
    root = _xml_tree(html) if TESTED else None
    if root is None or not _as_html_parser_builds_it(root):
        return HTML(string=html, base_url=base_url, url_fetcher=url_fetcher)
    # Whitespace where an HTML parser puts it: none before <head>, what follows </body> at the end of body.
    root.text = None
    body = root[1]
    after_html = html.rpartition("</html>")[2]  # the XML parser had to find </html>: whitespace follows it
    after_body = (body.tail or "") + after_html
    if after_body:
        if len(body):
            body[-1].tail = (body[-1].tail or "") + after_body
        else:
            body.text = (body.text or "") + after_body
        body.tail = None
    document = HTML.__new__(HTML)
    document.base_url = base_url  # no <base> (not a known element)
    document.url_fetcher = url_fetcher
    document.media_type = "print"
    document.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
    document.etree_element = document.wrapper_element.etree_element
    return document


# ---------------------------------------------------------------------------------------------------------
# SVG text

_SVG_POSITIONS = ("x", "y", "dx", "dy")


def _install_svg_text_runs() -> bool:
    """Draw each SVG <text> as one run of glyphs rather than one layout per letter; True if installed.

    WeasyPrint lays out and draws every letter of an SVG text on its own, with a Pango layout each: the
    60-odd labels of the scorecard's three charts cost a sixth of the whole render. A text that sets one
    position (as Chromium's SVG of a Plotly chart does) is drawn here as one Pango line, placed, anchored
    and painted as WeasyPrint places its first letter. The glyphs are the same; they now get the font's
    kerning, as Chromium had when it placed them, and read back as words. Any other text (a list of
    positions, rotate, letter-spacing, textLength) is left to WeasyPrint.
    """
    svg = importlib.import_module("weasyprint.svg")
    svg_text = importlib.import_module("weasyprint.svg.text")
    letter_by_letter = svg_text.text
    if not TESTED or svg.text is not letter_by_letter:
        return False
    from weasyprint.css.properties import INITIAL_VALUES
    from weasyprint.draw.text import draw_emojis, draw_first_line
    from weasyprint.svg.bounding_box import extend_bounding_box
    from weasyprint.svg.utils import normalize, size
    from weasyprint.text.line_break import split_first_line

    def one_position(node) -> bool:
        return all(
            name not in node.attrib or " " not in normalize(node.attrib[name]) for name in _SVG_POSITIONS
        )

    def draw_svg_text_run(svg_image, node, font_size):
        if (
            not node.text
            or "\n" in node.text
            or "rotate" in node.attrib
            or node.get("letter-spacing")
            or node.get("textLength")
            or not one_position(node)
        ):
            return letter_by_letter(svg_image, node, font_size)
        # The style WeasyPrint gives an SVG text (weasyprint/svg/text.py).
        style = svg_text.Style()
        style.update(INITIAL_VALUES)
        style.font_config = svg_image.font_config
        families = node.get("font-family", "sans-serif").split(",")
        style["font_family"] = [family.strip("\"'") for family in families]
        style["font_style"] = node.get("font-style", "normal")
        weight = node.get("font-weight", 400)
        weight = {"normal": 400, "bold": 700}.get(weight, weight)
        try:
            style["font_weight"] = int(weight)
        except ValueError:
            style["font_weight"] = 400
        style["font_size"] = font_size
        if node.get("direction") in ("ltr", "rtl"):
            style["direction"] = node.get("direction")
        layout, _, resume_at, width, height, baseline = split_first_line(
            node.text, style, svg_image.context, inf, 0
        )
        if resume_at is not None:  # a line break Pango would make: keep WeasyPrint's own drawing
            return letter_by_letter(svg_image, node, font_size)

        # Its first letter's position and vertical alignment, as WeasyPrint computes them.
        def length(name, reference):
            return size(node.attrib[name], font_size, reference) if name in node.attrib else None

        x, y = length("x", svg_image.inner_width), length("y", svg_image.inner_height)
        dx, dy = length("dx", svg_image.inner_width), length("dy", svg_image.inner_height)
        ascent, descent = font_size * 0.8, font_size * 0.2
        y_align = 0
        display_anchor = node.get("display-anchor")
        alignment_baseline = node.get("dominant-baseline", node.get("alignment-baseline"))
        if display_anchor == "middle":
            y_align = -height / 2
        elif display_anchor == "bottom":
            y_align = -height
        elif display_anchor == "top":
            pass
        elif alignment_baseline in ("central", "middle"):
            y_align = (ascent + descent) / 2 - descent
        elif alignment_baseline in ("text-before-edge", "before_edge", "top", "hanging", "text-top"):
            y_align = ascent
        elif alignment_baseline in ("text-after-edge", "after_edge", "bottom", "text-bottom"):
            y_align = -descent
        if x:
            svg_image.cursor_d_position[0] = 0
        if y:
            svg_image.cursor_d_position[1] = 0
        svg_image.cursor_d_position[0] += dx or 0
        svg_image.cursor_d_position[1] += dy or 0
        x = svg_image.cursor_position[0] if x is None else x
        y = svg_image.cursor_position[1] if y is None else y
        svg_image.cursor_position = x + width, y
        x_position = x + svg_image.cursor_d_position[0]
        y_position = y + svg_image.cursor_d_position[1] + y_align
        # The box that text-anchor centres or right-aligns (weasyprint/svg/__init__.py, draw_node).
        node.text_bounding_box = extend_bounding_box(
            node.text_bounding_box,
            ((x_position, y_position - baseline), (x_position + width, y_position - baseline + height)),
        )

        stream = svg_image.stream
        stream.push_state()
        fill, stroke = svg_image.set_graphical_state(node, font_size)
        stream.begin_text()
        layout.reactivate(style)
        svg_image.fill_stroke(fill, stroke, text=True)
        text_box = svg_text.TextBox(layout, style)
        text_box.baseline = baseline
        emojis = draw_first_line(stream, text_box, "none", "none", Matrix(d=-1, e=x_position, f=y_position))
        stream.end_text()
        stream.pop_state()
        draw_emojis(stream, style, x, y, emojis)

    for tag, draw in list(svg.TAGS.items()):
        if draw is letter_by_letter:
            svg.TAGS[tag] = draw_svg_text_run
    svg.text = draw_svg_text_run  # draw_node recognises text nodes by this name
    return True


SVG_TEXT_RUNS = _install_svg_text_runs()


# ---------------------------------------------------------------------------------------------------------
# SVG drawn later


def placeholder_svg(width: int, height: int) -> bytes:
    """An empty SVG of the given size: what WeasyPrint needs of a chart to lay a page out."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"/>'
    ).encode()


def draw_later(image, svg: bytes) -> bool:
    """Give an SVG image laid out from placeholder_svg() the drawing it stood for; False if the drawing's size
    is not the placeholder's (the page was laid out for another size: render it again with the drawing)."""
    from weasyprint.images import SVGImage
    from weasyprint.svg import SVG

    placeholder = getattr(image, "_svg", None)
    if not isinstance(image, SVGImage) or not isinstance(placeholder, SVG):
        return False
    # Drawn by our own Chromium from our own figures (no entities, no DTD), as WeasyPrint would parse it.
    tree = ElementTree.fromstring(svg)  # noqa: S314
    drawing = SVG(tree, placeholder.url, placeholder.font_config, placeholder.url_fetcher)
    if drawing.get_intrinsic_size(12) != placeholder.get_intrinsic_size(12) or (
        drawing.get_viewbox() != placeholder.get_viewbox()
    ):
        return False
    image._svg = drawing
    return True


# ---------------------------------------------------------------------------------------------------------
# Compression


class _ZlibAtDefaultLevel:
    """The zlib module as pydyf uses it, compressing at zlib's default level (6) whatever level is asked."""

    def __getattr__(self, name):
        return getattr(zlib, name)

    @staticmethod
    def compressobj(level=zlib.Z_DEFAULT_COMPRESSION, *args, **kwargs):
        return zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, *args, **kwargs)


def _compress_at_level_6() -> bool:
    """pydyf compresses every stream of the PDF at zlib's level 9: on a scorecard's 430 kB of streams
    (the fonts, the pages' drawing, the structure tree) it takes 35 ms where level 6 takes 15 ms for a
    file 2% larger (86 kB instead of 84). True if installed."""
    if not pydyf.__version__.startswith(PYDYF_TESTED_VERSIONS) or pydyf.zlib is not zlib:
        return False
    pydyf.zlib = _ZlibAtDefaultLevel()
    return True


COMPRESSION_AT_LEVEL_6 = _compress_at_level_6()
