"""The Content-Security-Policy in a real browser: the dashboard's Plotly charts draw without any violation.

tests/test_security_headers.py checks the header and scans the HTML; this is the proof that the page works
under the policy: Chromium reports every blocked script or style as a `securitypolicyviolation` event and
a console error, and the journey fixture fails on console errors.
"""

import pytest

from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def test_org_dashboard_charts_render_under_the_csp(journey, rubric, cycle, org_a, executive_a):
    f.answer_all(f.AssessmentFactory(organization=org_a, cycle=cycle), 3, status="submitted")
    for index in range(5):
        peer = f.OrganizationFactory(name=f"Peer {index}", slug=f"peer-{index}")
        f.answer_all(f.AssessmentFactory(organization=peer, cycle=cycle), index + 1, status="submitted")
    journey.page.add_init_script(RECORD_VIOLATIONS)
    journey.login("erin")

    response = journey.goto("/orgs/alpha/dashboard/")
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    journey.page.wait_for_load_state("networkidle")
    for chart in ("chart-iqr", "chart-radar"):
        container = journey.page.locator(f'[data-chart="{chart}"]')
        container.locator("svg.main-svg").first.wait_for(state="attached", timeout=15_000)
        assert container.locator("svg.main-svg").count() >= 1
    assert journey.page.evaluate("window.__cspViolations") == []
    assert journey.console_errors == []
