"""NAM staff (or the organization's admin, if NAM allows) set up an organization's SAML identity provider from
its metadata XML or metadata URL; bad metadata is refused with a clear message and changes nothing."""

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from assessments.models import AuditEvent, SingleSignOn
from assessments.signin import crypto
from tests.saml_idp import SamlIdp

pytestmark = pytest.mark.django_db


@pytest.fixture
def idp():
    return SamlIdp()


@pytest.fixture
def metadata_server(idp):
    """The IdP's metadata at a local address (a port the system picks), as Entra ID and Okta publish it."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            body = idp.metadata().encode() if self.path == "/federationmetadata.xml" else b"not here"
            self.send_response(200 if self.path == "/federationmetadata.xml" else 404)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _data(**changes):
    return {
        "protocol": "saml",
        "issuer": "",
        "client_id": "",
        "client_secret": "",
        "client_secret_env": "",
        "saml_metadata_url": "",
        "saml_metadata": "",
        "email_domains": "alpha-health.org",
        "is_active": "on",
        **changes,
    }


def _events():
    return list(AuditEvent.objects.filter(kind="sso_configured").values_list("actor_label", "detail"))


def test_nam_staff_set_up_a_saml_idp_from_its_metadata_xml(client, nam_staff, org_a, idp):
    client.force_login(nam_staff, backend="assessments.backends.PortalBackend")
    response = client.post("/nam/single-sign-on/alpha/", _data(saml_metadata=idp.metadata(), required="on"))
    assert response.status_code == 302 and response["Location"] == "/nam/single-sign-on/"
    sso = SingleSignOn.objects.get(organization=org_a)
    assert (sso.protocol, sso.issuer, sso.client_id, sso.required) == ("saml", "", "", True)
    assert sso.saml_metadata == idp.metadata()
    assert _events() == [
        (
            "nadia",
            "Single sign-on on through SAML identity provider https://idp.alpha-health.example/saml for "
            "alpha-health.org (required)",
        )
    ]
    page = client.get("/nam/single-sign-on/alpha/").content.decode()
    assert f"<code>http://testserver/accounts/saml/org{sso.pk}/metadata/</code>" in page
    assert f"<code>http://testserver/accounts/saml/org{sso.pk}/acs/</code>" in page
    listing = client.get("/nam/single-sign-on/").content.decode()
    assert "SAML 2.0" in listing


def test_a_metadata_url_is_read_and_kept_with_its_metadata(
    client, nam_staff, org_a, idp, metadata_server, settings
):
    settings.DEBUG = True  # a local address (http://127.0.0.1) is accepted only while developing
    client.force_login(nam_staff, backend="assessments.backends.PortalBackend")
    url = f"{metadata_server}/federationmetadata.xml"
    assert client.post("/nam/single-sign-on/alpha/", _data(saml_metadata_url=url)).status_code == 302
    sso = SingleSignOn.objects.get()
    assert (sso.saml_metadata_url, sso.saml_metadata) == (url, idp.metadata())
    from assessments.signin.sso import provider_by_id

    assert provider_by_id(sso.provider_id).social_app().settings["idp"] == {
        "metadata_url": url,
        "entity_id": "https://idp.alpha-health.example/saml",
    }


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({}, "Give the identity provider&#x27;s metadata URL or its metadata XML."),
        ({"saml_metadata": "<html>not metadata</html>"}, "names no identity provider with a single sign-on"),
        ({"saml_metadata": "not xml at all <"}, "This is not SAML metadata XML"),
        (
            {"saml_metadata_url": "http://idp.example/metadata"},
            "The metadata URL must be an https:// address.",
        ),
    ],
    ids=["nothing", "not-metadata", "not-xml", "plain-http-url"],
)
def test_bad_metadata_is_refused_and_changes_nothing(client, nam_staff, org_a, changes, why):
    client.force_login(nam_staff, backend="assessments.backends.PortalBackend")
    response = client.post("/nam/single-sign-on/alpha/", _data(**changes))
    assert response.status_code == 400 and why in response.content.decode()
    assert SingleSignOn.objects.count() == 0 and _events() == []


def test_metadata_without_a_signing_certificate_is_refused(client, nam_staff, org_a, idp):
    client.force_login(nam_staff, backend="assessments.backends.PortalBackend")
    no_cert = re.sub(r"<md:KeyDescriptor.*</md:KeyDescriptor>", "", idp.metadata(), flags=re.S)
    response = client.post("/nam/single-sign-on/alpha/", _data(saml_metadata=no_cert))
    assert "The metadata holds no signing certificate." in response.content.decode()
    assert SingleSignOn.objects.count() == 0


def test_switching_to_saml_forgets_the_oidc_secret(client, nam_staff, org_a, idp):
    SingleSignOn.objects.create(
        organization=org_a,
        issuer="https://login.example",
        client_id="portal",
        client_secret_encrypted=crypto.encrypt("s3cret"),
        email_domains="alpha-health.org",
    )
    client.force_login(nam_staff, backend="assessments.backends.PortalBackend")
    assert client.post("/nam/single-sign-on/alpha/", _data(saml_metadata=idp.metadata())).status_code == 302
    sso = SingleSignOn.objects.get()
    assert (sso.protocol, sso.issuer, sso.client_id, sso.client_secret_encrypted) == ("saml", "", "", "")


def test_an_org_admin_changes_their_idp_metadata_if_nam_allows(client, settings, admin_a, org_a, idp):
    sso = SingleSignOn.objects.create(
        organization=org_a, protocol="saml", saml_metadata=idp.metadata(), email_domains="alpha-health.org"
    )
    client.force_login(admin_a, backend="assessments.backends.PortalBackend")
    new_idp = SamlIdp(entity_id="https://sts.alpha-health.example/new")
    data = _data(saml_metadata=new_idp.metadata(), email_domains="gmail.com")
    assert client.post("/orgs/alpha/single-sign-on/", data).status_code == 403
    settings.SSO_ORG_ADMINS_MAY_CONFIGURE = True
    assert client.post("/orgs/alpha/single-sign-on/", data)["Location"] == "/orgs/alpha/people/"
    sso.refresh_from_db()
    assert (sso.saml_metadata, sso.email_domains) == (new_idp.metadata(), "alpha-health.org")
