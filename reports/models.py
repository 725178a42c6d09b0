"""PDF scorecards and batches of them."""

from django.conf import settings
from django.db import models

from assessments.models import Assessment, AssessmentCycle

from .peer_groups import PeerGroup
from .plans.models import ActionNote, CommitmentTarget, ImprovementAction  # noqa: F401 (models of the app)


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
    # Set by the task reports.fill_scorecard_batch once every scorecard is created (or reused) and queued;
    # until then the batch is "preparing".
    filled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Scorecards of {self.cycle} ({self.get_peer_group_display()})"

    @property
    def is_preparing(self) -> bool:
        return self.filled_at is None


# ---------------------------------------------------------------------------------------------------------
# Benchmarks: per-assessment scores kept ready for peer statistics (see reports/benchmark_scores.py)


class BenchmarkScore(models.Model):
    """One score of an assessment with results (submitted or validated): a commitment's or the overall.

    Materialized from reports.scores (the one definition of a score) by reports.benchmark_scores whenever
    an assessment's status or responses change in a way results depend on, so that peer statistics read
    ~11 rows per organization instead of aggregating every response on every page view.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="+")
    # Denormalized from the assessment: peer statistics filter on them without a join.
    cycle = models.ForeignKey(AssessmentCycle, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey("assessments.Organization", on_delete=models.CASCADE, related_name="+")
    validated = models.BooleanField(help_text="Validated by NAM (else submitted and awaiting review).")
    commitment = models.CharField(max_length=40, help_text='A commitment slug, or "overall".')
    score = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "commitment"], name="benchmark_score_unique")
        ]
        # Chosen from EXPLAIN ANALYZE at 6,000 organizations (README, "Performance"): a cycle's scores
        # in (commitment, score) order, with the organization for the peer-group join, index-only.
        indexes = [
            models.Index(
                fields=["cycle", "commitment", "score", "organization", "validated"],
                name="benchmark_score_cycle",
            ),
        ]

    def __str__(self):
        return f"{self.assessment_id} {self.commitment}: {self.score}"


class BenchmarkVersion(models.Model):
    """A token per cycle that changes whenever the cycle's benchmark scores do: part of every cache key,
    so a cached statistic never outlives the data it came from (random, so that it never repeats)."""

    cycle = models.OneToOneField(
        AssessmentCycle, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    token = models.CharField(max_length=32)

    def __str__(self):
        return f"{self.cycle_id}: {self.token}"
