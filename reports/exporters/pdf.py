"""HTML to PDF with WeasyPrint, reading nothing but our own files.

The scorecard's HTML is ours, but it carries organization names typed by users. The URL fetcher makes sure
that nothing in it can make the renderer read a file outside our static and template folders or reach
the network: anything but data: URIs and those local files stops the render.
"""

from __future__ import annotations

import gc
import mimetypes
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html import escape
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse


class RefusedURL(ValueError):
    """The renderer asked for something it must not read."""


# A resource made for one document: a URL of the document's own -> a function giving (bytes, content type).
Resource = Callable[[], tuple[bytes, str]]


def painted_later(drawing_url: str, width: int, height: int) -> Resource:
    """An SVG image of a known size whose drawing WeasyPrint fetches only when it paints the page.

    It holds nothing but an SVG <image> of `drawing_url`, which WeasyPrint reads through the document's URL
    fetcher when it draws the SVG, after the whole document is laid out (an <img> itself is read while
    the boxes are built, before layout). So content still being made elsewhere (a chart Chromium draws)
    has the layout's time to be ready; the drawing is scaled into the box if its size differs.
    """
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><image href="{escape(drawing_url)}" x="0" y="0" '
        f'width="{width}" height="{height}"/></svg>'
    ).encode()
    return lambda: (svg, "image/svg+xml")


def allowed_roots() -> list[Path]:
    roots = [Path(settings.BASE_DIR) / "static", Path(settings.BASE_DIR) / "templates"]
    roots += [Path(d) for d in getattr(settings, "STATICFILES_DIRS", [])]
    return [r.resolve() for r in roots]


class LocalOnlyFetcher(URLFetcher):
    """data: URIs and local files under `roots`; everything else raises."""

    def __init__(self, roots: list[Path] | None = None, resources: dict[str, Resource] | None = None):
        # fail_on_errors: a refused URL stops the render instead of leaving a silent gap in the PDF.
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False, fail_on_errors=True)
        self.roots = roots if roots is not None else allowed_roots()
        self.resources = resources or {}
        self.failures: list[Exception] = []  # errors of self.resources, in order

    def fetch(self, url: str, headers=None):
        if url in self.resources:  # content made for this document (the charts: waits until they are drawn)
            try:
                content, content_type = self.resources[url]()
            except Exception as exc:
                # WeasyPrint leaves an image it cannot read while painting blank: html_to_pdf raises this.
                self.failures.append(exc)
                raise
            return URLFetcherResponse(url, content, {"Content-Type": content_type})
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            raise RefusedURL(f"The scorecard may not load {url!r}: only its own files and data: URIs.")
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise RefusedURL(f"The scorecard may not load {url!r}: not a local file.")
        path = Path(unquote(parts.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.roots):
            raise RefusedURL(f"The scorecard may not load {url!r}: outside the portal's static files.")
        if not path.is_file():
            raise RefusedURL(f"The scorecard's file {path.name!r} is missing.")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})


class _Stylesheets:
    """Stylesheets parsed once per process, with the FontConfiguration that holds their @font-face fonts.

    Parsing the scorecard's CSS and registering its four font files cost about a tenth of a render. Both
    objects are only read by later renders, as WeasyPrint's own docs reuse them (CSS(font_config=...)); but a
    FontConfiguration wraps a Pango font map, which is not thread-safe, so renders that share one take
    turns (renders are CPU-bound: threads would gain nothing anyway). A stylesheet edited on disk is parsed
    afresh (development).
    """

    def __init__(self):
        self.lock = threading.Lock()
        self._key: tuple | None = None
        self._sheets: list[CSS] = []
        self._font_config: FontConfiguration | None = None

    def get(self, paths: tuple[Path, ...]) -> tuple[list[CSS], FontConfiguration]:
        """Call with self.lock held."""
        key = tuple((str(path), path.stat().st_mtime_ns) for path in paths)
        if key != self._key or self._font_config is None:
            font_config = FontConfiguration()
            fetcher = LocalOnlyFetcher()
            self._sheets = [
                CSS(filename=str(path), font_config=font_config, url_fetcher=fetcher) for path in paths
            ]
            self._font_config, self._key = font_config, key
        return self._sheets, self._font_config


_stylesheets = _Stylesheets()


def html_to_pdf(
    html: str,
    *,
    base_dir: Path,
    resources: dict[str, Resource] | None = None,
    stylesheets: tuple[Path, ...] = (),
) -> bytes:
    """A tagged PDF (PDF/UA-1) of `html`, with its <title> and lang; links are relative to `base_dir`.

    resources: URLs of the document's own content (see LocalOnlyFetcher). WeasyPrint asks for each when it
    builds the box of the element that shows it, after parsing the HTML and styling the whole document:
    content still being made elsewhere (charts drawn by Chromium) is made meanwhile. A refused URL or a
    failed resource raises its own exception (WeasyPrint wraps it in a BaseException, which tasks must not
    see).
    stylesheets: CSS files under the allowed roots, parsed once per process (see _Stylesheets).

    Only WeasyPrint's documented API (HTML, CSS, FontConfiguration, URLFetcher): no version is pinned.
    """
    roots = allowed_roots()
    for path in stylesheets:
        if not any(path.resolve().is_relative_to(root) for root in roots):
            raise RefusedURL(f"The stylesheet {path} is outside the portal's static files.")
    base_url = base_dir.resolve().as_uri() + "/"
    fetcher = LocalOnlyFetcher(resources=resources)
    try:
        with _stylesheets.lock, _collector_paused():
            sheets, font_config = _stylesheets.get(tuple(stylesheets)) if stylesheets else ([], None)
            document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
            content = document.write_pdf(pdf_variant="pdf/ua-1", stylesheets=sheets, font_config=font_config)
    except FatalURLFetchingError as exc:
        if isinstance(exc.__cause__, Exception):
            raise exc.__cause__ from None
        raise RefusedURL(str(exc)) from None
    if fetcher.failures:  # a drawing that failed while the pages were painted: no PDF with a blank chart
        raise fetcher.failures[0]
    return content


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for one render, then one pass over what the render left.

    A render allocates some 50,000 objects that live until it ends, most of them in reference cycles
    (boxes and their parents). As they pile up the collector runs a hundred times, and about once a render
    a full pass over every object of the process besides (Django, Plotly, WeasyPrint: 180,000 more), a
    tenth of the render's time. Paused, the same garbage is freed by one pass over the young generation at
    the end, and memory is back where it was. Renders take turns (_stylesheets.lock), so never pause it
    twice; a collector someone else turned off is left to them.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(0)
