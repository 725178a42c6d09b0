"""The read API in a browser: a member creates a token on the API tokens page (axe-clean), uses it, revokes
it; the API docs page (Swagger UI from our own static files) renders under the Content-Security-Policy."""

import pytest
import requests

from reports.api.models import ApiToken

from .test_csp import RECORD_VIOLATIONS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_creates_uses_and_revokes_a_token(journey, org_a, assessor_a):
    journey.login("alice")
    page = journey.page
    page.locator(".account-toggle").click()
    page.get_by_role("link", name="API tokens").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="API tokens", level=1).is_visible()
    journey.check("API tokens, none yet")

    page.get_by_label("Name").fill("R dashboard")
    page.get_by_role("button", name="Create token").click()
    page.wait_for_load_state()
    plaintext = page.get_by_role("textbox", name="Token", exact=True).input_value()
    assert plaintext.startswith("lhs_")
    journey.check("API tokens, a new token shown once")

    api = requests.get(
        journey.base_url + "/api/v1/orgs/alpha/cycles/",
        headers={"Authorization": f"Bearer {plaintext}"},
        timeout=10,
    )
    assert (api.status_code, api.json()) == (200, [])

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke R dashboard").click()
    page.wait_for_load_state()
    assert page.get_by_text("is revoked.").is_visible()
    assert ApiToken.objects.get().revoked_at is not None
    refused = requests.get(
        journey.base_url + "/api/v1/orgs/alpha/cycles/",
        headers={"Authorization": f"Bearer {plaintext}"},
        timeout=10,
    )
    assert (refused.status_code, refused.json()) == (401, {"detail": "This API token has been revoked."})


def test_docs_page_renders_under_the_csp(journey, db):
    journey.page.add_init_script(RECORD_VIOLATIONS)
    response = journey.goto("/api/v1/docs/")
    assert response.status == 200
    journey.page.get_by_text("/api/v1/orgs/{slug}/assessments/{cycle_slug}/scores/").first.wait_for()
    assert journey.page.evaluate("window.__cspViolations") == []
    assert journey.console_errors == []
