"""OpenID Connect: the ID token is checked in full before allauth reads it.

allauth (65.x) trusts an ID token that came straight from the token endpoint without checking its signature
(OpenID Connect Core 3.1.3.7 allows it over TLS). The portal checks it anyway: signature against the
provider's published keys (jwks_uri), issuer, audience, expiry and the nonce of this browser's sign-in, with
PyJWT. The callback below is allauth's own view (OAuth2CallbackView.adapter_view) with that check added in
the adapter's complete_login, the hook allauth's custom providers implement.
"""

import secrets

import jwt
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.http import Http404, HttpRequest

ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]
LEEWAY_SECONDS = 60  # clocks of the provider and the portal may differ a little


def _nonce_key(provider_id: str) -> str:
    return f"_sso_nonce:{provider_id}"


def nonce_for(request: HttpRequest, provider_id: str) -> str:
    """A new nonce for this browser's sign-in through `provider_id`, kept in its session till the callback."""
    nonce = secrets.token_urlsafe(24)
    request.session[_nonce_key(provider_id)] = nonce
    return nonce


def verify_id_token(*, id_token: str, jwks_uri: str, issuer: str, audience: str, nonce: str | None) -> dict:
    """The claims of `id_token`, or OAuth2Error saying in plain words why it is refused."""
    if not id_token:
        raise OAuth2Error("The provider sent no ID token.")
    try:
        key = jwt.PyJWKClient(jwks_uri, timeout=10).get_signing_key_from_jwt(id_token).key
        claims = jwt.decode(
            id_token,
            key,
            algorithms=ALGORITHMS,
            audience=audience,
            issuer=issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["iss", "aud", "exp", "iat", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise OAuth2Error("The ID token has expired.") from None
    except jwt.InvalidAudienceError:
        raise OAuth2Error("The ID token was issued for another application (audience).") from None
    except jwt.InvalidIssuerError:
        raise OAuth2Error("The ID token comes from another issuer.") from None
    except jwt.InvalidSignatureError:
        raise OAuth2Error("The ID token's signature does not match the provider's keys.") from None
    except jwt.PyJWKClientError as error:
        raise OAuth2Error(f"The ID token's signing key is not among the provider's keys ({error}).") from None
    except jwt.PyJWTError as error:
        raise OAuth2Error(f"The ID token is not valid ({error}).") from None
    if not nonce or not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
        raise OAuth2Error("The ID token does not belong to this sign-in (nonce).")
    return claims


class VerifyingOpenIDConnectAdapter(OpenIDConnectOAuth2Adapter):
    def complete_login(self, request: HttpRequest, app, token, **kwargs):
        verify_id_token(
            id_token=kwargs["response"].get("id_token", ""),
            jwks_uri=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            nonce=request.session.pop(_nonce_key(self.provider_id), None),  # a nonce works once
        )
        return super().complete_login(request, app, token, **kwargs)


def callback(request: HttpRequest, provider_id: str):
    """allauth's OpenID Connect callback (its URL and name), with the ID token verified."""
    try:
        return OAuth2CallbackView.adapter_view(VerifyingOpenIDConnectAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None
