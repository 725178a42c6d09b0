"""SAML 2.0 identity providers, through allauth's SAML provider (python3-saml, which checks the XML signature
with xmlsec): an organization's IdP from its metadata, and the settings allauth runs it with."""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

# Where Microsoft Entra ID, Okta, Ping and the SAML standards put the person's details.
ATTRIBUTE_MAPPING = {
    "uid": [
        "urn:oasis:names:tc:SAML:attribute:subject-id",
        "http://schemas.microsoft.com/identity/claims/objectidentifier",
    ],
    "email": [
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
        "urn:oid:0.9.2342.19200300.100.1.3",
        "email",
        "mail",
    ],
    "first_name": [
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
        "urn:oid:2.5.4.42",
        "firstName",
        "given_name",
    ],
    "last_name": [
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
        "urn:oid:2.5.4.4",
        "lastName",
        "family_name",
    ],
}


def idp_from_metadata(xml: str) -> dict:
    """The identity provider's entity ID, sign-in address (HTTP-Redirect binding) and signing certificate, or
    ValidationError saying what the metadata lacks."""
    try:
        parsed = OneLogin_Saml2_IdPMetadataParser.parse(
            xml, required_sso_binding=OneLogin_Saml2_Constants.BINDING_HTTP_REDIRECT
        ).get("idp", {})
    except Exception as error:  # the parser raises lxml's and its own errors alike
        raise ValidationError(f"This is not SAML metadata XML ({error}).") from None
    entity_id = parsed.get("entityId")
    sso_url = parsed.get("singleSignOnService", {}).get("url")
    certs = parsed.get("x509certMulti", {}).get("signing") or [parsed.get("x509cert")]
    if not entity_id or not sso_url:
        raise ValidationError(
            "The metadata names no identity provider with a single sign-on address (HTTP-Redirect binding)."
        )
    if not any(certs):
        raise ValidationError("The metadata holds no signing certificate.")
    return {"entity_id": entity_id, "sso_url": sso_url, "x509cert": next(c for c in certs if c)}


def fetch_metadata(url: str) -> str:
    try:
        return OneLogin_Saml2_IdPMetadataParser.get_metadata(url, timeout=10).decode()
    except Exception as error:  # network errors and HTTP errors alike
        raise ValidationError(f"The metadata could not be read from {url} ({error}).") from None


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def app_settings(*, metadata_xml: str, metadata_url: str) -> dict:
    """allauth's SocialApp.settings for a SAML identity provider: signed assertions only, sign-ins the portal
    started only (InResponseTo), the audience and validity checked (strict)."""
    if metadata_url:
        # allauth reads it again every few hours (its cache): a new signing certificate is picked up.
        idp = {"metadata_url": metadata_url, "entity_id": idp_from_metadata(metadata_xml)["entity_id"]}
    else:
        idp = idp_from_metadata(metadata_xml)
    return {
        "idp": idp,
        "attribute_mapping": ATTRIBUTE_MAPPING,
        "advanced": {
            "strict": True,
            "want_assertion_signed": True,
            "reject_idp_initiated_sso": True,
        },
    }
