"""NAM's review per indicator (threads of comments and replies), answers carried over from last cycle,
and the executive's attestation of an assessment."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from commitments.models import Indicator

from ..models import Assessment, AssessmentCycle, Response

__all__ = ["Attestation", "CarriedAnswer", "ReviewMessage", "ReviewThread"]


class ReviewThread(models.Model):
    """A reviewer's comment on one indicator of an assessment and the replies that follow it."""

    class Kind(models.TextChoices):
        QUESTION = "question", "Question"
        EVIDENCE = "evidence", "Request for evidence"
        NOTE = "note", "Note"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="review_threads")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    blocking = models.BooleanField(
        default=False, help_text="The assessment cannot be resubmitted until the organization replies."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # True from a reviewer's message until the organization's reply: "unanswered".
    awaiting_reply = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["indicator__commitment__order", "indicator__order", "created_at", "pk"]
        indexes = [models.Index(fields=["assessment", "status"])]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.indicator.code} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def blocks_resubmission(self) -> bool:
        return self.blocking and self.is_open and self.awaiting_reply


class ReviewMessage(models.Model):
    """One comment in a thread: the reviewer's opening comment, a reply, a follow-up."""

    thread = models.ForeignKey(ReviewThread, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_nam = models.BooleanField(help_text="Written by NAM staff (else by the organization).")
    body = models.TextField(max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.thread} #{self.pk}"


class CarriedAnswer(models.Model):
    """An answer copied from the previous cycle: unconfirmed until an assessor confirms or changes it."""

    class Outcome(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        CHANGED = "changed", "Changed"

    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="carried")
    from_cycle = models.ForeignKey(AssessmentCycle, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)

    def __str__(self):
        return f"{self.response} carried over from {self.from_cycle}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class Attestation(models.Model):
    """The executive's word on an assessment: asked for by an assessor, then attested (which submits it to
    NAM) or sent back with a note. Keeps who, when, and what they saw."""

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting attestation"
        ATTESTED = "attested", "Attested"
        SENT_BACK = "sent_back", "Sent back"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="attestations")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # Where a send-back returns the assessment to: a draft or an assessment NAM had returned.
    status_before = models.CharField(max_length=10, choices=Assessment.Status.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    executive = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    executive_name = models.CharField(max_length=300, blank=True, help_text="Kept if the user goes.")
    decided_at = models.DateTimeField(null=True, blank=True)
    answers_sha256 = models.CharField(max_length=64, blank=True)
    seen = models.JSONField(default=dict, blank=True, help_text="The summary the executive read.")
    note = models.TextField(blank=True, max_length=4000)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment"],
                condition=models.Q(status="pending"),
                name="attestation_one_pending_per_assessment",
            )
        ]

    def __str__(self):
        return f"Attestation of {self.assessment} ({self.get_status_display()})"
