"""A SAML 2.0 identity provider for the tests: a key pair and certificate made in the test (cryptography), its
metadata, and responses to the portal's requests whose assertions python3-saml's own signing tool signs
(OneLogin_Saml2_Utils.add_sign, xmlsec): the same library and checks the portal runs on the way in.

It answers no HTTP: the test reads the portal's AuthnRequest from the redirect, and posts the signed response
to the portal's Assertion Consumer Service as the browser would.
"""

import base64
import secrets
import zlib
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from onelogin.saml2.utils import OneLogin_Saml2_Utils

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
EMAIL_ATTRIBUTE = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"


def _instant(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def key_pair() -> tuple[str, str]:
    """A private key and a self-signed certificate (PEM), good for a day."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test identity provider")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return key_pem, cert.public_bytes(serialization.Encoding.PEM).decode()


class SamlIdp:
    def __init__(self, entity_id: str = "https://idp.alpha-health.example/saml"):
        self.entity_id = entity_id
        self.sso_url = f"{entity_id}/sso"
        self.key, self.cert = key_pair()

    @property
    def cert_base64(self) -> str:
        return "".join(line for line in self.cert.splitlines() if "CERTIFICATE" not in line)

    def metadata(self) -> str:
        return f"""<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{self.entity_id}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <ds:X509Data><ds:X509Certificate>{self.cert_base64}</ds:X509Certificate></ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
      Location="{self.sso_url}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"""

    @staticmethod
    def read_request(redirect_url: str) -> dict:
        """The portal's AuthnRequest, from the HTTP-Redirect binding's address: its ID, ACS URL and issuer."""
        query = parse_qs(urlsplit(redirect_url).query)
        xml = zlib.decompress(base64.b64decode(query["SAMLRequest"][0]), -15)
        request = etree.fromstring(xml)
        issuer = request.find("{urn:oasis:names:tc:SAML:2.0:assertion}Issuer")
        return {
            "id": request.get("ID"),
            "acs_url": request.get("AssertionConsumerServiceURL"),
            "sp_entity_id": issuer.text,
            "relay_state": query.get("RelayState", [""])[0],
        }

    def response(
        self,
        request: dict,
        *,
        email: str,
        attributes: dict | None = None,
        audience: str | None = None,
        valid_for: timedelta = timedelta(minutes=5),
        issued: datetime | None = None,
        signed: bool = True,
        tamper: dict | None = None,
    ) -> str:
        """A base64 SAMLResponse to `request`, its assertion signed; `tamper` replaces text after signing."""
        now = issued or datetime.now(UTC)
        until = _instant(now + valid_for)
        attributes = {EMAIL_ATTRIBUTE: email, **(attributes or {})}
        attribute_xml = "".join(
            f'<saml:Attribute Name="{name}"><saml:AttributeValue xsi:type="xs:string">{value}'
            "</saml:AttributeValue></saml:Attribute>"
            for name, value in attributes.items()
        )
        xml = f"""<samlp:Response xmlns:samlp="{SAMLP}" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"
  ID="_r{secrets.token_hex(16)}" Version="2.0" IssueInstant="{_instant(now)}"
  Destination="{request["acs_url"]}" InResponseTo="{request["id"]}">
  <samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
  <saml:Assertion xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    ID="_a{secrets.token_hex(16)}" Version="2.0" IssueInstant="{_instant(now)}">
    <saml:Issuer>{self.entity_id}</saml:Issuer>
    <saml:Subject>
      <saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">{email}</saml:NameID>
      <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
        <saml:SubjectConfirmationData NotOnOrAfter="{until}" Recipient="{request["acs_url"]}"
          InResponseTo="{request["id"]}"/>
      </saml:SubjectConfirmation>
    </saml:Subject>
    <saml:Conditions NotBefore="{_instant(now - timedelta(minutes=1))}" NotOnOrAfter="{until}">
      <saml:AudienceRestriction>
        <saml:Audience>{audience or request["sp_entity_id"]}</saml:Audience>
      </saml:AudienceRestriction>
    </saml:Conditions>
    <saml:AuthnStatement AuthnInstant="{_instant(now)}" SessionIndex="_s{secrets.token_hex(8)}">
      <saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext>
    </saml:AuthnStatement>
    <saml:AttributeStatement>{attribute_xml}</saml:AttributeStatement>
  </saml:Assertion>
</samlp:Response>"""
        if signed:
            # The response has no Issuer of its own: add_sign signs the assertion (the first Issuer's parent).
            xml = OneLogin_Saml2_Utils.add_sign(xml, self.key, self.cert)
            xml = xml.decode() if isinstance(xml, bytes) else xml
        for old, new in (tamper or {}).items():
            xml = xml.replace(old, new)
        return base64.b64encode(xml.encode()).decode()
