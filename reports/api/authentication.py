"""Bearer tokens for the read API: `Authorization: Bearer lhs_<prefix>_<secret>`."""

import hmac

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import authentication, exceptions

from assessments.audit import audit_record
from assessments.models import AuditEvent

from .models import ApiToken
from .services import secret_digest, split_token

# How often a token's last use is written (the audit log has every use; this is the tokens page's column).
LAST_USED_RESOLUTION_SECONDS = 60


class StatelessSession(dict):
    """A session that is never saved: an API request has none. permissions.organization_for remembers the
    organization a page user works in, which must not create a session (and a cookie) per API call."""

    accessed = False
    modified = False

    def is_empty(self) -> bool:
        # Not empty: SessionMiddleware deletes the cookie of an empty session, which would sign out a browser
        # that calls the API with a token (the docs page's "Try it out") beside its portal session.
        return False


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        keyword, _, raw = header.partition(" ")
        if keyword.lower() != self.keyword.lower() or not raw.strip():
            raise exceptions.AuthenticationFailed(
                "Send the token as 'Authorization: Bearer <token>' (create one on your API tokens page)."
            )
        parts = split_token(raw.strip())
        token = None
        if parts is not None:
            token = ApiToken.objects.select_related("user", "organization").filter(prefix=parts[0]).first()
        # Compared even when no row matched, so that an unknown prefix takes the same time as a wrong secret.
        expected = token.secret_sha256 if token is not None else "0" * 64
        matches = hmac.compare_digest(expected, secret_digest(parts[1] if parts else ""))
        if token is None or not matches:
            raise exceptions.AuthenticationFailed("Unknown API token.")
        refusal = ""
        if token.revoked_at is not None:
            refusal = "This API token has been revoked."
        elif token.is_expired:
            refusal = f"This API token expired on {timezone.localtime(token.expires_at):%Y-%m-%d}."
        elif not token.user.is_active:
            refusal = "The account of this API token is inactive."
        if refusal:
            # A real token that may no longer be used: its owner's audit trail says someone still tries.
            audit_record(
                kind=AuditEvent.Kind.ACCESS_DENIED,
                request=request._request,
                actor=token.user,
                organization=token.organization,
                detail=f"{request.method} {request.get_full_path()}: {refusal} (token {token.prefix})",
            )
            raise exceptions.AuthenticationFailed(refusal)
        request._request.session = StatelessSession()
        now = timezone.now()
        if (
            token.last_used_at is None
            or (now - token.last_used_at).total_seconds() > LAST_USED_RESOLUTION_SECONDS
        ):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        # A WWW-Authenticate header makes DRF answer 401 (not 403) without credentials.
        return f'{self.keyword} realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema (and the docs page's "Authorize") describes the token."""

    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Bearer")  # noqa: S106 (a scheme name)
