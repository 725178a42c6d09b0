"""Where a signed-in user lands, picking the organization to work in, and staying signed in."""

import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .. import permissions
from ..middleware import SEEN_AT, session_seconds_left


def home(request):
    if not request.user.is_authenticated:
        return redirect("login")
    if permissions.is_nam_staff(request.user):
        return redirect("reports:nam_dashboard")
    membership = permissions.active_membership(request)
    if membership is None:
        return render(request, "assessments/no_membership.html")
    return redirect("reports:org_dashboard", membership.organization.slug)


@login_required
@require_POST
def switch_org(request):
    slug = request.POST.get("organization", "")
    membership = next(
        (m for m in permissions.user_memberships(request.user) if m.organization.slug == slug), None
    )
    if membership is None:
        messages.error(request, "You are not a member of that organization.")
        return redirect("home")
    request.session[permissions.ACTIVE_ORG_SESSION_KEY] = slug
    messages.success(request, f"You are now working in {membership.organization.name}.")
    return redirect("home")


@login_required
def floor(request):
    """A signed-in page that renders only the base template: the least the stack does for a signed-in user
    (session, user, memberships, navigation). The load test and `manage.py bench` read every page's figures
    against it."""
    return render(request, "assessments/floor.html")


@login_required
@require_POST
def session_keepalive(request):
    """The idle-timeout warning's "Stay signed in": counts as activity; answers how long the session has.
    Once the session has ended the answer is the redirect to sign in, which session.js reads as signed out."""
    request.session[SEEN_AT] = time.time()
    return JsonResponse({"signed_in": True, "seconds_left": session_seconds_left(request)})
