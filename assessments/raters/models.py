"""Rating rounds: many raters rate an assessment's indicators on their own; the assessor decides.

A rater is a person invited by e-mail into one round, in one rater group; they hold no organization role
and no account. Their ratings never touch the assessment's answers (Response): the assessor sets those,
through the workflow's save service, on the consensus page (ConsensusDecision keeps the note).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from assessments.models import Assessment, Organization
from commitments.models import Commitment, Indicator, MaturityLevel

__all__ = ["ConsensusDecision", "Rater", "RaterGroup", "Rating", "RatingRound"]

DEFAULT_RATER_GROUPS = ("Leadership", "Clinical staff", "Patient and family partners", "Other")


class RaterGroup(models.Model):
    """A group whose view is compared with the others' (set by the organization)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="rater_groups")
    name = models.CharField(max_length=60)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="rater_group_unique_name")
        ]

    def __str__(self):
        return self.name


class RatingRound(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="rating_rounds")
    # None chosen: the whole rubric (the indicators that apply to the organization's type).
    commitments = models.ManyToManyField(Commitment, blank=True, related_name="+")
    closes_on = models.DateField(help_text="The last day raters can rate.")
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self):
        return f"Rating round {self.pk} of {self.assessment}"

    @property
    def is_open(self) -> bool:
        """Raters may rate: open and the closing date not passed (a passed date closes it by itself)."""
        return self.status == self.Status.OPEN and timezone.localdate() <= self.closes_on


class Rater(models.Model):
    round = models.ForeignKey(RatingRound, on_delete=models.CASCADE, related_name="raters")
    email = models.EmailField()
    name = models.CharField(max_length=120, blank=True)
    group = models.ForeignKey(RaterGroup, on_delete=models.PROTECT, related_name="raters")
    # Part of the signed link: a new nonce (removing a rater) makes every earlier link useless.
    nonce = models.CharField(max_length=32)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField(default=timezone.now)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["group__order", "email"]
        # One person, one group per round: a second group would let them count twice.
        constraints = [models.UniqueConstraint(fields=["round", "email"], name="rater_once_per_round")]

    def __str__(self):
        return f"{self.email} ({self.group})"


class Rating(models.Model):
    rater = models.ForeignKey(Rater, on_delete=models.CASCADE, related_name="ratings")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(choices=MaturityLevel.choices, null=True, blank=True)
    dont_know = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rater", "indicator"], name="rating_once_per_indicator"),
            models.CheckConstraint(
                condition=models.Q(level__isnull=True, dont_know=True)
                | models.Q(level__gte=1, level__lte=5, dont_know=False),
                name="rating_level_or_dont_know",
            ),
        ]

    def __str__(self):
        return f"{self.rater} {self.indicator_id}: {'?' if self.dont_know else self.level}"


class ConsensusDecision(models.Model):
    """The assessor's official answer after a round, and why (the answer itself lives in Response)."""

    round = models.ForeignKey(RatingRound, on_delete=models.CASCADE, related_name="decisions")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(choices=MaturityLevel.choices)
    note = models.TextField(max_length=2000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "indicator"], name="consensus_once_per_indicator")
        ]

    def __str__(self):
        return f"{self.round} {self.indicator_id}: {self.level}"
