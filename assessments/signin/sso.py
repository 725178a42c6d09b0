"""Single sign-on: which OpenID Connect provider serves whom, and who may come in through one.

Each organization's provider is a SingleSignOn row that NAM staff keep; NAM's own comes from the settings
(NAM_OIDC_*). allauth runs the protocol (authorization code with PKCE, ID token checks) with the apps made
here (adapters.SocialAccountAdapter.list_apps).
"""

import os
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from ..audit import audit_record
from ..models import AuditEvent, Invitation, Organization, SingleSignOn
from ..people.services import invitation_accept
from . import crypto, oidc, saml

NAM_PROVIDER_ID = "nam"
SSO_SESSION_KEY = "_signed_in_by_sso"  # the provider id, for sessions that began with single sign-on


@dataclass(frozen=True)
class Provider:
    provider_id: str
    name: str
    issuer: str
    client_id: str
    secret: str
    domains: tuple[str, ...]
    organization: Organization | None  # None: NAM's own
    protocol: str = SingleSignOn.Protocol.OIDC
    saml_settings: dict | None = None  # allauth's settings of a SAML identity provider (saml.app_settings)
    sign_in_origin: str = ""  # where the browser is sent to sign in

    def social_app(self) -> SocialApp:
        """The app allauth's OpenID Connect or SAML provider runs with (never saved: this module is the
        source)."""
        if self.protocol == SingleSignOn.Protocol.SAML:
            # allauth finds a SAML app by its client_id, also part of its address (/accounts/saml/<id>/).
            return SocialApp(
                provider="saml",
                provider_id=self.provider_id,
                name=self.name,
                client_id=self.provider_id,
                settings=self.saml_settings,
            )
        return SocialApp(
            provider="openid_connect",
            provider_id=self.provider_id,
            name=self.name,
            client_id=self.client_id,
            secret=self.secret,
            settings={"server_url": self.issuer, "oauth_pkce_enabled": True},
        )

    @property
    def allauth_provider(self) -> str:
        return "saml" if self.protocol == SingleSignOn.Protocol.SAML else "openid_connect"

    def login_url(self, request: HttpRequest) -> str:
        """allauth's address that starts a sign-in through this provider; an OpenID Connect sign-in carries a
        nonce (allauth's auth_params), which the ID token must echo (oidc.verify_id_token)."""
        if self.protocol == SingleSignOn.Protocol.SAML:
            return reverse("saml_login", kwargs={"organization_slug": self.provider_id})
        url = reverse("openid_connect_login", kwargs={"provider_id": self.provider_id})
        nonce = oidc.nonce_for(request, self.provider_id)
        return f"{url}?{urlencode({'auth_params': urlencode({'nonce': nonce})})}"


def client_secret(sso: SingleSignOn) -> str:
    if sso.client_secret_env:
        return os.environ.get(sso.client_secret_env, "")
    return crypto.decrypt(sso.client_secret_encrypted) if sso.client_secret_encrypted else ""


def _provider(sso: SingleSignOn) -> Provider:
    common = {
        "provider_id": sso.provider_id,
        "name": sso.organization.name,
        "domains": tuple(sso.domains),
        "organization": sso.organization,
    }
    if sso.protocol == SingleSignOn.Protocol.SAML:
        idp = saml.idp_from_metadata(sso.saml_metadata)
        return Provider(
            **common,
            issuer=idp["entity_id"],
            client_id="",
            secret="",
            protocol=sso.protocol,
            saml_settings=saml.app_settings(
                metadata_xml=sso.saml_metadata, metadata_url=sso.saml_metadata_url
            ),
            sign_in_origin=saml.origin(idp["sso_url"]),
        )
    return Provider(
        **common,
        issuer=sso.issuer,
        client_id=sso.client_id,
        secret=client_secret(sso),
        sign_in_origin=saml.origin(sso.issuer),
    )


def providers() -> list[Provider]:
    found = [
        _provider(sso)
        for sso in SingleSignOn.objects.filter(is_active=True, organization__is_active=True).select_related(
            "organization"
        )
    ]
    if settings.NAM_OIDC_ISSUER and settings.NAM_OIDC_CLIENT_ID:
        found.append(
            Provider(
                provider_id=NAM_PROVIDER_ID,
                name="National Academy of Medicine",
                issuer=settings.NAM_OIDC_ISSUER,
                client_id=settings.NAM_OIDC_CLIENT_ID,
                secret=settings.NAM_OIDC_CLIENT_SECRET,
                domains=tuple(d.lower() for d in settings.NAM_OIDC_DOMAINS),
                organization=None,
                sign_in_origin=saml.origin(settings.NAM_OIDC_ISSUER),
            )
        )
    return found


def provider_origins() -> list[str]:
    """Where the sign-in forms may send the browser on: a form's redirects are bound by the page's CSP
    form-action, and single sign-on ends in a redirect to the provider's own site."""
    return sorted({p.sign_in_origin for p in providers()})


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


def provider_for_email(email: str) -> Provider | None:
    domain = email_domain(email)
    return next((p for p in providers() if domain and domain in p.domains), None)


def provider_by_id(provider_id: str) -> Provider | None:
    return next((p for p in providers() if p.provider_id == provider_id), None)


def sso_required_organization(user) -> Organization | None:
    """The first organization of the user's that lets its members in only through single sign-on."""
    sso = (
        SingleSignOn.objects.filter(
            required=True, is_active=True, organization__is_active=True, organization__memberships__user=user
        )
        .select_related("organization")
        .first()
    )
    return sso.organization if sso else None


class Refused(Exception):
    """Single sign-on cannot let this person in; the message says why and what to do."""


def pending_invitations(email: str):
    fresh = timezone.now() - timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
    return Invitation.objects.filter(
        email__iexact=email,
        accepted_at=None,
        revoked_at=None,
        organization__is_active=True,
        sent_at__gte=fresh,
    ).select_related("organization")


@transaction.atomic
def sso_account_for(*, provider: Provider, email: str, email_verified, claims: dict, request: HttpRequest):
    """The account a first single sign-on of `email` through `provider` joins: an existing account with that
    e-mail address, or a new one for a pending invitation (accepted here). Raises Refused otherwise; never
    makes a membership without an invitation."""
    email = (email or "").strip().lower()
    if not email:
        raise Refused("Your organization's sign-in did not tell us your e-mail address.")
    if email_domain(email) not in provider.domains or email_verified is False:
        # A provider vouches only for the domains it serves, and not for addresses it says are unverified.
        raise Refused(f"{provider.name}'s sign-in cannot vouch for the address {email}.")
    User = get_user_model()
    user = User._default_manager.filter(email__iexact=email).first()
    if user is not None:
        return user
    invitations = list(pending_invitations(email))
    if not invitations:
        raise Refused("There is no invitation for you yet: ask your organization admin for an invitation.")
    user = User(
        username=email,
        email=email,
        first_name=str(claims.get("given_name") or "")[:150],
        last_name=str(claims.get("family_name") or "")[:150],
    )
    user.set_unusable_password()  # they sign in through their organization
    user.save()
    for invitation in invitations:
        invitation_accept(invitation=invitation, user=user, request=request)
    return user


def sso_refused(*, request: HttpRequest, provider_id: str, email: str, why: str) -> None:
    audit_record(
        kind=AuditEvent.Kind.SSO_REFUSED,
        request=request,
        actor_label=(email or "")[:254],
        detail=f"Single sign-on through {provider_id} refused for {email or 'an unknown address'}: {why}",
    )


@transaction.atomic
def sso_configure(
    *, organization: Organization, values: dict, secret: str, user, request: HttpRequest | None = None
) -> SingleSignOn:
    """Create or change an organization's single sign-on; a blank `secret` keeps the stored one."""
    sso = SingleSignOn.objects.filter(organization=organization).first() or SingleSignOn(
        organization=organization
    )
    for field, value in values.items():
        setattr(sso, field, value)
    if sso.protocol == SingleSignOn.Protocol.SAML:
        sso.issuer = sso.client_id = sso.client_secret_env = sso.client_secret_encrypted = ""
        through = f"SAML identity provider {saml.idp_from_metadata(sso.saml_metadata)['entity_id']}"
    else:
        sso.saml_metadata = sso.saml_metadata_url = ""
        if sso.client_secret_env:
            sso.client_secret_encrypted = ""
        elif secret:
            sso.client_secret_encrypted = crypto.encrypt(secret)
        if not sso.client_secret_env and not sso.client_secret_encrypted:
            raise ValidationError("Give the client secret, or the environment variable that holds it.")
        through = sso.issuer
    sso.save()
    audit_record(
        kind=AuditEvent.Kind.SSO_CONFIGURED,
        request=request,
        actor=user,
        organization=organization,
        detail=f"Single sign-on {'on' if sso.is_active else 'off'} through {through} for "
        f"{', '.join(sso.domains)}{' (required)' if sso.required else ''}",
    )
    return sso
