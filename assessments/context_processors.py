from django.conf import settings

from . import permissions
from .middleware import session_seconds_left


def portal(request):
    """What the navigation needs: who the user is in the portal and where they are working."""
    if not hasattr(request, "user") or not request.user.is_authenticated:
        return {"is_nam_staff": False, "memberships": [], "active_membership": None}
    return {
        "is_nam_staff": permissions.is_nam_staff(request.user),
        "memberships": permissions.user_memberships(request.user),
        "active_membership": permissions.active_membership(request),
    }


def session_timeout(request):
    """What the idle-timeout warning (static/js/session.js) needs: seconds left and how early to warn."""
    if not hasattr(request, "user") or not request.user.is_authenticated:
        return {}
    return {
        "session_seconds_left": session_seconds_left(request),
        "session_warning_seconds": settings.SESSION_IDLE_WARNING,
        "session_idle_seconds": settings.SESSION_IDLE_TIMEOUT,
    }
