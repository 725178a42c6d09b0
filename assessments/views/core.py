"""Where a signed-in user lands, and picking the organization to work in."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from .. import permissions


def home(request):
    if not request.user.is_authenticated:
        return redirect("login")
    if permissions.is_nam_staff(request.user):
        return redirect(
            _first_url(["reports:nam_dashboard", "assessments:nam_cycles"]) or "commitments:index"
        )
    membership = permissions.active_membership(request)
    if membership is None:
        return render(request, "assessments/no_membership.html")
    slug = membership.organization.slug
    return redirect(
        _first_url(["reports:org_dashboard", "assessments:org_home"], slug) or "commitments:index"
    )


def _first_url(names, *args):
    for name in names:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return None


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
