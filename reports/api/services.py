"""Writes of the read API: creating and revoking tokens (each in the audit log)."""

import hashlib
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assessments.audit import audit_record
from assessments.models import AuditEvent, Organization
from assessments.permissions import is_nam_staff, membership_in

from .models import ApiToken

TOKEN_START = "lhs_"  # noqa: S105 (the start of every token, not a secret)


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split_token(raw: str) -> tuple[str, str] | None:
    """(prefix, secret) of a token as sent, or None when it does not have the shape of one."""
    if not raw.startswith(TOKEN_START):
        return None
    prefix, sep, secret = raw[len(TOKEN_START) :].partition("_")
    if not sep or not prefix or not secret or len(prefix) > 16:
        return None
    return prefix, secret


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    plaintext: str  # shown once, never stored


@transaction.atomic
def api_token_create(
    *, user, name: str, organization: Organization | None, nam_wide: bool, expires_at, request=None
) -> CreatedToken:
    """Create a token for `user` with one scope; the plain text is returned once and only its digest kept."""
    if nam_wide == (organization is not None):
        raise ValidationError("A token has one scope: an organization or NAM-wide.")
    if nam_wide and not is_nam_staff(user):
        raise ValidationError("Only NAM staff may create NAM-wide tokens.")
    if organization is not None and membership_in(user, organization) is None:
        raise ValidationError("You can only create tokens for organizations you are a member of.")
    if expires_at <= timezone.now():
        raise ValidationError("The expiry date must be in the future.")
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)  # 256 bits
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=prefix,
        secret_sha256=secret_digest(secret),
        organization=organization,
        nam_wide=nam_wide,
        expires_at=expires_at,
    )
    audit_record(
        kind=AuditEvent.Kind.API_TOKEN_CREATED,
        request=request,
        actor=user,
        organization=organization,
        detail=f"token {prefix} ({token.scope_label}), expires {expires_at:%Y-%m-%d}: {name}",
    )
    return CreatedToken(token=token, plaintext=f"{TOKEN_START}{prefix}_{secret}")


@transaction.atomic
def api_token_revoke(*, token: ApiToken, user, request=None) -> ApiToken:
    """Revoke the token now (a revoked token answers 401 from its next request on)."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            kind=AuditEvent.Kind.API_TOKEN_REVOKED,
            request=request,
            actor=user,
            organization=token.organization,
            detail=f"token {token.prefix} ({token.scope_label}): {token.name}",
        )
    return token
