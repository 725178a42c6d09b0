"""Hardening headers on every main page, and no markup that the Content-Security-Policy would block.

The CSP forbids inline scripts and styles (script-src 'self', style-src 'self'): a template with a <script>
block, a <style> element or a style="" attribute would break in the browser without any server error, so
every page is scanned here, and tests/browser checks the real thing once (no CSP violation in the console).
"""

import datetime
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from assessments.models import Assessment
from tests import factories as f

pytestmark = pytest.mark.django_db

# django-csp 4 writes the directives in no fixed order: compared as a set of "directive sources" strings.
EXPECTED_CSP = {
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
}
EXPECTED_HEADERS = {
    "Content-Security-Policy": EXPECTED_CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
PEERS = ["Charlie Health", "Delta Medical", "Echo Hospital", "Foxtrot Clinics", "Golf Coast Health"]


@pytest.fixture
def portal(rubric, cycle, org_a, assessor_a, executive_a, admin_a, nam_staff):
    """Alpha's submitted assessment, five submitted peers (so the dashboard draws peer charts), a plan."""
    alpha = f.answer_all(f.AssessmentFactory(organization=org_a, cycle=cycle), 3, status="submitted")
    for index, name in enumerate(PEERS):
        peer = f.OrganizationFactory(name=name, slug=f"peer-{index}")
        f.answer_all(f.AssessmentFactory(organization=peer, cycle=cycle), index + 1, status="submitted")
    f.ImprovementActionFactory(
        organization=org_a, cycle=cycle, commitment=rubric.commitments.get(slug="safe")
    )
    return alpha


# (label, URL name, kwargs, who may see it)
MAIN_PAGES = [
    ("sign-in", "login", {}, None),
    ("commitments index", "commitments:index", {}, None),
    ("healthz", "healthz", {}, None),
    ("org dashboard", "reports:org_dashboard", {"slug": "alpha"}, "executive_a"),
    ("assessment overview", "assessments:overview", {"slug": "alpha", "cycle_slug": "2026"}, "assessor_a"),
    (
        "commitment page",
        "assessments:commitment",
        {"slug": "alpha", "cycle_slug": "2026", "commitment_slug": "engaged"},
        "assessor_a",
    ),
    ("review page", "assessments:review", {"slug": "alpha", "cycle_slug": "2026"}, "assessor_a"),
    ("history", "assessments:history", {"slug": "alpha", "cycle_slug": "2026"}, "assessor_a"),
    ("NAM dashboard", "reports:nam_dashboard", {}, "nam_staff"),
    ("NAM cycles", "assessments:nam_cycles", {}, "nam_staff"),
    ("NAM review", "assessments:nam_review", {"pk": "alpha-assessment"}, "nam_staff"),
    ("people page", "assessments:members", {"slug": "alpha"}, "admin_a"),
    ("plan page", "reports:plan", {"slug": "alpha"}, "assessor_a"),
    ("scorecards page", "reports:scorecards", {"slug": "alpha"}, "executive_a"),
    ("how scores work", "reports:how_scores_work", {}, "executive_a"),
    ("audit log", "assessments:audit_log", {}, "nam_staff"),
]


def security_headers(response) -> dict:
    found = {header: response.get(header) for header in EXPECTED_HEADERS}
    if found["Content-Security-Policy"] is not None:
        found["Content-Security-Policy"] = {
            " ".join(part.split()) for part in found["Content-Security-Policy"].split(";") if part.strip()
        }
    return found


def _get(client, request, portal, name, kwargs, role, **extra):
    kwargs = {k: (portal.pk if v == "alpha-assessment" else v) for k, v in kwargs.items()}
    if role is not None:
        client.force_login(request.getfixturevalue(role), backend="assessments.backends.PortalBackend")
    return client.get(reverse(name, kwargs=kwargs), **extra)


class InlineCode(HTMLParser):
    """Collects what a strict CSP blocks: inline <script>, <style> elements, style="" attributes, on*=."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src") and attrs.get("type") != "application/json":
            self.found.append(f"inline <script> at line {self.getpos()[0]}")
        if tag == "style":
            self.found.append(f"<style> element at line {self.getpos()[0]}")
        if "style" in attrs:
            self.found.append(f'<{tag} style="{attrs["style"]}"> at line {self.getpos()[0]}')
        handlers = sorted(name for name in attrs if name.startswith("on"))
        if handlers:
            self.found.append(f"<{tag} {' '.join(handlers)}=...> at line {self.getpos()[0]}")
        for name in ("href", "src", "action"):
            if (attrs.get(name) or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:...> at line {self.getpos()[0]}")

    handle_startendtag = handle_starttag


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


@pytest.mark.parametrize(("label", "name", "kwargs", "role"), MAIN_PAGES, ids=[p[0] for p in MAIN_PAGES])
def test_main_page_headers_and_no_inline_code(label, name, kwargs, role, client, request, portal):
    response = _get(client, request, portal, name, kwargs, role)
    assert response.status_code == 200, f"{label}: {response.status_code}"
    assert security_headers(response) == EXPECTED_HEADERS
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert "Strict-Transport-Security" not in response  # development settings: plain HTTP
    if response["Content-Type"].startswith("text/html"):
        assert inline_code(response.content.decode()) == []


def test_the_dashboard_loads_its_charts_from_our_own_static_files(client, portal, executive_a):
    client.force_login(executive_a, backend="assessments.backends.PortalBackend")
    html = client.get(reverse("reports:org_dashboard", kwargs={"slug": "alpha"})).content.decode()
    scripts = [line for line in html.splitlines() if "<script" in line]
    assert scripts and all('src="/static/' in line or 'type="application/json"' in line for line in scripts)


@pytest.mark.parametrize(("label", "name", "kwargs", "role"), MAIN_PAGES, ids=[p[0] for p in MAIN_PAGES])
def test_hsts_on_secure_requests_with_production_values(
    label, name, kwargs, role, client, request, portal, settings
):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    response = _get(client, request, portal, name, kwargs, role, secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert security_headers(response) == EXPECTED_HEADERS


def test_plain_http_is_redirected_to_https_in_production_except_the_health_probe(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/accounts/login/")
    assert (response.status_code, response["Location"]) == (301, "https://testserver/accounts/login/")
    assert "Strict-Transport-Security" not in response  # never over plain HTTP
    health = client.get("/healthz")
    assert health.status_code == 200


def test_production_cookies_are_secure_httponly_and_samesite(client, settings, assessor_a):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    page = client.get("/accounts/login/", secure=True)
    csrf = page.cookies["csrftoken"]
    assert (bool(csrf["secure"]), bool(csrf["httponly"]), csrf["samesite"]) == (True, True, "Lax")
    response = client.post(
        "/accounts/login/",
        {"username": "alice", "password": "correct horse battery staple"},
        secure=True,
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert (bool(session["secure"]), bool(session["httponly"]), session["samesite"]) == (True, True, "Lax")


def test_error_pages_carry_the_headers_and_no_inline_code(client, executive_a):
    client.force_login(executive_a, backend="assessments.backends.PortalBackend")
    for url, status in [("/orgs/bravo-does-not-exist/dashboard/", 404), ("/nam/cycles/", 403)]:
        response = client.get(url)
        assert response.status_code == status
        assert security_headers(response) == EXPECTED_HEADERS
        assert inline_code(response.content.decode()) == []
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post("/accounts/login/", {"username": "erin", "password": "x"})
    assert response.status_code == 403
    assert security_headers(response) == EXPECTED_HEADERS
    assert inline_code(response.content.decode()) == []


def test_scanner_finds_what_the_csp_blocks():
    """The scanner itself: each kind of inline code is reported, JSON data blocks and src scripts are not."""
    html = (
        '<script src="/static/js/a.js"></script><script type="application/json">{"a": 1}</script>'
        '<script>alert(1)</script><style>p{}</style><p style="color: red">x</p>'
        '<button onclick="go()">go</button><a href="javascript:void(0)">x</a><img src="/x.png" alt=""/>'
    )
    assert inline_code(html) == [
        "inline <script> at line 1",
        "<style> element at line 1",
        '<p style="color: red"> at line 1',
        "<button onclick=...> at line 1",
        "<a href=javascript:...> at line 1",
    ]


def test_assessment_dates_are_not_a_reason_for_inline_styles(client, portal, assessor_a):
    """An overdue open cycle shows its warning banner: still no inline style (progress bars are classic)."""
    Assessment.objects.filter(pk=portal.pk).update(status="draft", submitted_at=None)
    portal.cycle.closes_on = datetime.date.today() - datetime.timedelta(days=3)
    portal.cycle.save()
    client.force_login(assessor_a, backend="assessments.backends.PortalBackend")
    for name in ("assessments:overview", "assessments:review"):
        response = client.get(reverse(name, kwargs={"slug": "alpha", "cycle_slug": "2026"}))
        assert response.status_code == 200
        assert inline_code(response.content.decode()) == []
