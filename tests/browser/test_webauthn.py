"""A security key as the second factor, in a real browser: Chromium's virtual authenticator (DevTools
protocol, WebAuthn domain) stands in for the key while allauth registers it and asks for it at sign-in."""

import pytest
from allauth.mfa.models import Authenticator

from tests.browser.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_security_key_is_added_and_then_asked_for_at_sign_in(journey, assessor_a, settings):
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True  # the live server is http://localhost
    devtools = journey.context.new_cdp_session(journey.page)
    devtools.send("WebAuthn.enable")
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    page = journey.page
    journey.login("alice")
    journey.goto("/accounts/2fa/webauthn/add/")
    page.get_by_label("Password").fill(PASSWORD)  # allauth asks for the password again first
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/accounts/2fa/webauthn/add/")
    journey.check("add a security key")
    page.get_by_label("Name").fill("Blue key")
    page.get_by_role("button", name="Add").click()
    page.wait_for_url("**/accounts/2fa/recovery-codes/")
    assert list(
        Authenticator.objects.filter(user=assessor_a).order_by("type").values_list("type", flat=True)
    ) == [
        "recovery_codes",
        "webauthn",
    ]
    journey.context.clear_cookies()  # a new session: sign in again
    journey.login("alice")
    page.wait_for_url("**/accounts/2fa/authenticate/")
    journey.check("sign-in asks for the key")
    page.get_by_role("button", name="Use a security key").click()
    page.wait_for_url("**/orgs/alpha/dashboard/")
