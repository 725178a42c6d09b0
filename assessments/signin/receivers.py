"""Second-factor events go to the audit log; a wrong code counts as a failed sign-in (django-axes)."""

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from ..audit import audit_record
from ..models import AuditEvent
from .sso import SSO_SESSION_KEY

KIND_NAMES = {
    Authenticator.Type.TOTP: "authenticator app",
    Authenticator.Type.WEBAUTHN: "security key",
    Authenticator.Type.RECOVERY_CODES: "recovery codes",
}


def _name(authenticator) -> str:
    return KIND_NAMES.get(authenticator.type, authenticator.type)


@receiver(mfa_signals.authenticator_added, dispatch_uid="audit_mfa_added")
def on_authenticator_added(sender, request, user, authenticator, **kwargs):
    audit_record(
        kind=AuditEvent.Kind.MFA_ADDED,
        request=request,
        actor=user,
        detail=f"{_name(authenticator).capitalize()} added",
    )


@receiver(mfa_signals.authenticator_removed, dispatch_uid="audit_mfa_removed")
def on_authenticator_removed(sender, request, user, authenticator, **kwargs):
    audit_record(
        kind=AuditEvent.Kind.MFA_REMOVED,
        request=request,
        actor=user,
        detail=f"{_name(authenticator).capitalize()} removed",
    )


@receiver(mfa_signals.authenticator_reset, dispatch_uid="audit_mfa_reset")
def on_authenticator_reset(sender, request, user, authenticator, **kwargs):
    audit_record(
        kind=AuditEvent.Kind.MFA_RECOVERY_CODES, request=request, actor=user, detail="New recovery codes"
    )


@receiver(mfa_signals.authentication_failed, dispatch_uid="mfa_failure_is_a_failed_sign_in")
def on_mfa_failed(sender, request, user, authenticator, **kwargs):
    # Django's signal for a failed sign-in: django-axes counts it toward the lockout, and
    # assessments.signals writes it to the audit log.
    user_login_failed.send(
        sender=__name__,
        credentials={"username": user.get_username(), "second_factor": _name(authenticator)},
        request=request,
    )


@receiver(account_signals.user_logged_in, dispatch_uid="remember_single_sign_on")
def on_signed_in(sender, request, user, sociallogin=None, **kwargs):
    # The identity provider applies its own second-factor policy to those it signs in (middleware).
    if sociallogin is not None:
        request.session[SSO_SESSION_KEY] = sociallogin.account.provider
