"""PDF scorecards and batches of them."""

from django.conf import settings
from django.db import models

from assessments.models import Assessment, AssessmentCycle

from .peer_groups import PeerGroup


class ScorecardQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status__in=[Scorecard.Status.QUEUED, Scorecard.Status.RENDERING])


class Scorecard(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RENDERING = "rendering", "Rendering"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scorecards")
    peer_group = models.CharField(max_length=20, choices=PeerGroup.choices, default=PeerGroup.ALL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    inputs_hash = models.CharField(max_length=64, help_text="SHA-256 of everything the PDF shows.")
    file = models.FileField(upload_to="scorecards/", blank=True)
    error_message = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A scorecard reused by a later batch belongs to both: each batch's ZIP holds all its PDFs.
    batches = models.ManyToManyField("ScorecardBatch", blank=True, related_name="scorecards")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScorecardQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "peer_group", "inputs_hash"], name="scorecard_unique_inputs"
            )
        ]
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self):
        return f"Scorecard {self.assessment} ({self.get_peer_group_display()})"


class ScorecardBatch(models.Model):
    """Every scorecard of a cycle, rendered for NAM staff and downloaded as one ZIP."""

    cycle = models.ForeignKey(AssessmentCycle, on_delete=models.CASCADE, related_name="scorecard_batches")
    peer_group = models.CharField(max_length=20, choices=PeerGroup.choices, default=PeerGroup.ALL)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Scorecards of {self.cycle} ({self.get_peer_group_display()})"
