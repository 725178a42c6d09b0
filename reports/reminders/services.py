"""Sending reminders, saving preferences, unsubscribing in one click."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import ReminderKind, ReminderPreference, SentReminder
from .selectors import DueReminder, due_reminders

UNSUBSCRIBE_SALT = "reports.reminders.unsubscribe"
SUBJECTS = {
    ReminderKind.DEADLINE: "Reminder: your self-assessment is not submitted yet",
    ReminderKind.ACTION: "Reminder: improvement actions you own are due",
    ReminderKind.REVIEW: "Reminder: submissions waiting for review",
}


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    """A signed token for one person and one kind: the unsubscribe link works without signing in."""
    # No timestamp: an old e-mail's link keeps working, and a person's link of one kind is always the same.
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object({"u": user_id, "k": str(kind)})


def unsubscribe_read(token: str) -> tuple[int, str]:
    """(user id, kind) of a token; raises signing.BadSignature for a forged or damaged one."""
    data = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    if not isinstance(data, dict) or data.get("k") not in ReminderKind.values:
        raise signing.BadSignature("Not a reminder token.")
    if not get_user_model().objects.filter(pk=data.get("u")).exists():
        raise signing.BadSignature("The person has left the portal.")
    return int(data["u"]), data["k"]


def unsubscribe_url(*, user_id: int, kind: str) -> str:
    token = unsubscribe_token(user_id=user_id, kind=kind)
    return settings.SITE_URL + reverse("reports:reminder_unsubscribe", args=[token])


@transaction.atomic
def reminder_preferences_save(*, user, time_zone: str, kinds: dict[str, bool]) -> ReminderPreference:
    """Store the person's time zone and which kinds of reminder they receive."""
    preference, _ = ReminderPreference.objects.select_for_update().get_or_create(user=user)
    preference.time_zone = time_zone
    for kind in ReminderKind.values:
        setattr(preference, kind, bool(kinds.get(kind, getattr(preference, kind))))
    preference.save()
    return preference


@transaction.atomic
def reminder_unsubscribe(*, user_id: int, kind: str) -> ReminderPreference:
    """Turn one kind of reminder off for the person (what the e-mail's one-click link does)."""
    preference, _ = ReminderPreference.objects.select_for_update().get_or_create(user_id=user_id)
    setattr(preference, ReminderKind(kind).value, False)
    preference.save()
    return preference


def _message(user, kind: str, reminders: list[DueReminder]) -> EmailMessage:
    link = unsubscribe_url(user_id=user.pk, kind=kind)
    body = render_to_string(
        "emails/reminder.txt",
        {
            "user": user,
            "kind_label": ReminderKind(kind).label,
            "reminders": reminders,
            "unsubscribe_url": link,
            "settings_url": settings.SITE_URL + reverse("reports:reminder_settings"),
        },
    )
    return EmailMessage(
        SUBJECTS[kind],
        body,
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
        # RFC 8058: mail clients offer "unsubscribe" and POST to the link themselves.
        headers={"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


def reminders_send_to(*, user_id: int, now: datetime.datetime | None = None) -> int:
    """E-mail the person the reminders due now, one message per kind; records each (SentReminder) so that
    none is sent twice. Returns how many messages were sent."""
    now = now or timezone.now()
    due = due_reminders(now, user_ids=[user_id]).get(user_id, [])
    user = get_user_model().objects.filter(pk=user_id).first()
    if not due or user is None:
        return 0
    sent = 0
    for kind in ReminderKind.values:
        reminders = [r for r in due if r.kind == kind]
        if not reminders:
            continue
        try:
            with transaction.atomic():
                # The records first: a concurrent run waits on the unique constraint, then fails it.
                SentReminder.objects.bulk_create(
                    SentReminder(user_id=user_id, kind=kind, event_key=r.event_key, sent_at=now)
                    for r in reminders
                )
                _message(user, kind, reminders).send()
        except IntegrityError:
            continue  # another run sent them
        sent += 1
    return sent


def reminders_due_user_ids(now: datetime.datetime | None = None) -> list[int]:
    return sorted(due_reminders(now or timezone.now()))


def reminders_run(*, now: datetime.datetime | None = None) -> int:
    """One run of the schedule in this process (what the beat task fans out to the workers)."""
    now = now or timezone.now()
    return sum(reminders_send_to(user_id=user_id, now=now) for user_id in reminders_due_user_ids(now))
