"""Single sign-on through an organization's SAML 2.0 identity provider (allauth's SAML provider on
python3-saml): the portal's request read from the redirect, a response signed in the test with python3-saml's
own signing tool and a key pair made in the test (tests/saml_idp.py), posted to the portal's Assertion
Consumer Service. Nothing of the portal or the libraries is mocked."""

from datetime import UTC, datetime, timedelta

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import SESSION_KEY, get_user_model
from django.test import Client

from assessments.models import AuditEvent, Invitation, Membership, Role, SingleSignOn
from tests import factories as f
from tests.saml_idp import SamlIdp

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


HOST = "portal.lhs.example"


@pytest.fixture
def client(settings):
    # A browser always sends Host; python3-saml builds the addresses it checks from it (a dotted name).
    settings.ALLOWED_HOSTS = [HOST]
    return Client(HTTP_HOST=HOST)


@pytest.fixture
def idp():
    return SamlIdp()


@pytest.fixture
def alpha_saml(org_a, idp):
    return SingleSignOn.objects.create(
        organization=org_a,
        protocol=SingleSignOn.Protocol.SAML,
        saml_metadata=idp.metadata(),
        email_domains="alpha-health.org",
    )


def _start(client, idp, email) -> dict:
    """The sign-in page's form, then allauth's start: the portal's AuthnRequest, as the IdP receives it."""
    start = client.post("/accounts/sso/", {"email": email})
    assert start.status_code == 307, start.content.decode()
    to_idp = client.post(start["Location"], {"process": "login"})
    assert to_idp.status_code == 302 and to_idp["Location"].startswith(f"{idp.sso_url}?SAMLRequest=")
    return idp.read_request(to_idp["Location"])


def _post_to_acs(client, request, saml_response):
    """The browser posts the answer to the Assertion Consumer Service, which hands over to its finish."""
    acs = client.post(
        request["acs_url"].removeprefix("http://portal.lhs.example"), {"SAMLResponse": saml_response}
    )
    assert acs.status_code == 302, acs.content.decode()
    return client.get(acs["Location"])


def _sso(client, idp, email, **response_kwargs):
    request = _start(client, idp, email)
    return _post_to_acs(client, request, idp.response(request, email=email, **response_kwargs))


def _signed_in(client):
    user_id = client.session.get(SESSION_KEY)
    return get_user_model().objects.get(pk=user_id).username if user_id else None


def _invite(org, email):
    return Invitation.objects.create(organization=org, email=email, role=Role.ASSESSOR, nonce="s" * 32)


def test_the_portal_asks_the_organization_s_idp_for_a_signed_in_person(client, idp, alpha_saml):
    request = _start(client, idp, "Nora@Alpha-Health.org")
    pk = alpha_saml.pk
    assert request["acs_url"] == f"http://portal.lhs.example/accounts/saml/org{pk}/acs/"
    assert request["sp_entity_id"] == f"http://portal.lhs.example/accounts/saml/org{pk}/metadata/"
    assert request["id"].startswith("ONELOGIN_")
    # The sign-in page's forms may lead on to the IdP (CSP form-action).
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    assert "form-action 'self' https://idp.alpha-health.example" in policy


def test_a_valid_assertion_joins_the_invitation(client, idp, alpha_saml, org_a):
    invitation = _invite(org_a, "nora@alpha-health.org")
    response = _sso(
        client,
        idp,
        "nora@alpha-health.org",
        attributes={
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname": "Nora",
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname": "Ngata",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert _signed_in(client) == "nora@alpha-health.org"
    nora = get_user_model().objects.get(username="nora@alpha-health.org")
    assert (nora.first_name, nora.last_name, nora.has_usable_password()) == ("Nora", "Ngata", False)
    assert list(Membership.objects.filter(user=nora).values_list("organization__slug", "role")) == [
        ("alpha", "assessor")
    ]
    invitation.refresh_from_db()
    assert invitation.accepted_by == nora
    assert list(SocialAccount.objects.values_list("provider", "uid")) == [
        (f"org{alpha_saml.pk}", "nora@alpha-health.org")
    ]
    # Next time, the linked account signs in at once.
    client.post("/accounts/logout/")
    assert _sso(client, idp, "nora@alpha-health.org")["Location"] == "/"
    assert _signed_in(client) == "nora@alpha-health.org"
    assert Membership.objects.count() == 1


def test_an_existing_account_with_the_same_address_is_joined(client, idp, alpha_saml, org_a):
    alice = f.MembershipFactory(
        organization=org_a, user=f.UserFactory(username="alice", email="alice@alpha-health.org")
    ).user
    assert _sso(client, idp, "Alice@alpha-health.org")["Location"] == "/"
    assert _signed_in(client) == "alice" and SocialAccount.objects.get().user == alice


def test_without_an_invitation_the_person_is_sent_to_their_admin(client, idp, alpha_saml):
    response = _sso(client, idp, "stranger@alpha-health.org")
    assert response.status_code == 403
    assert "ask your organization admin for an invitation" in response.content.decode()
    assert _signed_in(client) is None
    assert get_user_model().objects.count() == 0
    assert SocialAccount.objects.count() == 0 and Membership.objects.count() == 0
    assert list(AuditEvent.objects.values_list("kind", "actor_label")) == [
        ("sso_refused", "stranger@alpha-health.org")
    ]


NOW = datetime.now(UTC)


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (
            {"audience": "https://another-portal.example/saml/metadata/"},
            "is not a valid audience for this Response",
        ),
        (
            {"tamper": {">alice@alpha-health.org<": ">adam@alpha-health.org<"}},
            "Signature validation failed. SAML Response rejected",
        ),
        ({"issued": NOW - timedelta(hours=2)}, "Could not validate timestamp: expired"),
        ({"signed": False}, "The Assertion of the Response is not signed"),
    ],
    ids=["wrong-audience", "tampered-signature", "expired", "unsigned"],
)
def test_assertions_the_portal_must_refuse(client, idp, alpha_saml, org_a, change, why):
    for username in ("alice", "adam"):
        f.MembershipFactory(
            organization=org_a, user=f.UserFactory(username=username, email=f"{username}@alpha-health.org")
        )
    response = _sso(client, idp, "alice@alpha-health.org", **change)
    html = response.content.decode()
    assert response.status_code == 401
    assert "Sign-in through your organization failed" in html
    assert "The SAML response was refused:" in html and why in html
    assert _signed_in(client) is None
    assert SocialAccount.objects.count() == 0 and Membership.objects.count() == 2
    assert [kind for (kind,) in AuditEvent.objects.values_list("kind")] == ["sso_refused"]


def test_an_answer_to_no_request_of_the_portal_is_refused(client, idp, alpha_saml, org_a):
    f.MembershipFactory(
        organization=org_a, user=f.UserFactory(username="alice", email="alice@alpha-health.org")
    )
    request = _start(client, idp, "alice@alpha-health.org")
    forged = {**request, "id": "ONELOGIN_not-asked-by-the-portal"}
    response = _post_to_acs(client, forged, idp.response(forged, email="alice@alpha-health.org"))
    # allauth finds no sign-in of this browser that it answers (InResponseTo) and refuses it outright.
    assert response.status_code == 403 and "You cannot do this" in response.content.decode()
    assert _signed_in(client) is None
    assert SocialAccount.objects.count() == 0 and Membership.objects.count() == 1


def test_an_organization_that_requires_sso_refuses_passwords_and_lets_saml_in(client, idp, alpha_saml, org_a):
    alpha_saml.required = True
    alpha_saml.save()
    f.MembershipFactory(
        organization=org_a, user=f.UserFactory(username="alice", email="alice@alpha-health.org")
    )
    refused = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert "Alpha Regional Hospital signs its people in through its own sign-in" in refused.content.decode()
    assert _signed_in(client) is None
    assert _sso(client, idp, "alice@alpha-health.org")["Location"] == "/"
    assert _signed_in(client) == "alice"


def test_the_portal_publishes_its_service_provider_metadata(client, alpha_saml):
    response = client.get(f"/accounts/saml/org{alpha_saml.pk}/metadata/")
    xml = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"] == "text/xml"
    assert f'entityID="http://portal.lhs.example/accounts/saml/org{alpha_saml.pk}/metadata/"' in xml
    assert f'Location="http://portal.lhs.example/accounts/saml/org{alpha_saml.pk}/acs/"' in xml
