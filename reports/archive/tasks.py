"""Celery tasks of data archives (loaded through CELERY_IMPORTS)."""

from celery import shared_task

from . import services


@shared_task(name="reports.build_data_archive")
def build_data_archive(*, archive_id: int) -> None:
    """Build one organization's data archive."""
    services.archive_build(archive_id=archive_id)


@shared_task(name="reports.delete_expired_archives")
def delete_expired_archives() -> int:
    """Delete the files of archives whose link expired (run hourly by celery beat)."""
    return services.archives_expired_delete()
