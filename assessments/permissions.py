"""The one place that answers "may this user see or do this?". Every view, download and export asks here.

Rules:
- Anonymous users are sent to sign in (the views are @login_required).
- An organization's objects are visible to its members and to NAM staff. Anyone else gets 404, so that
  ids and slugs reveal nothing about other organizations.
- Within an organization, the role decides the action; a member whose role does not allow it gets 403.
- NAM staff pages answer 403 to everyone else who is signed in.
"""

from enum import StrEnum

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from .audit import audit_record
from .models import AuditEvent, Membership, Organization, Role

NAM_STAFF_GROUP = "NAM staff"
ACTIVE_ORG_SESSION_KEY = "active_org"


class Action(StrEnum):
    VIEW = "view"  # read the organization's assessments, dashboards and plan
    EDIT_ASSESSMENT = "edit_assessment"  # fill in, copy from last cycle, submit
    MANAGE_MEMBERS = "manage_members"  # invite, resend, revoke, change roles
    EDIT_PLAN = "edit_plan"  # improvement plan targets and actions
    REQUEST_SCORECARD = "request_scorecard"
    EXPORT = "export"  # the organization's own data as CSV/XLSX, scorecard PDFs
    ORGANIZATION_DATA = "organization_data"  # accept the terms, download the whole archive, withdraw
    ATTEST = "attest"  # attest the finished assessment (submits it to NAM) or send it back


ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.ORG_ADMIN: frozenset(Action) - {Action.ATTEST},
    Role.ASSESSOR: frozenset(
        {Action.VIEW, Action.EDIT_ASSESSMENT, Action.EDIT_PLAN, Action.REQUEST_SCORECARD, Action.EXPORT}
    ),
    Role.EXECUTIVE: frozenset({Action.VIEW, Action.REQUEST_SCORECARD, Action.EXPORT, Action.ATTEST}),
}
# NAM staff read every organization and invite first org admins, but an organization's answers are its
# own: staff review them, they do not fill them in.
NAM_ACTIONS = frozenset({Action.VIEW, Action.MANAGE_MEMBERS, Action.REQUEST_SCORECARD, Action.EXPORT})


def nam_staff_group() -> Group:
    group, _ = Group.objects.get_or_create(name=NAM_STAFF_GROUP)
    return group


def is_nam_staff(user) -> bool:
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_is_nam_staff", None)
    if cached is None:
        cached = user.is_superuser or user.groups.filter(name=NAM_STAFF_GROUP).exists()
        user._is_nam_staff = cached
    return cached


def user_memberships(user) -> list[Membership]:
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user, organization__is_active=True).select_related("organization")
        )
        user._memberships = cached
    return cached


def membership_in(user, organization: Organization) -> Membership | None:
    return next((m for m in user_memberships(user) if m.organization_id == organization.pk), None)


def can(user, action: Action, organization: Organization) -> bool:
    """Whether the user may do this action in this organization (no side effects; for templates too)."""
    if is_nam_staff(user):
        return action in NAM_ACTIONS
    membership = membership_in(user, organization)
    return membership is not None and action in ROLE_ACTIONS[membership.role]


def organization_for(request: HttpRequest, slug: str, action: Action = Action.VIEW) -> Organization:
    """The organization named in the URL, if the user may do `action` there; else 404 or 403."""
    user = request.user
    # A member's organizations come with their memberships (one query the permission check needs anyway).
    membership = None
    if not is_nam_staff(user):
        membership = next((m for m in user_memberships(user) if m.organization.slug == slug), None)
    if membership is not None:
        organization = membership.organization
    else:
        organization = Organization.objects.filter(slug=slug, is_active=True).first()
    if organization is None:
        raise Http404("No such organization.")
    if is_nam_staff(user):
        if action not in NAM_ACTIONS:
            deny(request, organization, f"NAM staff may not {action}")
        return organization
    if membership is None:
        audit_record(
            kind=AuditEvent.Kind.ACCESS_DENIED,
            request=request,
            organization=organization,
            detail=f"{request.method} {request.path}: not a member",
        )
        raise Http404("No such organization.")
    if action not in ROLE_ACTIONS[membership.role]:
        deny(request, organization, f"role {membership.role} may not {action}")
    if request.session.get(ACTIVE_ORG_SESSION_KEY) != organization.slug:
        # Only on a change: writing the session on every page would cost a query per request.
        request.session[ACTIVE_ORG_SESSION_KEY] = organization.slug
    return organization


def require_nam_staff(request: HttpRequest) -> None:
    if not is_nam_staff(request.user):
        deny(request, None, "NAM staff only")


def deny(request: HttpRequest, organization: Organization | None, why: str):
    audit_record(
        kind=AuditEvent.Kind.ACCESS_DENIED,
        request=request,
        organization=organization,
        detail=f"{request.method} {request.path}: {why}",
    )
    raise PermissionDenied(why)


def active_membership(request: HttpRequest) -> Membership | None:
    """The membership the user picked to work in (or their first one)."""
    memberships = user_memberships(request.user)
    if not memberships:
        return None
    slug = request.session.get(ACTIVE_ORG_SESSION_KEY)
    return next((m for m in memberships if m.organization.slug == slug), memberships[0])
