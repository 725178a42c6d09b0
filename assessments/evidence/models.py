"""Evidence documents and their links to indicators. Imported at the bottom of assessments/models.py."""

import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils import timezone

from commitments.models import Indicator


def evidence_storage():
    """The "evidence" storage of settings.STORAGES: a folder under var/ by default, S3 by settings."""
    return storages["evidence"]


def new_stored_name(assessment_id: int) -> str:
    # Never the uploader's name or path: a random name in a folder per assessment.
    return f"evidence/{assessment_id}/{uuid.uuid4().hex}"


class EvidenceDocument(models.Model):
    """One uploaded file of an assessment. Its original name is display metadata only (sanitized)."""

    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.PROTECT, related_name="evidence_documents"
    )
    # The name in evidence_storage(). Not a FileField: the storage is looked up at each use, so that a
    # changed STORAGES setting (tests, a move to S3) is followed, and no URL of the file is ever built.
    stored_name = models.CharField(max_length=200, unique=True)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, help_text="The type found in the content: pdf, docx, png, ...")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    # Set when its last link goes: the bytes are deleted, the row stays for the history.
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["original_name", "pk"]
        indexes = [models.Index(fields=["assessment", "deleted_at"], name="evidence_doc_live_idx")]

    def __str__(self):
        return self.original_name


class EvidenceLinkQuerySet(models.QuerySet):
    def live(self):
        return self.filter(removed_at__isnull=True)


class EvidenceLink(models.Model):
    """A document given as evidence for one indicator of an assessment. Never deleted: removal sets
    removed_at/removed_by, so the links are also the history of the assessment's evidence files."""

    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="evidence_links"
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    document = models.ForeignKey(EvidenceDocument, on_delete=models.PROTECT, related_name="links")
    # Carried over from the previous cycle's assessment: the same stored document, no copy of the bytes.
    carried_from = models.ForeignKey(
        "assessments.AssessmentCycle", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = EvidenceLinkQuerySet.as_manager()

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "indicator", "document"],
                condition=models.Q(removed_at__isnull=True),
                name="evidence_link_once_per_indicator",
            )
        ]
        indexes = [models.Index(fields=["assessment", "indicator"], name="evidence_link_idx")]

    def __str__(self):
        return f"{self.document} for {self.indicator.code}"
