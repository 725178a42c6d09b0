"""Scheduled tasks of participation terms and retention (celery beat, CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from . import retention


@shared_task(name="assessments.delete_withdrawn_organizations")
def delete_withdrawn_organizations() -> list[int]:
    """Delete the data of organizations withdrawn longer ago than WITHDRAWAL_RETENTION_DAYS."""
    return [record.pk for record in retention.withdrawn_organizations_delete()]


@shared_task(name="assessments.prune_retention")
def prune_retention() -> int:
    """Delete audit events and answer history past their retention settings."""
    return retention.retention_prune().pk
