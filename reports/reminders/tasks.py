"""Celery tasks of the reminders: the hourly beat task finds who is due and queues one task per person."""

from celery import shared_task

from . import services


@shared_task(name="reports.dispatch_reminders")
def dispatch_reminders() -> list[int]:
    """Queue the reminders of everyone due one now (celery beat runs this every hour)."""
    user_ids = services.reminders_due_user_ids()
    for user_id in user_ids:
        send_user_reminders.delay(user_id=user_id)
    return user_ids


@shared_task(name="reports.send_user_reminders")
def send_user_reminders(*, user_id: int) -> int:
    """E-mail one person the reminders due now (none already sent)."""
    return services.reminders_send_to(user_id=user_id)
