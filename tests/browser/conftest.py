"""Real-browser tests: Playwright driving Debian's chromium against pytest-django's live server.

Never `playwright install`: the browser is the system's (`shutil.which("chromium")`), started headless with
the flags this machine needs. Every page a journey visits is checked at three sizes (1366 x 900, a 390 x 844
phone, and 1280 x 900 at 200 % zoom, which lays out as 640 x 450 CSS pixels) by axe-core (WCAG 2.0/2.1 A and
AA fail the test; best-practice findings are written to screenshots/axe-best-practice.txt), then at 320 CSS
pixels wide for reflow (WCAG 1.4.10): the page itself never scrolls sideways, and whatever scrolls sideways
inside it is a keyboard-reachable region with a role and a name. Screenshots at 1366 and 390 px are saved
under screenshots/ (ignored by git) for people to look at.
"""

import os
import re
import shutil
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between browser
# steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# (label, CSS viewport): 200 % zoom of a 1280 x 900 window is the layout of a 640 x 450 one.
SIZES = [
    ("1366", {"width": 1366, "height": 900}),
    ("390", {"width": 390, "height": 844}),
    ("zoom200", {"width": 640, "height": 450}),
]
SCREENSHOT_SIZES = {"1366", "390"}
REFLOW = {"width": 320, "height": 256}  # 1280 x 1024 at 400 % zoom
BEST_PRACTICE_REPORT = SCREENSHOTS / "axe-best-practice.txt"

# Elements that scroll sideways inside the page without being a named, focusable region (WCAG 2.1.1, 1.4.10).
UNLABELLED_SCROLLERS = """() => [...document.querySelectorAll('body *')].filter(e => {
    const style = getComputedStyle(e);
    if (!['auto', 'scroll'].includes(style.overflowX) || e.scrollWidth <= e.clientWidth + 1) return false;
    if (!e.getClientRects().length || e.closest('.js-plotly-plot')) return false;
    const named = e.getAttribute('aria-label') || e.getAttribute('aria-labelledby');
    return !(e.tabIndex === 0 && e.getAttribute('role') && named);
}).map(e => `${e.tagName}.${e.getAttribute('class')} (${e.scrollWidth} in ${e.clientWidth} px)`)"""
SCROLLING_TABLES = """() => [...document.querySelectorAll('.table-responsive')]
    .filter(e => e.scrollWidth > e.clientWidth + 1)
    .map(e => `${e.getAttribute('aria-label')} (${e.scrollWidth} in ${e.clientWidth} px)`)"""
# What sticks out of the viewport (anything inside its own scroll box does not count).
TOO_WIDE = """() => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && e.getClientRects().length)
    .filter(e => { for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
        if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return false;
    } return true; })
    .slice(0, 5).map(e => `${e.tagName}.${e.getAttribute('class')}: ${(e.innerText || '').slice(0, 40)}`)"""
# After a resize: let Plotly's responsive charts redraw and the layout settle (two animation frames).
SETTLE = """async () => {
    if (window.Plotly) {
        const plots = [...document.querySelectorAll('.js-plotly-plot')];
        await Promise.all(plots.map(p => window.Plotly.Plots.resize(p)));
    }
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
}"""
PASSWORD = "correct horse battery staple"
AXE = Axe()  # reads axe-core's script once; it is injected into each page checked

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        pytest.fail("Debian's chromium is needed for the browser tests: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    BEST_PRACTICE_REPORT.unlink(missing_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


CONTEXT_OPTIONS = {"viewport": {"width": 1366, "height": 900}, "locale": "en-US", "accept_downloads": True}


class Journey:
    """One person's browser tab plus the checks every page gets: no CSP violation or other console error,
    axe clean, one h1, the landmarks, the skip link, a title, no sideways scrolling."""

    def __init__(self, browser, base_url: str, name: str):
        self.browser = browser
        self.context = browser.new_context(**CONTEXT_OPTIONS)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.base_url = base_url
        self.name = name
        self.console_errors: list[str] = []
        self.shots = 0
        self.others: list[Journey] = []
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda exc: self.console_errors.append(str(exc)))

    def _on_console(self, msg):
        # A page answered with 400/403/404 on purpose (a form with errors, a dead invitation link) is not
        # broken, yet Chromium logs its status: only the page's own status is forgiven, not a sub-resource's.
        if msg.type != "error":
            return
        if msg.text.startswith("Failed to load resource") and msg.location.get("url") == self.page.url:
            return
        self.console_errors.append(msg.text)

    def another(self, who: str) -> "Journey":
        """A second person in a browser context of their own: no cookies shared with this one."""
        other = Journey(self.browser, self.base_url, f"{self.name}-{who}")
        self.others.append(other)
        return other

    def close(self):
        for other in self.others:
            other.close()
        self.context.close()

    def goto(self, path: str):
        response = self.page.goto(self.base_url + path)
        assert response is not None
        return response

    def login(self, username: str, password: str = PASSWORD):
        self.goto("/accounts/login/")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state()

    def check(self, label: str):
        """At each of the three sizes keep a screenshot and run axe (WCAG 2.0/2.1 A and AA: nothing found;
        best practice: reported), then check reflow at 320 px; the console is clean and the page has the
        structure every page promises. The viewport is put back as it was."""
        # "load", not "networkidle": the latter always costs 500 ms; pages that fetch after load are
        # waited for by the journey itself (the text it expects).
        self.page.wait_for_load_state("load")
        self.shots += 1
        SCREENSHOTS.mkdir(exist_ok=True)
        slug = re.sub(r"[^a-z0-9]+", "-", f"{self.name}-{self.shots:02d}-{label}".lower()).strip("-")
        viewport = self.page.viewport_size
        problems = []
        try:
            for size, dimensions in SIZES:
                self.page.set_viewport_size(dimensions)
                self.page.evaluate(SETTLE)
                if size in SCREENSHOT_SIZES:
                    # Before the checks, so that a failing page can be looked at.
                    self.page.screenshot(path=str(SCREENSHOTS / f"{slug}-{size}.png"), full_page=True)
                problems += self.axe_problems(f"{label} at {size}")
                if size == "1366":
                    # At a desktop width tables fit: nothing is cut off behind a sideways scroll.
                    scrolling = self.page.evaluate(SCROLLING_TABLES)
                    if scrolling:
                        problems.append(f"{label} at 1366: tables scroll sideways {scrolling}")
            self.page.set_viewport_size(REFLOW)
            self.page.evaluate(SETTLE)
            problems += self.reflow_problems(f"{label} at 320 px")
        finally:
            self.page.set_viewport_size(viewport)
        assert problems == [], "\n".join(problems)
        assert self.console_errors == [], f"{label}: console errors {self.console_errors}"
        self.assert_page_structure(label)

    def axe_problems(self, label: str) -> list[str]:
        results = AXE.run(
            self.page, options={"runOnly": {"type": "tag", "values": [*WCAG_TAGS, "best-practice"]}}
        )
        failing, advice = [], []
        for violation in results.response["violations"]:
            (failing if set(violation["tags"]) & set(WCAG_TAGS) else advice).append(violation)
        if advice:
            with BEST_PRACTICE_REPORT.open("a") as report:
                for violation in advice:
                    targets = [" ".join(node["target"]) for node in violation["nodes"][:3]]
                    report.write(f"{self.name} {label}: {violation['id']} {targets}\n")
        return [
            f"{label}: axe {v['id']} ({v['help']}) on {[' '.join(n['target']) for n in v['nodes'][:5]]}"
            for v in failing
        ]

    def reflow_problems(self, label: str) -> list[str]:
        problems = []
        overflow = self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            problems.append(
                f"{label}: the page scrolls sideways by {overflow}px: {self.page.evaluate(TOO_WIDE)}"
            )
        unlabelled = self.page.evaluate(UNLABELLED_SCROLLERS)
        if unlabelled:
            problems.append(f"{label}: scrolls sideways outside a focusable, named region: {unlabelled}")
        return problems

    def assert_page_structure(self, label: str):
        """What base.html promises on every page: one h1, a skip link to main#main, the four landmarks."""
        page = self.page
        assert page.locator("h1").count() == 1, f"{label}: {page.locator('h1').count()} h1 elements"
        assert page.locator('a[href="#main"]').count() == 1, f"{label}: no skip link"
        assert page.locator("main#main").count() == 1, f"{label}: no main#main"
        for landmark in ("header", "nav", "footer"):
            assert page.locator(landmark).count() >= 1, f"{label}: no <{landmark}>"
        assert page.title().endswith("· LHS Commitments Portal"), f"{label}: title {page.title()!r}"
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{label}: the page scrolls sideways by {overflow}px"


@pytest.fixture
def journey(browser, live_server, request):
    journey = Journey(browser, live_server.url, request.node.name)
    yield journey
    journey.close()


@pytest.fixture
def scorecard_worker(transactional_db):
    """Who renders scorecards during a browser test.

    A REAL worker runs in a thread of this process on the configured broker, the embedded one without
    CELERY_BROKER_URL (Redis keys prefixed with this process's id, so parallel runs never take each other's
    tasks), and the page has to follow the render by itself, as it does in production.
    """
    from celery.contrib.testing.worker import start_worker

    from lhs_portal.celery import app as celery_app
    from tests.reports.conftest import broker_at

    with broker_at(settings.CELERY_BROKER_URL):
        celery_app.control.purge()
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
            yield worker
