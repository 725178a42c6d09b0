from . import permissions


def portal(request):
    """What the navigation needs: who the user is in the portal and where they are working."""
    if not hasattr(request, "user") or not request.user.is_authenticated:
        return {"is_nam_staff": False, "memberships": [], "active_membership": None}
    return {
        "is_nam_staff": permissions.is_nam_staff(request.user),
        "memberships": permissions.user_memberships(request.user),
        "active_membership": permissions.active_membership(request),
    }
