"""Who must have a second factor, and who has one."""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest

from ..audit import audit_record
from ..backends import SECOND_FACTOR_TYPES
from ..models import AuditEvent, Role
from ..permissions import is_nam_staff, user_memberships


def mfa_required(user) -> bool:
    """NAM staff and organization admins must have a second factor; with MFA_REQUIRED_FOR=all, everyone."""
    if settings.MFA_REQUIRED_FOR == "none":
        return False
    if settings.MFA_REQUIRED_FOR == "all" or is_nam_staff(user):
        return True
    cached = getattr(user, "_is_org_admin", None)  # annotated by assessments.backends.PortalBackend
    if cached is None:
        cached = any(m.role == Role.ORG_ADMIN for m in user_memberships(user))
        user._is_org_admin = cached
    return cached


def has_second_factor(user) -> bool:
    cached = getattr(user, "_has_second_factor", None)  # annotated by assessments.backends.PortalBackend
    if cached is None:
        cached = Authenticator.objects.filter(user=user, type__in=SECOND_FACTOR_TYPES).exists()
        user._has_second_factor = cached
    return cached


@transaction.atomic
def mfa_reset(*, person, user, request: HttpRequest | None = None) -> int:
    """Remove every second factor and recovery code of `person` (a lost phone): they enrol again at their next
    sign-in. Returns how many authenticators were removed."""
    removed, _ = Authenticator.objects.filter(user=person).delete()
    audit_record(
        kind=AuditEvent.Kind.MFA_RESET,
        request=request,
        actor=user,
        detail=f"Second factors of {person.get_username()} reset ({removed} removed)",
    )
    return removed
