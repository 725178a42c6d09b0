"""Plotly figures to SVG with kaleido 1.x, drawn by the system Chromium.

Starting Chromium costs about a second; drawing a figure in an open one costs tens of milliseconds. So
each process keeps ONE kaleido browser open, on its own thread and event loop, from the first chart it
draws until the process ends (atexit, and Celery's worker_process_shutdown signal in workers).

kaleido's own `start_sync_server` would do the same, but it swallows a failure to start (its thread dies
and every later call waits forever); this small server reports errors and times out instead. It uses
kaleido's documented API only (Kaleido(...), open(), calc_fig(), close()): no version is pinned.
Nothing is loaded from the network: plotly.js comes from the installed plotly package, MathJax is off.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import logging
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import plotly.graph_objects as go
from django.conf import settings

from reports.exporters.svg_slim import slim_svg
from reports.staticfiles import _PACKAGE_DATA

logger = logging.getLogger(__name__)
# kaleido and choreographer log every tab and temporary folder at INFO: keep their warnings only.
for _noisy in ("kaleido", "choreographer", "logistro"):
    logging.getLogger(_noisy).setLevel(logging.WARNING)

PLOTLY_JS = _PACKAGE_DATA / "plotly.min.js"
# Tabs drawing in parallel: the scorecard has three charts.
TABS = 3
START_TIMEOUT = 60  # seconds to open Chromium
DRAW_TIMEOUT = 30  # seconds for one batch of figures
CHROMIUM_MISSING = (
    "Chromium is needed to draw the charts: install Debian's 'chromium' package "
    "(apt-get install chromium) or set CHROMIUM_PATH"
)


class ChromiumNotFound(RuntimeError):
    """No Chromium to draw charts with: a configuration problem that retrying cannot fix."""


class ChartRenderError(RuntimeError):
    """Chromium did not draw a chart (crash, timeout): worth another try."""


def chromium_path() -> str:
    """The Chromium executable: settings.CHROMIUM_PATH, else the first one on PATH."""
    configured = settings.CHROMIUM_PATH
    if configured:
        path = Path(configured)
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
        raise ChromiumNotFound(
            f"{CHROMIUM_MISSING} (CHROMIUM_PATH={configured!r} is not an executable file)."
        )
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise ChromiumNotFound(f"{CHROMIUM_MISSING}.")


@dataclass(frozen=True)
class ChartSpec:
    figure: go.Figure | dict  # a Plotly figure, or its plain data (charts.export_data)
    width: int
    height: int


class _ChartServer:
    """One kaleido browser per process, driven from any thread."""

    def __init__(self):
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido = None
        self._path: str | None = None
        self._pid: int | None = None

    @property
    def running(self) -> bool:
        return self._kaleido is not None and self._pid == os.getpid()

    def _start(self, path: str) -> None:
        import kaleido

        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="kaleido", daemon=True)
        thread.start()

        opening = []  # the browser being opened, to close if the opening fails or takes too long

        async def open_browser():
            browser = kaleido.Kaleido(
                n=TABS, path=path, plotlyjs=str(PLOTLY_JS), mathjax=False, timeout=DRAW_TIMEOUT
            )
            opening.append(browser)
            await browser.open()
            return browser

        future = asyncio.run_coroutine_threadsafe(open_browser(), loop)
        try:
            self._kaleido = future.result(START_TIMEOUT)
        except BaseException as exc:
            # A start that timed out leaves its Chromium running: close it, or every retry on a busy
            # machine adds another browser (the soak of 3 December: 150 processes, 3 GB in ten minutes).
            future.cancel()
            for browser in opening:
                try:
                    asyncio.run_coroutine_threadsafe(browser.close(), loop).result(10)
                except BaseException:
                    logger.warning("A Chromium that did not start did not close either", exc_info=True)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(5)
            raise ChartRenderError(f"Chromium ({path}) did not start: {exc}") from exc
        self._loop, self._thread, self._path, self._pid = loop, thread, path, os.getpid()
        logger.info("kaleido started with %s", path)

    def _stop(self) -> None:
        if self._kaleido is None:
            return
        if self._pid == os.getpid() and self._loop is not None:
            try:
                asyncio.run_coroutine_threadsafe(self._kaleido.close(), self._loop).result(10)
            except Exception:
                logger.warning("kaleido did not close cleanly", exc_info=True)
            self._loop.call_soon_threadsafe(self._loop.stop)
            if self._thread is not None:
                self._thread.join(5)
        self._kaleido = self._loop = self._thread = self._path = self._pid = None

    def stop(self) -> None:
        with self._lock:
            self._stop()

    def ensure_started(self) -> None:
        path = chromium_path()
        with self._lock:
            if self.running and self._path != path:
                self._stop()  # the configured browser changed
            if not self.running:
                self._kaleido = None  # a server inherited from a parent process (fork) is not ours
                self._start(path)

    def draw_soon(self, specs: list[ChartSpec]) -> PendingCharts:
        """Start drawing in Chromium and return at once: the caller does other work meanwhile."""
        self.ensure_started()
        with self._lock:
            browser, loop = self._kaleido, self._loop

            async def draw_all():
                return await asyncio.gather(
                    *(
                        browser.calc_fig(
                            s.figure, opts={"format": "svg", "width": s.width, "height": s.height}
                        )
                        for s in specs
                    )
                )

            return PendingCharts(self, asyncio.run_coroutine_threadsafe(draw_all(), loop))


class PendingCharts:
    """Charts being drawn: svgs() waits for them (once) and returns them in order."""

    def __init__(self, server: _ChartServer, future: concurrent.futures.Future):
        self._server = server
        self._future = future
        self._lock = threading.Lock()
        self._svgs: list[str] | None = None

    def svgs(self) -> list[str]:
        with self._lock:
            if self._svgs is None:
                try:
                    drawn = self._future.result(DRAW_TIMEOUT + 5)
                except BaseException as exc:
                    self._future.cancel()
                    self._server.stop()  # a browser that failed once may be broken: start afresh next time
                    raise ChartRenderError(f"Chromium did not draw the charts: {exc!r}") from exc
                self._svgs = [slim_svg(svg.decode("utf-8")) for svg in drawn]
            return self._svgs


_server = _ChartServer()
atexit.register(_server.stop)


def figures_to_svg(specs: list[ChartSpec]) -> list[str]:
    """Each figure as an SVG document, in order."""
    return _server.draw_soon(specs).svgs()


def draw_soon(specs: list[ChartSpec]) -> PendingCharts:
    """Start drawing the figures; PendingCharts.svgs() returns them when they are done."""
    return _server.draw_soon(specs)


def start() -> None:
    """Open the browser now (a worker does it when its process starts, so the first render is warm)."""
    _server.ensure_started()


def stop() -> None:
    _server.stop()


def is_running() -> bool:
    return _server.running
