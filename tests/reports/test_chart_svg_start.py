"""reports/exporters/chart_svg.py: a Chromium that does not start in time is closed, not left running.

On a busy machine every scorecard attempt that timed out opening Chromium left one browser behind (the soak
of 3 December: 150 Chromium processes and 3 GB after ten minutes). Real Chromium, no mocks.
"""

import shutil
import time

import psutil
import pytest

from reports.exporters import chart_svg

pytestmark = pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian's chromium")


def browsers() -> list[psutil.Process]:
    """This process's Chromium processes, but not the browser tests' one (started by Playwright's node driver
    and kept open for the whole session when those tests ran first in the same pytest process)."""
    found, todo = [], psutil.Process().children()
    while todo:
        process = todo.pop()
        try:
            if "playwright" in " ".join(process.cmdline()):
                continue
            if "chrom" in process.name():
                found.append(process)
            todo.extend(process.children())
        except psutil.NoSuchProcess:
            continue
    return found


def test_a_start_that_times_out_leaves_no_chromium(monkeypatch):
    chart_svg.stop()
    assert browsers() == []
    monkeypatch.setattr(chart_svg, "START_TIMEOUT", 0.3)  # Chromium takes longer than this to open

    with pytest.raises(chart_svg.ChartRenderError, match=r"Chromium \(.+\) did not start"):
        chart_svg.start()

    deadline = time.monotonic() + 15
    while browsers() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert browsers() == []

    monkeypatch.setattr(chart_svg, "START_TIMEOUT", 60)
    chart_svg.start()  # the next attempt opens one afresh
    try:
        assert browsers() != []
    finally:
        chart_svg.stop()
