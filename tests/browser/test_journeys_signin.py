"""Single sign-on in a real browser, checked at every size (axe, reflow): a refused ID token is explained in
plain words."""

import pytest

from assessments.models import AuditEvent, SingleSignOn
from assessments.signin import crypto
from tests import factories as f
from tests.oidc_provider import running_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_refused_id_token_is_explained(journey, org_a):
    f.MembershipFactory(
        organization=org_a, user=f.UserFactory(username="alice", email="alice@alpha-health.org")
    )
    with running_provider() as provider:
        SingleSignOn.objects.create(
            organization=org_a,
            issuer=provider.issuer,
            client_id=provider.client_id,
            client_secret_encrypted=crypto.encrypt(provider.client_secret),
            email_domains="alpha-health.org",
        )
        provider.person = {"sub": "alice-1", "email": "alice@alpha-health.org"}
        provider.id_token_claims = {"aud": "another-client"}
        journey.goto("/accounts/login/")
        journey.page.get_by_label("Your work e-mail address").fill("alice@alpha-health.org")
        journey.page.get_by_role("button", name="Continue to my organization's sign-in").click()
        journey.page.wait_for_load_state()
        heading = journey.page.get_by_role("heading", level=1).inner_text()
        assert heading == "Sign-in through your organization failed"
        assert journey.page.get_by_role("alert").inner_text() == (
            "The ID token was issued for another application (audience)."
        )
        journey.check("refused ID token")
    assert list(AuditEvent.objects.values_list("kind", flat=True)) == ["sso_refused"]
