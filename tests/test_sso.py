"""Single sign-on through an organization's OpenID Connect provider (allauth, with the portal's rules),
against a real provider running in the test (tests/oidc_provider.py): domain routing, PKCE, joining an
invitation or an existing account, refusal without one, organizations that require it, and ID tokens the
portal must refuse."""

import http.client
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import SESSION_KEY, get_user_model

from assessments.models import AuditEvent, Invitation, Membership, Role, SingleSignOn
from assessments.signin import crypto
from tests import factories as f
from tests.oidc_provider import running_provider

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture
def provider():
    with running_provider() as provider:
        yield provider


@pytest.fixture
def alpha_sso(org_a, provider):
    return SingleSignOn.objects.create(
        organization=org_a,
        issuer=provider.issuer,
        client_id=provider.client_id,
        client_secret_encrypted=crypto.encrypt(provider.client_secret),
        email_domains="alpha-health.org, alpha.example",
    )


def _follow_provider(url: str) -> str:
    """The browser's visit to the provider: where it sends the person back."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("GET", f"{parts.path}?{parts.query}")
    response = connection.getresponse()
    assert response.status == 302, response.read()
    return response.getheader("Location")


def _sso(client, provider, email, person=None, *, callback_change=None):
    """Sign in through the provider that serves `email`'s domain; the provider vouches for `person`."""
    provider.person = person or {"sub": f"sub-{email}", "email": email}
    start = client.post("/accounts/sso/", {"email": email, "process": "login"})
    assert start.status_code == 307, start.content.decode()
    to_provider = client.post(start["Location"], {"email": email, "process": "login"})
    assert to_provider.status_code == 302 and to_provider["Location"].startswith(provider.issuer)
    back = urlsplit(_follow_provider(to_provider["Location"]))
    query = {k: v[0] for k, v in parse_qs(back.query).items()}
    if callback_change:
        query.update(callback_change)
    return client.get(f"{back.path}?{urlencode(query)}")


def _signed_in(client):
    user_id = client.session.get(SESSION_KEY)
    return get_user_model().objects.get(pk=user_id).username if user_id else None


def _events(kind):
    return list(AuditEvent.objects.filter(kind=kind).order_by("pk").values_list("actor_label", "detail"))


def test_an_address_of_a_served_domain_goes_to_its_provider_with_pkce(client, provider, alpha_sso):
    start = client.post("/accounts/sso/", {"email": "Nora@Alpha-Health.org"})
    assert start.status_code == 307
    location = urlsplit(start["Location"])
    assert location.path == f"/accounts/oidc/org{alpha_sso.pk}/login/"
    nonce = parse_qs(parse_qs(location.query)["auth_params"][0])["nonce"][0]
    assert len(nonce) == 32 and client.session[f"_sso_nonce:org{alpha_sso.pk}"] == nonce
    to_provider = client.post(start["Location"], {"process": "login"})
    query = parse_qs(urlsplit(to_provider["Location"]).query)
    assert query["nonce"] == [nonce]
    assert to_provider["Location"].startswith(f"{provider.issuer}/authorize?")
    assert query["client_id"] == [provider.client_id]
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert query["redirect_uri"] == [f"http://testserver/accounts/oidc/org{alpha_sso.pk}/login/callback/"]
    assert set(query["scope"][0].split()) == {"openid", "profile", "email"}
    assert len(query["state"][0]) >= 12


def test_the_sign_in_page_may_send_its_forms_on_to_the_providers(client, provider, alpha_sso):
    # Chromium holds a form's redirects to the page's CSP form-action (tests/browser/test_sso.py).
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    assert f"form-action 'self' {provider.issuer}" in policy


def test_an_address_of_no_served_domain_is_told_to_use_the_password(client, alpha_sso):
    response = client.post("/accounts/sso/", {"email": "someone@gmail.com"})
    assert response.status_code == 400
    assert "No organization signs in people of gmail.com through its own sign-in" in response.content.decode()


def test_an_invitation_is_joined_through_single_sign_on(client, provider, alpha_sso, org_a):
    invitation = Invitation.objects.create(
        organization=org_a, email="Nora@alpha-health.org", role=Role.ASSESSOR, nonce="n" * 32
    )
    person = {"sub": "nora-1", "email": "nora@alpha-health.org", "given_name": "Nora", "family_name": "Ngata"}
    response = _sso(client, provider, "nora@alpha-health.org", person)
    assert response.status_code == 302 and response["Location"] == "/"
    assert _signed_in(client) == "nora@alpha-health.org"
    nora = get_user_model().objects.get(username="nora@alpha-health.org")
    assert (nora.first_name, nora.last_name, nora.has_usable_password()) == ("Nora", "Ngata", False)
    assert list(Membership.objects.filter(user=nora).values_list("organization__slug", "role")) == [
        ("alpha", "assessor")
    ]
    invitation.refresh_from_db()
    assert invitation.accepted_by == nora and invitation.accepted_at is not None
    assert list(SocialAccount.objects.values_list("user__username", "provider", "uid")) == [
        ("nora@alpha-health.org", f"org{alpha_sso.pk}", "nora-1")
    ]
    # The PKCE verifier went with the code to the token endpoint.
    assert len(provider.token_requests[-1]["code_verifier"]) >= 43
    # Next time, the linked account signs in at once.
    client.post("/accounts/logout/")
    again = _sso(client, provider, "nora@alpha-health.org", person)
    assert again["Location"] == "/" and _signed_in(client) == "nora@alpha-health.org"
    assert get_user_model().objects.filter(email__iexact="nora@alpha-health.org").count() == 1


def test_an_existing_account_with_the_same_address_is_joined(client, provider, alpha_sso, org_a):
    alice = f.MembershipFactory(
        organization=org_a, user=f.UserFactory(username="alice", email="Alice@Alpha-Health.org")
    ).user
    response = _sso(client, provider, "alice@alpha-health.org")
    assert response["Location"] == "/"
    assert _signed_in(client) == "alice"
    assert SocialAccount.objects.get().user == alice
    assert Membership.objects.filter(user=alice).count() == 1


def test_without_an_invitation_the_person_is_sent_to_their_admin(client, provider, alpha_sso, org_a):
    response = _sso(client, provider, "stranger@alpha-health.org")
    html = response.content.decode()
    assert response.status_code == 403
    assert "ask your organization admin for an invitation" in html
    assert _signed_in(client) is None
    assert not get_user_model().objects.filter(email="stranger@alpha-health.org").exists()
    assert SocialAccount.objects.count() == 0 and Membership.objects.count() == 0
    assert _events("sso_refused") == [
        (
            "stranger@alpha-health.org",
            f"Single sign-on through org{alpha_sso.pk} refused for stranger@alpha-health.org: There is no "
            "invitation for you yet: ask your organization admin for an invitation.",
        )
    ]


@pytest.mark.parametrize(
    ("person", "why"),
    [
        ({"sub": "x", "email": "nora@elsewhere.org"}, "cannot vouch for the address nora@elsewhere.org"),
        (
            {"sub": "x", "email": "nora@alpha-health.org", "email_verified": False},
            "cannot vouch for the address",
        ),
        ({"sub": "x"}, "did not tell us your e-mail address"),
    ],
)
def test_an_address_the_provider_cannot_vouch_for_is_refused(client, provider, alpha_sso, org_a, person, why):
    Invitation.objects.create(
        organization=org_a, email="nora@elsewhere.org", role=Role.ASSESSOR, nonce="n" * 32
    )
    Invitation.objects.create(
        organization=org_a, email="nora@alpha-health.org", role=Role.ASSESSOR, nonce="m" * 32
    )
    response = _sso(client, provider, "nora@alpha-health.org", person)
    assert response.status_code == 403 and why in response.content.decode()
    assert _signed_in(client) is None and Membership.objects.count() == 0


@pytest.mark.parametrize(
    ("claims", "tamper", "callback_change", "why"),
    [
        ({}, {"email": "alice@alpha-health.org"}, None, "The ID token&#x27;s signature does not match"),
        ({"aud": "another-client"}, {}, None, "The ID token was issued for another application (audience)."),
        ({"exp": int(time.time()) - 120, "iat": int(time.time()) - 400}, {}, None, "token has expired"),
        ({"iss": "http://127.0.0.1:1/"}, {}, None, "The ID token comes from another issuer."),
        ({"nonce": "another-sign-in"}, {}, None, "The ID token does not belong to this sign-in (nonce)."),
        ({}, {}, {"state": "forged-state"}, "does not match a sign-in started from this browser (state)"),
    ],
    ids=["tampered-signature", "another-audience", "expired", "another-issuer", "nonce", "state-mismatch"],
)
def test_tokens_and_answers_the_portal_must_refuse(
    client, provider, alpha_sso, org_a, claims, tamper, callback_change, why
):
    alice = f.MembershipFactory(
        organization=org_a, user=f.UserFactory(username="alice", email="alice@alpha-health.org")
    ).user
    users_before = list(get_user_model().objects.values_list("username", flat=True))
    provider.id_token_claims = claims
    provider.tamper_id_token = tamper
    # Tampered: the provider signed Mallory in, the forged token names Alice.
    person = {"sub": "mallory", "email": "mallory@alpha-health.org"} if tamper else None
    response = _sso(client, provider, "alice@alpha-health.org", person, callback_change=callback_change)
    html = response.content.decode()
    assert response.status_code == 401
    assert "Sign-in through your organization failed" in html and why in html
    assert _signed_in(client) is None
    assert SocialAccount.objects.count() == 0
    assert list(get_user_model().objects.values_list("username", flat=True)) == users_before
    assert list(Membership.objects.values_list("user", flat=True)) == [alice.pk]
    assert [kind for (kind,) in AuditEvent.objects.values_list("kind")] == ["sso_refused"]


def test_an_id_token_without_the_sign_in_s_nonce_is_refused(client, provider, alpha_sso, org_a):
    # A sign-in started at allauth's address directly, not through the portal's form: no nonce was asked for.
    f.MembershipFactory(
        organization=org_a, user=f.UserFactory(username="alice", email="alice@alpha-health.org")
    )
    provider.person = {"sub": "alice-1", "email": "alice@alpha-health.org"}
    to_provider = client.post(f"/accounts/oidc/org{alpha_sso.pk}/login/", {"process": "login"})
    back = client.get(_follow_provider(to_provider["Location"]).removeprefix("http://testserver"))
    assert back.status_code == 401
    assert "The ID token does not belong to this sign-in (nonce)." in back.content.decode()
    assert _signed_in(client) is None and SocialAccount.objects.count() == 0


def test_an_organization_that_requires_it_refuses_its_members_passwords(
    client, provider, alpha_sso, org_a, org_b
):
    alpha_sso.required = True
    alpha_sso.save()
    f.MembershipFactory(
        organization=org_a, user=f.UserFactory(username="alice", email="alice@alpha-health.org")
    )
    f.MembershipFactory(organization=org_b, user=f.UserFactory(username="bob"))
    refused = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert refused.status_code == 200
    assert "Alpha Regional Hospital signs its people in through its own sign-in" in refused.content.decode()
    assert _signed_in(client) is None
    # A wrong password says nothing about the organization.
    wrong = client.post("/accounts/login/", {"username": "alice", "password": "wrong"}).content.decode()
    assert "Alpha Regional Hospital" not in wrong
    # Bravo's people are not concerned, and Alpha's come in through their provider.
    assert client.post("/accounts/login/", {"username": "bob", "password": PASSWORD})["Location"] == "/"
    client.post("/accounts/logout/")
    assert _sso(client, provider, "alice@alpha-health.org")["Location"] == "/"
    assert _signed_in(client) == "alice"


def test_an_sso_session_is_not_held_for_a_portal_second_factor(client, provider, alpha_sso, org_a, settings):
    settings.MFA_REQUIRED_FOR = "admins"
    f.MembershipFactory(
        organization=org_a,
        role=Role.ORG_ADMIN,
        user=f.UserFactory(username="adam", email="adam@alpha.example"),
    )
    _sso(client, provider, "adam@alpha.example")
    assert client.get("/commitments/").status_code == 200  # the provider applies its own MFA policy
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"username": "adam", "password": PASSWORD})
    assert client.get("/commitments/")["Location"] == "/accounts/2fa/"


def test_nam_staff_sign_in_through_nam_s_provider(client, provider, settings, nam_staff):
    settings.NAM_OIDC_ISSUER = provider.issuer
    settings.NAM_OIDC_CLIENT_ID = provider.client_id
    settings.NAM_OIDC_CLIENT_SECRET = provider.client_secret
    settings.NAM_OIDC_DOMAINS = ["nas.example"]
    nam_staff.email = "nadia@nas.example"
    nam_staff.save()
    start = client.post("/accounts/sso/", {"email": "nadia@nas.example"})
    assert start["Location"].startswith("/accounts/oidc/nam/login/?auth_params=nonce%3D")
    assert _sso(client, provider, "nadia@nas.example")["Location"] == "/"
    assert _signed_in(client) == "nadia"


def test_nam_staff_configure_an_organization_with_the_secret_encrypted(
    client, nam_staff, org_a, org_b, settings
):
    settings.DEBUG = True  # a local issuer (http://127.0.0.1) is accepted only while developing
    client.force_login(nam_staff, backend="assessments.backends.PortalBackend")
    data = {
        "protocol": "oidc",
        "issuer": "http://127.0.0.1:8131/",
        "client_id": "portal",
        "client_secret": "very-secret-value",
        "client_secret_env": "",
        "email_domains": "Alpha-Health.org, @alpha.example",
        "required": "on",
        "is_active": "on",
    }
    response = client.post("/nam/single-sign-on/alpha/", data)
    assert response.status_code == 302 and response["Location"] == "/nam/single-sign-on/"
    sso = SingleSignOn.objects.get(organization=org_a)
    assert (sso.issuer, sso.email_domains, sso.required) == (
        "http://127.0.0.1:8131",
        "alpha-health.org, alpha.example",
        True,
    )
    assert "very-secret-value" not in sso.client_secret_encrypted
    assert crypto.decrypt(sso.client_secret_encrypted) == "very-secret-value"
    assert _events("sso_configured") == [
        (
            "nadia",
            "Single sign-on on through http://127.0.0.1:8131 for alpha-health.org, alpha.example (required)",
        )
    ]
    page = client.get("/nam/single-sign-on/alpha/").content.decode()
    assert f"http://testserver/accounts/oidc/org{sso.pk}/login/callback/" in page
    assert "very-secret-value" not in page
    # Another organization cannot claim Alpha's domain; a plain-http issuer is refused in production.
    settings.DEBUG = False
    taken = client.post(
        "/nam/single-sign-on/bravo/",
        {**data, "issuer": "http://idp.bravo.example", "email_domains": "bravo.example, alpha.example"},
    )
    html = taken.content.decode()
    assert taken.status_code == 400
    assert "alpha.example is already served by Alpha Regional Hospital&#x27;s sign-in." in html
    assert "The issuer must be an https:// address." in html
    assert SingleSignOn.objects.count() == 1


def test_a_secret_can_come_from_the_environment(client, nam_staff, org_a, monkeypatch):
    monkeypatch.setenv("ALPHA_OIDC_SECRET", "from-the-environment")
    client.force_login(nam_staff, backend="assessments.backends.PortalBackend")
    data = {
        "protocol": "oidc",
        "issuer": "https://login.microsoftonline.com/tenant-id/v2.0",
        "client_id": "portal",
        "client_secret_env": "ALPHA_OIDC_SECRET",
        "email_domains": "alpha-health.org",
        "is_active": "on",
    }
    assert client.post("/nam/single-sign-on/alpha/", data).status_code == 302
    from assessments.signin.sso import client_secret

    sso = SingleSignOn.objects.get()
    assert (sso.client_secret_encrypted, client_secret(sso)) == ("", "from-the-environment")
    missing = client.post("/nam/single-sign-on/alpha/", {**data, "client_secret_env": "NOT_SET_ANYWHERE"})
    assert "The environment variable NOT_SET_ANYWHERE is not set on this server." in missing.content.decode()


@pytest.mark.parametrize("path", ["/accounts/email/", "/accounts/3rdparty/"])
def test_allauth_pages_the_portal_does_not_offer(client, assessor_a, path):
    client.force_login(assessor_a, backend="assessments.backends.PortalBackend")
    assert client.get(path).status_code == 404


def test_an_org_admin_keeps_their_provider_details_if_nam_allows(
    client, settings, admin_a, alpha_sso, provider
):
    client.force_login(admin_a, backend="assessments.backends.PortalBackend")
    data = {
        "protocol": "oidc",
        "issuer": provider.issuer,
        "client_id": "new-client",
        "client_secret": "",
        "email_domains": "gmail.com",  # not theirs to set: ignored
        "required": "on",
        "is_active": "on",
    }
    assert client.get("/orgs/alpha/single-sign-on/").status_code == 403
    assert client.post("/orgs/alpha/single-sign-on/", data).status_code == 403
    settings.SSO_ORG_ADMINS_MAY_CONFIGURE = True
    settings.DEBUG = True  # the test provider's issuer is http://127.0.0.1
    page = client.get("/orgs/alpha/single-sign-on/").content.decode()
    assert 'name="email_domains"' in page and "disabled" in page
    assert client.post("/orgs/alpha/single-sign-on/", data)["Location"] == "/orgs/alpha/people/"
    alpha_sso.refresh_from_db()
    assert (alpha_sso.client_id, alpha_sso.email_domains, alpha_sso.required) == (
        "new-client",
        "alpha-health.org, alpha.example",
        True,
    )
    assert crypto.decrypt(alpha_sso.client_secret_encrypted) == provider.client_secret  # blank kept it


def test_the_sign_in_page_offers_single_sign_on_only_when_an_organization_has_it(client, db):
    assert "Sign in with your organization" not in client.get("/accounts/login/").content.decode()
    org = f.OrganizationFactory()
    SingleSignOn.objects.create(
        organization=org, issuer="https://idp.example", client_id="c", email_domains="x.org"
    )
    assert "Sign in with your organization" in client.get("/accounts/login/").content.decode()
