"""Single sign-on: which OpenID Connect provider serves whom, and who may come in through one.

Each organization's provider is a SingleSignOn row that NAM staff keep; NAM's own comes from the settings
(NAM_OIDC_*). allauth runs the protocol (authorization code with PKCE, ID token checks) with the apps made
here (adapters.SocialAccountAdapter.list_apps).
"""

import os
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from ..audit import audit_record
from ..models import AuditEvent, Invitation, Organization, SingleSignOn
from ..people.services import invitation_accept
from . import crypto

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

    def social_app(self) -> SocialApp:
        """The app allauth's OpenID Connect provider runs with (never saved: this module is the source)."""
        return SocialApp(
            provider="openid_connect",
            provider_id=self.provider_id,
            name=self.name,
            client_id=self.client_id,
            secret=self.secret,
            settings={"server_url": self.issuer, "oauth_pkce_enabled": True},
        )


def client_secret(sso: SingleSignOn) -> str:
    if sso.client_secret_env:
        return os.environ.get(sso.client_secret_env, "")
    return crypto.decrypt(sso.client_secret_encrypted) if sso.client_secret_encrypted else ""


def providers() -> list[Provider]:
    found = [
        Provider(
            provider_id=sso.provider_id,
            name=sso.organization.name,
            issuer=sso.issuer,
            client_id=sso.client_id,
            secret=client_secret(sso),
            domains=tuple(sso.domains),
            organization=sso.organization,
        )
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
            )
        )
    return found


def provider_origins() -> list[str]:
    """Where the sign-in forms may send the browser on: a form's redirects are bound by the page's CSP
    form-action, and single sign-on ends in a redirect to the provider's own site."""
    origins = set()
    for p in providers():
        parts = urlsplit(p.issuer)
        origins.add(f"{parts.scheme}://{parts.netloc}")
    return sorted(origins)


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
    if sso.client_secret_env:
        sso.client_secret_encrypted = ""
    elif secret:
        sso.client_secret_encrypted = crypto.encrypt(secret)
    if not sso.client_secret_env and not sso.client_secret_encrypted:
        raise ValidationError("Give the client secret, or the environment variable that holds it.")
    sso.save()
    audit_record(
        kind=AuditEvent.Kind.SSO_CONFIGURED,
        request=request,
        actor=user,
        organization=organization,
        detail=f"Single sign-on {'on' if sso.is_active else 'off'} through {sso.issuer} for "
        f"{', '.join(sso.domains)}{' (required)' if sso.required else ''}",
    )
    return sso
