"""People: organizations, invitations, roles, and clearing sign-in lockouts. Every change is audited."""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from ..audit import audit_record
from ..models import AuditEvent, Invitation, Membership, Organization, Role

INVITATION_SALT = "assessments.invitation"
User = get_user_model()


# ---------------------------------------------------------------------------------------------------------
# Invitation links


class InvitationLinkError(Exception):
    """A link that cannot be used. `gone` links (expired, used, revoked, replaced) answer 410, others 404."""

    MESSAGES = {
        "invalid": "Check that you copied the whole link from the e-mail. If it still fails, ask your "
        "organization's admin to send you a new invitation.",
        "expired": "Invitation links work for a limited time. Ask your organization's admin for a new one.",
        "replaced": "A newer invitation was sent to you after this one: use the link in the latest e-mail.",
        "used": "Each invitation link works once, and this one has been used. Sign in to use the portal.",
        "revoked": "Your organization's admin withdrew it. Ask them if you still need access.",
    }

    def __init__(self, reason: str):
        super().__init__(self.MESSAGES[reason])
        self.reason = reason

    @property
    def gone(self) -> bool:
        return self.reason != "invalid"


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=INVITATION_SALT)


def invitation_token(invitation: Invitation) -> str:
    """The signed, timestamped token in the e-mailed link: the invitation id and its current nonce."""
    return _signer().sign(f"{invitation.pk}:{invitation.nonce}")


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse(
        "assessments:invitation_accept", kwargs={"token": invitation_token(invitation)}
    )


def invitation_from_token(token: str) -> Invitation:
    """The pending invitation a link stands for, or InvitationLinkError saying why it cannot be used."""
    max_age = settings.INVITATION_MAX_AGE_DAYS * 24 * 3600
    try:
        value = _signer().unsign(token, max_age=max_age)
    except signing.SignatureExpired:
        raise InvitationLinkError("expired") from None
    except signing.BadSignature:
        raise InvitationLinkError("invalid") from None
    pk, _, nonce = value.partition(":")
    invitation = (
        Invitation.objects.select_related("organization").filter(pk=int(pk)).first() if pk.isdigit() else None
    )
    if invitation is None:
        raise InvitationLinkError("invalid")
    if invitation.accepted_at is not None:
        raise InvitationLinkError("used")
    if invitation.revoked_at is not None or not invitation.organization.is_active:
        raise InvitationLinkError("revoked")
    if not secrets.compare_digest(nonce, invitation.nonce):
        raise InvitationLinkError("replaced")
    return invitation


def _new_nonce() -> str:
    return secrets.token_hex(16)


def _send_invitation_email(invitation: Invitation) -> None:
    context = {
        "invitation": invitation,
        "organization": invitation.organization,
        "role": invitation.get_role_display(),
        "invited_by": invitation.invited_by,
        "url": invitation_url(invitation),
        "max_age_days": settings.INVITATION_MAX_AGE_DAYS,
        "site_url": settings.SITE_URL,
    }
    subject = render_to_string("emails/invitation_subject.txt", context).strip()
    body = render_to_string("emails/invitation.txt", context)
    try:
        send_mail(subject, body, None, [invitation.email], fail_silently=False)
    except OSError as exc:  # SMTP errors are OSErrors too: nothing is saved, the user is told to retry
        raise ValidationError(
            "We could not send the invitation e-mail just now. Nothing was saved; please try again."
        ) from exc


# ---------------------------------------------------------------------------------------------------------
# Invitations


def _normalize_email(email: str) -> str:
    return email.strip().lower()


@transaction.atomic
def invitation_send(
    *,
    organization: Organization,
    email: str,
    role: str,
    invited_by,
    request: HttpRequest | None = None,
) -> Invitation:
    """Create an invitation to `organization`, e-mail its link and audit it."""
    email = _normalize_email(email)
    if role not in Role.values:
        raise ValidationError({"role": "Choose one of the roles."})
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise ValidationError({"email": f"{email} is already a member of {organization.name}."})
    if Invitation.objects.filter(
        organization=organization, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).exists():
        raise ValidationError(
            {"email": f"{email} already has a pending invitation. Use Resend in the list below instead."}
        )
    invitation = Invitation.objects.create(
        organization=organization, email=email, role=role, invited_by=invited_by, nonce=_new_nonce()
    )
    _send_invitation_email(invitation)
    audit_record(
        kind=AuditEvent.Kind.INVITATION_SENT,
        request=request,
        actor=invited_by,
        organization=organization,
        detail=f"{email} invited as {invitation.get_role_display()}",
    )
    return invitation


def _locked_pending(invitation: Invitation) -> Invitation:
    invitation = Invitation.objects.select_for_update().select_related("organization").get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError("This invitation has already been accepted.")
    if invitation.revoked_at is not None:
        raise ValidationError("This invitation was already revoked.")
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: Invitation, user, request: HttpRequest | None = None) -> Invitation:
    """Send the invitation again with a new link; the old links stop working (the nonce changes)."""
    invitation = _locked_pending(invitation)
    invitation.nonce = _new_nonce()
    invitation.sent_at = timezone.now()
    invitation.save(update_fields=["nonce", "sent_at"])
    _send_invitation_email(invitation)
    audit_record(
        kind=AuditEvent.Kind.INVITATION_SENT,
        request=request,
        actor=user,
        organization=invitation.organization,
        detail=f"{invitation.email} invited again as {invitation.get_role_display()} (new link)",
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, user, request: HttpRequest | None = None) -> Invitation:
    """Withdraw a pending invitation: its link stops working."""
    invitation = _locked_pending(invitation)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(
        kind=AuditEvent.Kind.INVITATION_REVOKED,
        request=request,
        actor=user,
        organization=invitation.organization,
        detail=f"Invitation of {invitation.email} withdrawn",
    )
    return invitation


@dataclass(frozen=True)
class Acceptance:
    membership: Membership
    already_member: bool


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user, request: HttpRequest | None = None) -> Acceptance:
    """Make the signed-in `user` a member of the invitation's organization and close the invitation."""
    link_nonce = invitation.nonce
    invitation = _locked_pending(invitation)
    if not secrets.compare_digest(link_nonce, invitation.nonce):
        raise ValidationError(InvitationLinkError.MESSAGES["replaced"])  # resent while this link was open
    if _normalize_email(user.email) != invitation.email.lower():
        raise ValidationError(
            f"This invitation is for {invitation.email}, but you are signed in as {user.get_username()}."
        )
    membership, created = Membership.objects.get_or_create(
        user=user, organization=invitation.organization, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        kind=AuditEvent.Kind.INVITATION_ACCEPTED,
        request=request,
        actor=user,
        organization=invitation.organization,
        detail=f"{invitation.email} joined as {membership.get_role_display()}"
        if created
        else f"{invitation.email} was already a member ({membership.get_role_display()})",
    )
    return Acceptance(membership=membership, already_member=not created)


def email_has_account(email: str) -> bool:
    email = _normalize_email(email)
    return (
        User.objects.filter(email__iexact=email).exists()
        or User.objects.filter(username__iexact=email).exists()
    )


@transaction.atomic
def invitation_accept_new_user(
    *,
    invitation: Invitation,
    first_name: str,
    last_name: str,
    password: str,
    request: HttpRequest | None = None,
):
    """Create the account of an invited person (username = their e-mail) and accept the invitation."""
    if email_has_account(invitation.email):
        raise ValidationError("An account with this e-mail address already exists: sign in to accept.")
    user = User(
        username=invitation.email.lower(),
        email=invitation.email.lower(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
    )
    user.set_password(password)
    user.save()
    invitation_accept(invitation=invitation, user=user, request=request)
    return user


# ---------------------------------------------------------------------------------------------------------
# Memberships


def _other_admins_exist(membership: Membership) -> bool:
    # Lock the organization's admins so that two admins demoting each other at once cannot both succeed.
    admins = list(
        Membership.objects.select_for_update()
        .filter(organization_id=membership.organization_id, role=Role.ORG_ADMIN)
        .values_list("pk", flat=True)
    )
    return any(pk != membership.pk for pk in admins)


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, user, request: HttpRequest | None = None):
    """Give a member another role; an organization always keeps at least one org admin."""
    membership = (
        Membership.objects.select_for_update().select_related("user", "organization").get(pk=membership.pk)
    )
    if role not in Role.values:
        raise ValidationError({"role": "Choose one of the roles."})
    if role == membership.role:
        return membership
    if membership.role == Role.ORG_ADMIN and not _other_admins_exist(membership):
        raise ValidationError(
            f"{membership.organization.name} needs at least one organization admin: "
            "make someone else an admin first."
        )
    old = membership.get_role_display()
    membership.role = role
    membership.save(update_fields=["role"])
    audit_record(
        kind=AuditEvent.Kind.ROLE_CHANGED,
        request=request,
        actor=user,
        organization=membership.organization,
        detail=f"{membership.user.get_username()}: {old} -> {membership.get_role_display()}",
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, user, request: HttpRequest | None = None) -> None:
    """Take a person out of an organization (their account stays); never the last org admin."""
    membership = (
        Membership.objects.select_for_update().select_related("user", "organization").get(pk=membership.pk)
    )
    if membership.role == Role.ORG_ADMIN and not _other_admins_exist(membership):
        raise ValidationError(
            f"{membership.organization.name} needs at least one organization admin: "
            "make someone else an admin before removing this one."
        )
    detail = f"{membership.user.get_username()}: {membership.get_role_display()} -> removed"
    organization = membership.organization
    membership.delete()
    audit_record(
        kind=AuditEvent.Kind.ROLE_CHANGED,
        request=request,
        actor=user,
        organization=organization,
        detail=detail,
    )


# ---------------------------------------------------------------------------------------------------------
# Organizations


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70].strip("-") or "organization"
    taken = set(Organization.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def organization_create(
    *,
    name: str,
    org_type: str,
    size_band: str,
    state: str,
    ownership: str,
    is_teaching: bool,
    admin_email: str,
    created_by,
    request: HttpRequest | None = None,
) -> tuple[Organization, Invitation]:
    """Create an organization (slug from its name) and invite its first org admin."""
    name = name.strip()
    if Organization.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": "An organization with this name already exists."})
    organization = Organization.objects.create(
        name=name,
        slug=_unique_slug(name),
        org_type=org_type,
        size_band=size_band,
        state=state,
        ownership=ownership,
        is_teaching=is_teaching,
    )
    invitation = invitation_send(
        organization=organization,
        email=admin_email,
        role=Role.ORG_ADMIN,
        invited_by=created_by,
        request=request,
    )
    return organization, invitation


# ---------------------------------------------------------------------------------------------------------
# Sign-in lockouts (django-axes)


@transaction.atomic
def lockout_clear(*, username: str, user, request: HttpRequest | None = None) -> int:
    """Clear the failed sign-in attempts of `username` so that they can sign in again; returns how many."""
    from axes.utils import reset

    cleared = reset(username=username)
    audit_record(
        kind=AuditEvent.Kind.UNLOCK,
        request=request,
        actor=user,
        detail=f"Sign-in lockout of {username!r} cleared ({cleared} record{'s' if cleared != 1 else ''})",
    )
    return cleared
