"""Writing the audit log: one function, called wherever a security-relevant event happens."""

from contextvars import ContextVar

from django.http import HttpRequest

from .models import AuditEvent

# The request being served, for events that model signals raise without one (a password change).
# Set by assessments.middleware.SessionTimeoutMiddleware for the duration of each request.
_current_request: ContextVar[HttpRequest | None] = ContextVar("current_request", default=None)


def current_request() -> HttpRequest | None:
    return _current_request.get()


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    # django-axes resolves the client address behind the configured number of proxies.
    ip = getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR")
    return ip or None


def audit_record(
    *,
    kind: str,
    request: HttpRequest | None = None,
    actor=None,
    organization=None,
    detail: str = "",
    actor_label: str = "",
) -> AuditEvent:
    """Append one event to the audit log."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AuditEvent.objects.create(
        kind=kind,
        actor=actor,
        actor_label=actor_label or (actor.get_username() if actor else ""),
        organization=organization,
        ip_address=client_ip(request),
        detail=detail[:500],
    )
