"""Participation terms (versioned text), each organization's acceptance of them, and withdrawal.

A terms version is loaded from a file under fixtures/terms/ (manage.py load_terms) and never changes once
loaded; an acceptance keeps the SHA-256 of the exact text accepted.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class TermsVersionQuerySet(models.QuerySet):
    def in_effect(self, on=None):
        return self.filter(effective_on__lte=on or timezone.localdate())


class TermsVersion(models.Model):
    version = models.CharField(max_length=20, unique=True, help_text='Such as "2026.1".')
    title = models.CharField(max_length=200)
    effective_on = models.DateField()
    text = models.TextField(help_text="Markdown, as loaded from the file.")
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the text (UTF-8).")
    source_file = models.CharField(max_length=300, blank=True)
    loaded_at = models.DateTimeField(default=timezone.now)

    objects = TermsVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_on", "-version"]
        constraints = [models.UniqueConstraint(fields=["sha256"], name="terms_version_unique_text")]

    def __str__(self):
        return f"Participation terms {self.version}"


class TermsAcceptance(models.Model):
    """An organization admin accepted a terms version for the organization."""

    organization = models.ForeignKey(
        "assessments.Organization", on_delete=models.CASCADE, related_name="terms_acceptances"
    )
    terms = models.ForeignKey(TermsVersion, on_delete=models.PROTECT, related_name="acceptances")
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_by_label = models.CharField(max_length=254, help_text="The username, kept if the user goes.")
    accepted_at = models.DateTimeField(default=timezone.now)
    text_sha256 = models.CharField(max_length=64, help_text="SHA-256 of the text that was accepted.")

    class Meta:
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "terms"], name="terms_acceptance_once")
        ]

    def __str__(self):
        return f"{self.organization} accepted {self.terms.version}"


class Withdrawal(models.Model):
    """An organization's request to leave the portal, confirmed by NAM staff; its data deleted later.

    The organization link is cut when its data is deleted; the name and id stay as the record."""

    organization = models.OneToOneField(
        "assessments.Organization", null=True, on_delete=models.SET_NULL, related_name="withdrawal"
    )
    organization_ref = models.PositiveIntegerField(help_text="The organization's id, kept after deletion.")
    organization_name = models.CharField(max_length=200)
    reason = models.TextField(blank=True, max_length=2000)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by_label = models.CharField(max_length=254)
    requested_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    data_deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self):
        return f"Withdrawal of {self.organization_name}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class DeletionRecord(models.Model):
    """What a scheduled deletion removed: a withdrawn organization's data, or records past retention."""

    class Reason(models.TextChoices):
        WITHDRAWAL = "withdrawal", "Withdrawn organization's data"
        RETENTION = "retention", "Past the retention period"

    reason = models.CharField(max_length=12, choices=Reason.choices)
    organization_ref = models.PositiveIntegerField(null=True, blank=True)
    organization_name = models.CharField(max_length=200, blank=True)
    ran_at = models.DateTimeField(default=timezone.now)
    cutoff = models.DateTimeField(null=True, blank=True, help_text="Records older than this were deleted.")
    counts = models.JSONField(default=dict, help_text="Model label -> rows deleted.")

    class Meta:
        ordering = ["-ran_at"]

    def __str__(self):
        return f"{self.get_reason_display()} {self.ran_at:%Y-%m-%d %H:%M}"
