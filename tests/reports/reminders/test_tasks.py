"""The reminder tasks with a REAL Celery worker (tests/reports/conftest.py `celery_worker`): the beat task
finds who is due now and queues one task per person; the worker sends; a second beat run sends nothing."""

import datetime
import time
import zoneinfo

import pytest
from celery.worker import state as worker_state
from django.conf import settings as django_settings
from django.core import mail
from django.utils import timezone

from reports.reminders.models import ReminderPreference, SentReminder
from reports.reminders.tasks import dispatch_reminders, send_user_reminders
from tests import factories as f

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_task_names_and_beat_entry():
    assert dispatch_reminders.name == "reports.dispatch_reminders"
    assert send_user_reminders.name == "reports.send_user_reminders"
    entry = django_settings.CELERY_BEAT_SCHEDULE["dispatch-reminders"]
    assert entry["task"] == "reports.dispatch_reminders"
    assert str(entry["schedule"]) == "<crontab: 0 * * * * (m/h/dM/MY/d)>"


def _a_zone_in_its_morning_or_later() -> str:
    """A fixed-offset zone whose local hour is now between 9 and 22 (there is always one)."""
    now = timezone.now()
    for offset in range(-12, 15):
        name = f"Etc/GMT{'-' if offset >= 0 else '+'}{abs(offset)}"  # Etc/GMT-3 is UTC+3
        if 9 <= now.astimezone(zoneinfo.ZoneInfo(name)).hour <= 22:
            return name
    raise AssertionError("no zone found")


def _wait_for_mails(count, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(mail.outbox) >= count and not worker_state.active_requests:
            return
        time.sleep(0.2)
    raise AssertionError(f"{len(mail.outbox)} mails after {timeout} s, {count} expected")


def test_beat_run_twice_through_the_worker(celery_worker, rubric, org_a, assessor_a, executive_a, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    zone = _a_zone_in_its_morning_or_later()
    today = timezone.now().astimezone(zoneinfo.ZoneInfo(zone)).date()
    f.AssessmentCycleFactory(
        name="2026", rubric=rubric, opens_on=today - datetime.timedelta(days=200),
        closes_on=today + datetime.timedelta(days=7),
    )  # fmt: skip
    ReminderPreference.objects.create(user=assessor_a, time_zone=zone)
    ReminderPreference.objects.create(user=executive_a, time_zone=zone)  # an executive gets no deadline mail
    mail.outbox = []
    assert dispatch_reminders() == [assessor_a.pk]
    _wait_for_mails(1)
    time.sleep(1)  # anything else queued would have arrived by now
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["alice@example.org"], "Reminder: your self-assessment is not submitted yet")
    ]
    assert "(7 days left)" in mail.outbox[0].body
    assert dispatch_reminders() == []  # the second run finds nothing due
    assert list(SentReminder.objects.values_list("user__username", "kind")) == [("alice", "deadline")]
    assert len(mail.outbox) == 1
