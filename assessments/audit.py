"""Writing the audit log: one function, called wherever a security-relevant event happens."""

from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest
from ipware import get_client_ip

from .models import AuditEvent

# The request being served, for events that model signals raise without one (a password change).
# Set by assessments.middleware.SessionTimeoutMiddleware for the duration of each request.
_current_request: ContextVar[HttpRequest | None] = ContextVar("current_request", default=None)


def current_request() -> HttpRequest | None:
    return _current_request.get()


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address, for the audit log and for django-axes (AXES_CLIENT_IP_CALLABLE): one answer.

    Not behind a proxy, REMOTE_ADDR, whatever headers say. Behind CLIENT_IP_PROXY_COUNT proxies, each of
    which appends the address it saw to X-Forwarded-For, the address the outermost one saw: the entry that
    many places from the right (django-ipware counts the proxies listed in the header, the nearest one is
    REMOTE_ADDR). What a client writes into the header itself lies further left and is never read; a chain
    shorter than the proxies configured did not come through them, and REMOTE_ADDR is kept.
    """
    if request is None:
        return None
    proxies = settings.CLIENT_IP_PROXY_COUNT
    if proxies:
        ip, _routable = get_client_ip(
            request, proxy_count=proxies - 1, request_header_order=["HTTP_X_FORWARDED_FOR"], strict=False
        )
        if ip:
            return ip
    return request.META.get("REMOTE_ADDR") or None


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
