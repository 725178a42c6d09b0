"""Security events go to the audit log: sign-in and its failure, sign-out, lockout, password change."""

import time

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from .audit import audit_record, current_request
from .middleware import LOGIN_AT, SEEN_AT
from .models import AuditEvent


@receiver(user_logged_in, dispatch_uid="audit_login_success")
def on_logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        # A fresh sign-in starts a fresh absolute lifetime, whatever the session held before.
        now = time.time()
        request.session[LOGIN_AT] = now
        request.session[SEEN_AT] = now
    audit_record(kind=AuditEvent.Kind.LOGIN_SUCCESS, request=request, actor=user)


@receiver(user_login_failed, dispatch_uid="audit_login_failure")
def on_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get(get_user_model().USERNAME_FIELD) or credentials.get("username") or "")
    audit_record(
        kind=AuditEvent.Kind.LOGIN_FAILURE,
        request=request,
        actor_label=username[:254],
        detail=f"Failed sign-in as {username[:200]!r}",
    )


@receiver(user_logged_out, dispatch_uid="audit_logout")
def on_logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(kind=AuditEvent.Kind.LOGOUT, request=request, actor=user)


@receiver(user_locked_out, dispatch_uid="audit_lockout")
def on_locked_out(sender, request, username, ip_address, **kwargs):
    username = str(username or "")
    audit_record(
        kind=AuditEvent.Kind.LOCKOUT,
        request=request,
        actor_label=username[:254],
        detail=f"Sign-in locked for {username[:200]!r} from {ip_address} after repeated failures",
    )


@receiver(post_save, sender=get_user_model(), dispatch_uid="audit_password_changed")
def on_user_saved(sender, instance, created, **kwargs):
    # set_password() keeps the new raw password in _password until save() has finished: its presence here
    # is the one reliable sign of a password change (change form, reset link, admin or shell alike).
    if created or getattr(instance, "_password", None) is None:
        return
    request = current_request()
    by_someone = request is not None and getattr(request, "user", None) and request.user.is_authenticated
    audit_record(
        kind=AuditEvent.Kind.PASSWORD_CHANGED,
        request=request,
        actor=request.user if by_someone else instance,
        detail=f"Password of {instance.get_username()} changed",
    )
