"""Organizations, people and roles, assessment cycles, assessments and responses."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from commitments.models import ComplianceItem, Indicator, MaturityLevel, Rubric

from .geography import STATE_CHOICES, STATE_REGION, Region

# ---------------------------------------------------------------------------------------------------------
# Organizations and people


class OrgType(models.TextChoices):
    HOSPITAL = "hospital", "Hospital"
    HEALTH_SYSTEM = "health_system", "Health system"
    ACADEMIC = "academic", "Academic medical center"
    COMMUNITY_HEALTH_CENTER = "chc", "Community health center"
    AMBULATORY = "ambulatory", "Ambulatory or clinic group"
    OTHER = "other", "Other"


class SizeBand(models.TextChoices):
    UNDER_100 = "lt100", "Under 100 beds"
    FROM_100 = "100_299", "100-299 beds"
    FROM_300 = "300_499", "300-499 beds"
    FROM_500 = "500plus", "500 or more beds"
    NOT_APPLICABLE = "na", "Not applicable"


class Ownership(models.TextChoices):
    NON_PROFIT = "nonprofit", "Non-profit"
    FOR_PROFIT = "forprofit", "For-profit"
    PUBLIC = "public", "Public"


class OrganizationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Organization(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    org_type = models.CharField("organization type", max_length=20, choices=OrgType.choices)
    size_band = models.CharField("size (licensed beds)", max_length=10, choices=SizeBand.choices)
    state = models.CharField(max_length=2, choices=STATE_CHOICES)
    region = models.CharField(max_length=10, choices=Region.choices, editable=False)
    ownership = models.CharField(max_length=10, choices=Ownership.choices)
    is_teaching = models.BooleanField("teaching organization", default=False)
    is_rural = models.BooleanField("rural or critical access hospital", default=False)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        help_text="The health system this organization belongs to, if any.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["org_type"]), models.Index(fields=["region"])]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.region = STATE_REGION[self.state]
        super().save(*args, **kwargs)


class Role(models.TextChoices):
    ORG_ADMIN = "org_admin", "Organization admin"
    ASSESSOR = "assessor", "Assessor"
    EXECUTIVE = "executive", "Executive"


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization__name"]
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="membership_unique")]

    def __str__(self):
        return f"{self.user} - {self.organization} ({self.get_role_display()})"


class Invitation(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Part of the signed token: a resend changes it, so earlier links stop working.
    nonce = models.CharField(max_length=32)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invitation of {self.email} to {self.organization}"


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit log is append-only.")

    def delete(self):
        raise PermissionError("The audit log is append-only.")


class AuditEvent(models.Model):
    """Append-only record of security-relevant events."""

    class Kind(models.TextChoices):
        LOGIN_SUCCESS = "login_success", "Sign-in"
        LOGIN_FAILURE = "login_failure", "Failed sign-in"
        LOGOUT = "logout", "Sign-out"
        LOCKOUT = "lockout", "Account locked out"
        UNLOCK = "unlock", "Lockout cleared"
        INVITATION_SENT = "invitation_sent", "Invitation sent"
        INVITATION_ACCEPTED = "invitation_accepted", "Invitation accepted"
        INVITATION_REVOKED = "invitation_revoked", "Invitation revoked"
        ROLE_CHANGED = "role_changed", "Role changed"
        ACCESS_DENIED = "access_denied", "Access denied"
        EXPORT = "export", "Export"
        PDF_DOWNLOAD = "pdf_download", "PDF downloaded"
        PASSWORD_CHANGED = "password_changed", "Password changed"
        MFA_ADDED = "mfa_added", "Second factor added"
        MFA_REMOVED = "mfa_removed", "Second factor removed"
        MFA_RECOVERY_CODES = "mfa_recovery_codes", "Recovery codes regenerated"
        MFA_RESET = "mfa_reset", "Second factors reset"
        SSO_CONFIGURED = "sso_configured", "Single sign-on configured"
        SSO_REFUSED = "sso_refused", "Single sign-on refused"
        ASSESSMENT_VALIDATED = "assessment_validated", "Assessment validated"
        ASSESSMENT_RETURNED = "assessment_returned", "Assessment returned"
        API_TOKEN_CREATED = "api_token_created", "API token created"
        API_TOKEN_REVOKED = "api_token_revoked", "API token revoked"
        API_REQUEST = "api_request", "API request"
        ASSESSMENT_ATTESTED = "assessment_attested", "Assessment attested"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(
        max_length=254, blank=True, help_text="The username, kept if the user goes."
    )
    organization = models.ForeignKey(Organization, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField(null=True)
    detail = models.CharField(max_length=500, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.actor_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")


# ---------------------------------------------------------------------------------------------------------
# Cycles, assessments, responses


class CycleQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=AssessmentCycle.Status.OPEN)


class AssessmentCycle(models.Model):
    class Status(models.TextChoices):
        UPCOMING = "upcoming", "Upcoming"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    name = models.CharField(max_length=60, unique=True, help_text='Such as "2026".')
    slug = models.SlugField(max_length=60, unique=True)
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="cycles")
    opens_on = models.DateField()
    closes_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPCOMING)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CycleQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")), name="cycle_dates"
            )
        ]

    def __str__(self):
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    def previous(self):
        return AssessmentCycle.objects.filter(opens_on__lt=self.opens_on).order_by("-opens_on").first()


class AssessmentQuerySet(models.QuerySet):
    def submitted(self):
        """Submitted or validated: the ones that count as results."""
        return self.filter(status__in=[Assessment.Status.SUBMITTED, Assessment.Status.VALIDATED])

    def for_benchmarks(self):
        """The assessments that count in peer statistics (BENCHMARK_INCLUDE_SUBMITTED decides)."""
        if settings.BENCHMARK_INCLUDE_SUBMITTED:
            return self.submitted()
        return self.filter(status=Assessment.Status.VALIDATED)


class Assessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        # Hidden from NAM: the assessor has finished and the organization's executive is to attest.
        AWAITING_ATTESTATION = "attesting", "Awaiting attestation"
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned"
        VALIDATED = "validated", "Validated"

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="assessments")
    cycle = models.ForeignKey(AssessmentCycle, on_delete=models.PROTECT, related_name="assessments")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    affirmed_name = models.CharField(max_length=200, blank=True)
    affirmed_title = models.CharField(max_length=200, blank=True)
    affirmed_at = models.DateTimeField(null=True, blank=True)
    reviewer_comment = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-cycle__opens_on", "organization__name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "cycle"], name="assessment_one_per_org_cycle")
        ]
        indexes = [models.Index(fields=["cycle", "status"])]

    def __str__(self):
        return f"{self.organization} - {self.cycle}"

    @property
    def is_editable(self) -> bool:
        """The organization may change answers: a draft or returned assessment of a cycle not closed."""
        return self.status in (self.Status.DRAFT, self.Status.RETURNED) and not self.cycle.is_closed


class NaReview(models.TextChoices):
    """NAM's word on an N/A reason, given at validation: a rejected N/A returns the assessment."""

    PENDING = "", "Not reviewed"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Not accepted"


class Response(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="responses")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="responses")
    level = models.PositiveSmallIntegerField(
        choices=MaturityLevel.choices,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    not_applicable = models.BooleanField(default=False)
    na_justification = models.TextField(blank=True, max_length=2000)
    # db_default too: bulk loaders that COPY named columns (the demo seeder) leave it out.
    na_review = models.CharField(
        max_length=8,
        choices=NaReview.choices,
        default=NaReview.PENDING,
        db_default=NaReview.PENDING,
        blank=True,
    )
    evidence_summary = models.TextField(blank=True, max_length=4000)
    evidence_links = models.TextField(blank=True, max_length=2000, help_text="One link per line.")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(
        default=1, help_text="Incremented on every save: detects stale edits."
    )

    class Meta:
        ordering = ["indicator__commitment__order", "indicator__order"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator"], name="response_one_per_indicator"),
            models.CheckConstraint(
                condition=models.Q(level__isnull=True) | models.Q(level__gte=1, level__lte=5),
                name="response_level_1_5",
            ),
            models.CheckConstraint(
                condition=~models.Q(not_applicable=True, level__isnull=False), name="response_na_has_no_level"
            ),
        ]

    def __str__(self):
        return f"{self.assessment} {self.indicator.code}"

    NA_REASON_MISSING = "Say why this indicator does not apply to your organization."

    @property
    def is_answered(self) -> bool:
        return self.level is not None or self.not_applicable

    @staticmethod
    def na_reason_missing(*, not_applicable: bool, na_justification: str) -> bool:
        """The one home of the rule "an answer of Not applicable says why": the answer form (to put the
        message on its field), the save service (for every write) and the admin (clean) ask here."""
        return bool(not_applicable) and not (na_justification or "").strip()

    def clean(self):
        if self.na_reason_missing(not_applicable=self.not_applicable, na_justification=self.na_justification):
            raise ValidationError({"na_justification": self.NA_REASON_MISSING})


class ComplianceStatus(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    IN_PROGRESS = "in_progress", "In progress"


class ComplianceAnswer(models.Model):
    """An organization's attestation of a legal requirement (commitments.ComplianceItem) for one assessment.

    Kept apart from the maturity answers: never scored, never benchmarked, never a maturity level."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="compliance_answers")
    item = models.ForeignKey(ComplianceItem, on_delete=models.PROTECT, related_name="answers")
    status = models.CharField(max_length=12, choices=ComplianceStatus.choices)
    note = models.TextField(blank=True, max_length=1000)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["item__order"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="compliance_answer_one_per_item")
        ]

    def __str__(self):
        return f"{self.assessment} {self.item.code}: {self.get_status_display()}"


class ResponseChange(models.Model):
    """The history of a response: one row per save, with the fields that changed."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField()
    old_values = models.JSONField(default=dict)
    new_values = models.JSONField(default=dict)

    class Meta:
        ordering = ["-changed_at", "-version"]
        # The latest change of each answer (the assessment overview) is one read of this index.
        indexes = [models.Index(fields=["response", "-changed_at", "-id"], name="change_latest_idx")]

    def __str__(self):
        return f"{self.response} v{self.version}"


# ---------------------------------------------------------------------------------------------------------
# Single sign-on (assessments.signin)


class SingleSignOn(models.Model):
    """An organization's OpenID Connect provider or SAML identity provider, and the e-mail domains whose
    people it signs in."""

    class Protocol(models.TextChoices):
        OIDC = "oidc", "OpenID Connect"
        SAML = "saml", "SAML 2.0"

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="single_sign_on")
    protocol = models.CharField(max_length=4, choices=Protocol.choices, default=Protocol.OIDC)
    issuer = models.URLField(
        max_length=300,
        blank=True,
        help_text="OpenID Connect: the provider's issuer URL; its /.well-known/openid-configuration is read "
        "from there.",
    )
    client_id = models.CharField("client ID", max_length=255, blank=True, help_text="OpenID Connect.")
    saml_metadata_url = models.URLField(
        "SAML metadata URL",
        max_length=500,
        blank=True,
        help_text="SAML: the identity provider's federation metadata address (read again every few hours, "
        "so that a new signing certificate is picked up).",
    )
    # SAML: the identity provider's metadata XML, pasted, or as last read from saml_metadata_url.
    saml_metadata = models.TextField(
        "SAML metadata XML",
        blank=True,
        help_text="SAML: the identity provider's metadata XML, if it has no metadata URL.",
    )
    # Fernet-encrypted (assessments.signin.crypto); or the secret stays in the server's environment.
    client_secret_encrypted = models.TextField(blank=True, editable=False)
    client_secret_env = models.CharField(
        "client secret from environment variable",
        max_length=100,
        blank=True,
        help_text="The name of a variable in the portal's environment that holds the secret.",
    )
    email_domains = models.CharField(
        "e-mail domains", max_length=1000, help_text="Comma-separated, such as alpha-health.org, alpha.org."
    )
    required = models.BooleanField(
        "require single sign-on", default=False, help_text="Members cannot sign in with a password."
    )
    is_active = models.BooleanField("on", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "single sign-on"

    def __str__(self):
        return f"Single sign-on of {self.organization}"

    @property
    def provider_id(self) -> str:
        # Stable whatever the organization is renamed to: allauth keeps it with each linked account.
        return f"org{self.pk}"

    @property
    def domains(self) -> list[str]:
        return [d.strip().lower() for d in self.email_domains.split(",") if d.strip()]


from assessments.evidence.models import EvidenceDocument, EvidenceLink  # noqa: E402, F401
from assessments.raters.models import *  # noqa: E402, F403  (rating rounds: issue 24)
from assessments.review.models import *  # noqa: E402, F403
from assessments.terms.models import DeletionRecord, TermsAcceptance, TermsVersion, Withdrawal  # noqa: E402, F401
