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
    # The release its peer figures come from: a scorecard renders the same figures later.
    release = models.ForeignKey(
        "BenchmarkRelease", null=True, blank=True, on_delete=models.PROTECT, related_name="scorecards"
    )
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
# Benchmark releases: the frozen, numbered snapshots peer figures come from (see reports/services/releases.py)


class BenchmarkRelease(models.Model):
    """A numbered snapshot of a cycle's results, published by NAM staff: every peer figure a member sees
    comes from one. Never changed once published, so its statistics are cached under it (lhs_portal/cache.py)
    and an old scorecard renders the same figures later."""

    class Inclusion(models.TextChoices):
        VALIDATED = "validated", "validated results only"
        SUBMITTED = "submitted", "submitted and validated results"

    cycle = models.ForeignKey(AssessmentCycle, on_delete=models.CASCADE, related_name="benchmark_releases")
    number = models.PositiveIntegerField()
    inclusion = models.CharField(max_length=10, choices=Inclusion.choices)
    is_final = models.BooleanField(default=False, help_text="Published when the cycle closed.")
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    n_organizations = models.PositiveIntegerField()
    # Against the previous release of the cycle (everything is "added" in the first).
    n_added = models.PositiveIntegerField()
    n_changed = models.PositiveIntegerField()
    n_withdrawn = models.PositiveIntegerField()

    class Meta:
        ordering = ["cycle", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "number"], name="benchmark_release_unique_number")
        ]

    def __str__(self):
        return f"release {self.number} of the {self.cycle.name} cycle"

    @property
    def description(self) -> str:
        """The line every dashboard, PDF and export shows beside peer figures."""
        published = f"{self.published_at:%-d %B %Y}"
        return (
            f"Peer figures: release {self.number} of the {self.cycle.name} cycle, published {published}, "
            f"{self.n_organizations} organizations, {self.get_inclusion_display()}"
        )


class ReleasedResult(models.Model):
    """One organization's result as a release froze it: its scores and the attributes its peer groups
    follow (a later change to the organization changes no released figure)."""

    release = models.ForeignKey(BenchmarkRelease, on_delete=models.CASCADE, related_name="results")
    # A plain id, not a foreign key: deleting an organization must not change a published release.
    organization_id = models.PositiveIntegerField()
    parent_id = models.PositiveIntegerField(null=True, blank=True)
    validated = models.BooleanField()
    org_type = models.CharField(max_length=20)
    size_band = models.CharField(max_length=10)
    region = models.CharField(max_length=10)
    ownership = models.CharField(max_length=10)
    is_teaching = models.BooleanField()
    is_rural = models.BooleanField()
    scores = models.JSONField(
        help_text='Commitment slug (and "overall") -> score, as reports.scores computes.'
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["release", "organization_id"], name="released_result_unique")
        ]
        indexes = [models.Index(fields=["release", "parent_id"], name="released_result_parent")]

    def __str__(self):
        return f"{self.release_id}: organization {self.organization_id}"


from .api.models import ApiToken  # noqa: E402, F401 (the read API's tokens: models of the app)
from .archive.models import DataArchive  # noqa: E402, F401 (the data archive feature)
from .reminders.models import ReminderPreference, SentReminder  # noqa: E402, F401 (models of the app)
