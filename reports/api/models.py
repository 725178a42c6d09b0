"""API tokens: a user's key to the read API (reports/api/), shown once and stored hashed."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from assessments.models import Organization


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """One token: `lhs_<prefix>_<secret>`. The prefix finds the row; only the SHA-256 of the secret is kept
    (a high-entropy secret needs no slow hash: nothing can be guessed from its digest)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, in the owner's words.")
    prefix = models.CharField(max_length=16, unique=True)
    secret_sha256 = models.CharField(max_length=64)
    # The scope: one organization the user is a member of, or every organization (NAM staff only).
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="api_tokens"
    )
    nam_wide = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(nam_wide=True, organization__isnull=True)
                | models.Q(nam_wide=False, organization__isnull=False),
                name="api_token_one_scope",
            )
        ]

    def __str__(self):
        return f"API token {self.prefix} of {self.user}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def scope_label(self) -> str:
        return "NAM-wide" if self.nam_wide else self.organization.name
