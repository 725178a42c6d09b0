"""Celery tasks of rating rounds: thin wrappers that take ids and call the services."""

from celery import shared_task

from . import services


@shared_task(name="assessments.remind_raters")
def remind_raters(round_id: int) -> int:
    """E-mail the raters of a round who have not rated every indicator yet."""
    return services.raters_remind(round_id=round_id)
