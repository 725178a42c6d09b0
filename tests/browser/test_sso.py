"""Single sign-on in a real browser: the sign-in page sends a work address to its organization's OpenID
Connect provider (a real one, running in the test: tests/oidc_provider.py), which sends the person back
signed in, by the authorization-code flow with PKCE; someone without an invitation is sent to their admin."""

import pytest

from assessments.models import Invitation, Membership, Role, SingleSignOn
from assessments.signin import crypto
from tests.oidc_provider import running_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def provider(org_a):
    with running_provider() as provider:
        SingleSignOn.objects.create(
            organization=org_a,
            issuer=provider.issuer,
            client_id=provider.client_id,
            client_secret_encrypted=crypto.encrypt(provider.client_secret),
            email_domains="alpha-health.org",
        )
        yield provider


def _sign_in_with_organization(journey, email):
    journey.goto("/accounts/login/")
    journey.page.get_by_label("Your work e-mail address").fill(email)
    journey.page.get_by_role("button", name="Continue to my organization's sign-in").click()
    journey.page.wait_for_load_state()


def test_an_invited_person_signs_in_through_their_organization(journey, provider, org_a, cycle):
    Invitation.objects.create(
        organization=org_a, email="nora@alpha-health.org", role=Role.ASSESSOR, nonce="n" * 32
    )
    provider.person = {
        "sub": "nora-1",
        "email": "nora@alpha-health.org",
        "given_name": "Nora",
        "family_name": "Ng",
    }
    journey.goto("/accounts/login/")
    journey.check("sign-in with the organization's sign-in")
    _sign_in_with_organization(journey, "nora@alpha-health.org")
    assert journey.page.url == f"{journey.base_url}/orgs/alpha/dashboard/"
    assert journey.page.get_by_text("Nora Ng").first.is_visible()
    journey.check("dashboard after single sign-on")
    request = provider.authorization_requests[-1]
    assert request["code_challenge_method"] == "S256"
    callback = f"/accounts/oidc/org{SingleSignOn.objects.get().pk}/login/callback/"
    assert request["redirect_uri"] == f"{journey.base_url}{callback}"
    assert list(Membership.objects.values_list("user__username", "organization__slug", "role")) == [
        ("nora@alpha-health.org", "alpha", "assessor")
    ]


def test_someone_without_an_invitation_is_sent_to_their_admin(journey, provider):
    provider.person = {"sub": "sam-1", "email": "sam@alpha-health.org"}
    _sign_in_with_organization(journey, "sam@alpha-health.org")
    assert journey.page.get_by_role("heading", level=1).inner_text() == "You cannot sign in to the portal yet"
    assert journey.page.get_by_text("ask your organization admin for an invitation").first.is_visible()
    journey.check("refused without an invitation")
    assert Membership.objects.count() == 0
