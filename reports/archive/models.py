"""An organization's data archive: everything the portal holds about it, in one ZIP built by a worker."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from assessments.models import Organization


class DataArchive(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        BUILDING = "building", "Building"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="data_archives")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    sections_total = models.PositiveSmallIntegerField(default=0)
    sections_done = models.PositiveSmallIntegerField(default=0)
    current_section = models.CharField(max_length=100, blank=True)
    file = models.FileField(upload_to="archives/", blank=True)
    size = models.PositiveBigIntegerField(default=0)
    error_message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The download link works until then (DATA_ARCHIVE_EXPIRY_HOURS after the archive was ready).
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Data archive {self.pk} of {self.organization}"

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.BUILDING)

    @property
    def percent(self) -> int:
        if self.status == self.Status.READY:
            return 100
        return int(100 * self.sections_done / self.sections_total) if self.sections_total else 0

    def is_expired(self, now=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())
