"""People and access: members and invitations, new organizations, accepting an invitation, sign-in
lockouts and the audit log."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from .. import permissions
from ..forms import add_service_errors
from ..models import AuditEvent, Invitation, Membership, Organization, Role
from ..permissions import Action, organization_for, require_nam_staff
from ..templatetags.wording import possessive
from . import services
from .forms import (
    AuditFilterForm,
    InvitationForm,
    NewAccountForm,
    OrganizationForm,
    RoleForm,
    UnlockForm,
)

AUDIT_PAGE_SIZE = 50


def _form_errors(form_or_error) -> str:
    if isinstance(form_or_error, ValidationError):
        return " ".join(form_or_error.messages)
    return " ".join(e for errors in form_or_error.errors.values() for e in errors)


# ---------------------------------------------------------------------------------------------------------
# An organization's people


@login_required
def members(request, slug):
    organization = organization_for(request, slug, Action.MANAGE_MEMBERS)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_send(
                organization=organization, invited_by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("assessments:members", slug=organization.slug)
    context = {
        "organization": organization,
        "form": form,
        "members": organization.memberships.select_related("user").order_by(
            "user__last_name", "user__first_name", "user__username"
        ),
        "invitations": _with_expiry(
            organization.invitations.filter(accepted_at=None, revoked_at=None).select_related("invited_by")
        ),
        "roles": Role.choices,
        "admin_count": organization.memberships.filter(role=Role.ORG_ADMIN).count(),
        "max_age_days": settings.INVITATION_MAX_AGE_DAYS,
    }
    return render(request, "assessments/people/members.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def member_role(request, slug, pk):
    organization = organization_for(request, slug, Action.MANAGE_MEMBERS)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=pk, organization=organization
    )
    form = RoleForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Choose one of the roles.")
        services.membership_change_role(
            membership=membership, role=form.cleaned_data["role"], user=request.user, request=request
        )
    except ValidationError as error:
        messages.error(request, _form_errors(error))
    else:
        messages.success(
            request,
            f"{possessive(_name(membership.user))} role is now {Role(form.cleaned_data['role']).label}.",
        )
    return redirect("assessments:members", slug=organization.slug)


@login_required
@require_POST
def member_remove(request, slug, pk):
    organization = organization_for(request, slug, Action.MANAGE_MEMBERS)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=pk, organization=organization
    )
    try:
        services.membership_remove(membership=membership, user=request.user, request=request)
    except ValidationError as error:
        messages.error(request, _form_errors(error))
    else:
        messages.success(request, f"{_name(membership.user)} no longer has access to {organization.name}.")
    return redirect("assessments:members", slug=organization.slug)


@login_required
@require_POST
def invitation_resend(request, slug, pk):
    organization = organization_for(request, slug, Action.MANAGE_MEMBERS)
    invitation = get_object_or_404(Invitation, pk=pk, organization=organization)
    try:
        services.invitation_resend(invitation=invitation, user=request.user, request=request)
    except ValidationError as error:
        messages.error(request, _form_errors(error))
    else:
        messages.success(
            request, f"Invitation sent again to {invitation.email}; the earlier link no longer works."
        )
    return redirect("assessments:members", slug=organization.slug)


@login_required
@require_POST
def invitation_revoke(request, slug, pk):
    organization = organization_for(request, slug, Action.MANAGE_MEMBERS)
    invitation = get_object_or_404(Invitation, pk=pk, organization=organization)
    try:
        services.invitation_revoke(invitation=invitation, user=request.user, request=request)
    except ValidationError as error:
        messages.error(request, _form_errors(error))
    else:
        messages.success(request, f"Invitation of {invitation.email} withdrawn; its link no longer works.")
    return redirect("assessments:members", slug=organization.slug)


def _with_expiry(invitations) -> list[Invitation]:
    now, max_age = timezone.now(), timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
    invitations = list(invitations)
    for invitation in invitations:
        invitation.expires_at = invitation.sent_at + max_age
        invitation.is_expired = invitation.expires_at <= now
    return invitations


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


# ---------------------------------------------------------------------------------------------------------
# Accepting an invitation (public: the signed link is the credential)


def invitation_accept(request, token):
    try:
        invitation = services.invitation_from_token(token)
    except services.InvitationLinkError as error:
        return render(
            request,
            "assessments/people/invitation_invalid.html",
            {"message": str(error), "reason": error.reason},
            status=410 if error.gone else 404,
        )
    context = {"invitation": invitation, "organization": invitation.organization, "token": token}
    user = request.user
    if user.is_authenticated:
        if user.email.lower() != invitation.email.lower():
            return render(request, "assessments/people/invitation_wrong_account.html", context, status=403)
        if request.method == "POST":
            return _accept(request, invitation)
        return render(request, "assessments/people/invitation_confirm.html", context)
    if services.email_has_account(invitation.email):
        return render(request, "assessments/people/invitation_sign_in.html", context)
    form = NewAccountForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept_new_user(
                invitation=invitation,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["password1"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            login(request, user, backend="assessments.backends.PortalBackend")
            request.session[permissions.ACTIVE_ORG_SESSION_KEY] = invitation.organization.slug
            messages.success(
                request, f"Welcome to the portal. You are now a member of {invitation.organization}."
            )
            return redirect("home")
    context["form"] = form
    return render(
        request, "assessments/people/invitation_new_account.html", context, status=400 if form.errors else 200
    )


def _accept(request, invitation):
    try:
        acceptance = services.invitation_accept(invitation=invitation, user=request.user, request=request)
    except ValidationError as error:
        messages.error(request, _form_errors(error))
        return redirect("home")
    # The membership cache of this request predates the new membership.
    request.user.__dict__.pop("_memberships", None)
    request.session[permissions.ACTIVE_ORG_SESSION_KEY] = invitation.organization.slug
    if acceptance.already_member:
        messages.info(request, f"You were already a member of {invitation.organization}; nothing changed.")
    else:
        messages.success(request, f"You are now a member of {invitation.organization}.")
    return redirect("home")


# ---------------------------------------------------------------------------------------------------------
# NAM staff: organizations, lockouts, audit log


@login_required
def nam_organizations(request):
    require_nam_staff(request)
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            organization, invitation = services.organization_create(
                name=data["name"],
                org_type=data["org_type"],
                size_band=data["size_band"],
                state=data["state"],
                ownership=data["ownership"],
                is_teaching=data["is_teaching"],
                admin_email=data["admin_email"],
                created_by=request.user,
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"{organization.name} created; an invitation to be its admin went to {invitation.email}.",
            )
            return redirect("assessments:nam_organizations")
    organizations = Organization.objects.annotate(members_count=Count("memberships")).order_by("name")
    return render(
        request,
        "assessments/people/nam_organizations.html",
        {"form": form, "organizations": organizations},
        status=400 if form.errors else 200,
    )


@login_required
def lockouts(request):
    require_nam_staff(request)
    from axes.models import AccessAttempt

    # One row per username and address, as django-axes counts them (it keeps one record per browser).
    attempts = (
        AccessAttempt.objects.values("username", "ip_address")
        .annotate(failures=Max("failures_since_start"), last_attempt=Max("attempt_time"))
        .order_by("-last_attempt")[:200]
    )
    return render(
        request,
        "assessments/people/lockouts.html",
        {
            "attempts": attempts,
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            # Older failures no longer lock: django-axes forgets them after the cool-off.
            "cooloff_cutoff": timezone.now() - timedelta(hours=settings.AXES_COOLOFF_TIME),
        },
    )


@login_required
@require_POST
def lockout_unlock(request):
    require_nam_staff(request)
    form = UnlockForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say whose lockout to clear.")
        return redirect("assessments:lockouts")
    username = form.cleaned_data["username"]
    cleared = services.lockout_clear(username=username, user=request.user, request=request)
    if cleared:
        messages.success(request, f"{username} can sign in again.")
    else:
        messages.info(request, f"There were no failed sign-ins recorded for {username}.")
    return redirect("assessments:lockouts")


@login_required
def audit_log(request):
    require_nam_staff(request)
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.select_related("organization").order_by("-created_at", "-pk")
    if form.is_valid():
        data = form.cleaned_data
        if data["kind"]:
            events = events.filter(kind=data["kind"])
        if data["organization"]:
            events = events.filter(organization=data["organization"])
        if data["actor"]:
            events = events.filter(actor_label__icontains=data["actor"].strip())
        if data["date_from"]:
            events = events.filter(created_at__date__gte=data["date_from"])
        if data["date_to"]:
            events = events.filter(created_at__date__lte=data["date_to"])
    elif form.is_bound:
        events = events.none()
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "assessments/people/audit_log.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )
