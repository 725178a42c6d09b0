"""allauth's adapters: its documented hooks, answered with the portal's rules."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base.constants import AuthError
from django.shortcuts import render

from . import crypto, sso


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # Django's wording, which people and our tests know.
        "username_password_mismatch": "Please enter a correct username and password. "
        "Note that both fields may be case-sensitive.",
    }

    def is_open_for_signup(self, request):
        return False  # people join by invitation (assessments:invitation_accept)

    def get_reauthentication_methods(self, user):
        """Someone with a second factor confirms a change to their sign-in (removing a security key, new
        recovery codes) with it, not with the password alone: a session and a known password must not be
        enough to strip an account of its second factor."""
        methods = super().get_reauthentication_methods(user)
        second_factor = [m for m in methods if m["id"].startswith("mfa_reauthenticate")]
        return second_factor or methods


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None):
        """The providers of assessments.signin.sso (organizations' and NAM's), not allauth's own tables."""
        return [
            p.social_app()
            for p in sso.providers()
            if provider in (None, p.allauth_provider, p.provider_id)
            and client_id in (None, p.social_app().client_id)
        ]

    def pre_social_login(self, request, sociallogin):
        """A first sign-in through a provider joins an existing account or an invitation, or is refused."""
        if sociallogin.is_existing:
            return
        provider_id = sociallogin.account.provider
        # OpenID Connect: the verified ID token's claims (oidc.py); SAML: the assertion's attributes, mapped.
        claims = sociallogin.account.extra_data.get("id_token") or {
            "given_name": sociallogin.user.first_name,
            "family_name": sociallogin.user.last_name,
        }
        email = sociallogin.user.email or claims.get("email") or ""
        provider = sso.provider_by_id(provider_id)
        try:
            if provider is None:
                raise sso.Refused("This sign-in is no longer set up.")
            verified = claims.get("email_verified")
            user = sso.sso_account_for(
                provider=provider,
                email=email,
                email_verified=False if str(verified).lower() == "false" else verified,
                claims=claims,
                request=request,
            )
        except sso.Refused as refusal:
            sso.sso_refused(request=request, provider_id=provider_id, email=email, why=str(refusal))
            page = render(request, "signin/sso_refused.html", {"why": str(refusal)}, status=403)
            raise ImmediateHttpResponse(page) from None
        sociallogin.connect(request, user)

    def is_open_for_signup(self, request, sociallogin):
        return False  # pre_social_login has joined an account or refused

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        """Audited, and the person is told in plain words why (allauth's page says only that it failed)."""
        context = extra_context or {}
        if exception is not None:
            why = str(exception)
        elif context.get("saml_last_error_reason"):
            why = f"The SAML response was refused: {context['saml_last_error_reason']}"
        elif "state_id" in context:
            why = (
                "This answer does not match a sign-in started from this browser (state), or that sign-in "
                "has expired."
            )
        else:
            why = "Your organization's sign-in did not complete."
        sso.sso_refused(
            request=request,
            provider_id=getattr(provider, "sub_id", "") or str(getattr(provider, "id", "")),
            email="",
            why=f"{error or 'error'}: {why}"[:300],
        )
        if error != AuthError.CANCELLED:
            page = render(request, "signin/sso_failed.html", {"why": why}, status=401)
            raise ImmediateHttpResponse(page)
