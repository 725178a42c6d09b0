"""Each person's reminder preferences (time zone, which kinds they receive) and what was sent to whom."""

import zoneinfo

from django.conf import settings
from django.db import models
from django.utils import timezone


class ReminderKind(models.TextChoices):
    DEADLINE = "deadline", "Assessment deadline (30, 14, 7 and 1 days before the cycle closes)"
    ACTION = "action", "Improvement actions you own: due in 7 days, and overdue"
    REVIEW = "review", "Submissions waiting for NAM review over 14 days (NAM staff)"


TIME_ZONE_CHOICES = [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class ReminderPreference(models.Model):
    """One person's choices; no row means the defaults (every kind on, the portal's time zone)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        help_text="Reminders arrive in the morning of this time zone. Empty: the portal's.",
    )
    deadline = models.BooleanField(ReminderKind.DEADLINE.label, default=True)
    action = models.BooleanField(ReminderKind.ACTION.label, default=True)
    review = models.BooleanField(ReminderKind.REVIEW.label, default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Reminders of {self.user}"

    def wants(self, kind: str) -> bool:
        return bool(getattr(self, ReminderKind(kind).value))

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone or settings.TIME_ZONE)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo(settings.TIME_ZONE)


class SentReminder(models.Model):
    """One reminder of one event sent to one person: never twice (the unique constraint decides)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    event_key = models.CharField(max_length=120, help_text="Such as deadline:assessment 12:14 days.")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "event_key"], name="sent_reminder_once")
        ]
        indexes = [models.Index(fields=["sent_at"])]

    def __str__(self):
        return f"{self.kind} {self.event_key} to {self.user_id}"
