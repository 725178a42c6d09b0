"""Improvement plans: the level an organization aims for on each commitment in the next cycle, the actions
to reach it, and their progress notes.

The tables keep the names of their first home (the assessments app): the move to reports was state-only.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from assessments.models import AssessmentCycle, Organization
from commitments.models import Commitment, Indicator


class CommitmentTarget(models.Model):
    """The level an organization aims to reach on a commitment in the cycle after `cycle`."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="targets")
    cycle = models.ForeignKey(
        AssessmentCycle,
        on_delete=models.PROTECT,
        related_name="targets",
        help_text="The cycle whose results the plan starts from.",
    )
    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="targets")
    target_level = models.DecimalField(
        max_digits=3, decimal_places=2, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "assessments_commitmenttarget"  # the table of its first home, kept
        constraints = [
            models.UniqueConstraint(fields=["organization", "cycle", "commitment"], name="target_unique")
        ]

    def __str__(self):
        return f"{self.organization} {self.commitment}: {self.target_level}"


class ImprovementAction(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="actions")
    cycle = models.ForeignKey(AssessmentCycle, on_delete=models.PROTECT, related_name="actions")
    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="actions")
    indicators = models.ManyToManyField(Indicator, blank=True, related_name="actions")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=4000)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_actions",
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "assessments_improvementaction"
        ordering = ["commitment__order", "due_date", "pk"]

    def __str__(self):
        return self.title

    @property
    def is_overdue(self) -> bool:
        open_statuses = (self.Status.PLANNED, self.Status.IN_PROGRESS)
        return bool(self.due_date and self.status in open_statuses and self.due_date < timezone.localdate())

    @property
    def days_overdue(self) -> int:
        """Whole days past the due date of an open action (0 when it is not overdue)."""
        return (timezone.localdate() - self.due_date).days if self.is_overdue else 0


class ActionNote(models.Model):
    action = models.ForeignKey(ImprovementAction, on_delete=models.CASCADE, related_name="notes")
    noted_on = models.DateField(default=timezone.localdate)
    text = models.TextField(max_length=2000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "assessments_actionnote"
        ordering = ["-noted_on", "-created_at"]

    def __str__(self):
        return f"{self.action}: {self.noted_on}"
