"""Django admin for the assessments app: a back office for NAM staff. The audit log is read-only here too."""

from django.contrib import admin

from . import models


class MembershipInline(admin.TabularInline):
    model = models.Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(models.Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "org_type", "size_band", "state", "region", "is_teaching", "is_active"]
    list_filter = ["org_type", "size_band", "region", "is_teaching", "is_active"]
    search_fields = ["name", "slug"]
    readonly_fields = ["region", "created_at"]
    inlines = [MembershipInline]


@admin.register(models.Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email", "organization__name"]
    list_select_related = ["user", "organization"]
    autocomplete_fields = ["user", "organization"]


@admin.register(models.Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organization", "role", "sent_at", "accepted_at", "revoked_at"]
    list_filter = ["role"]
    search_fields = ["email", "organization__name"]
    list_select_related = ["organization"]
    # Invitations are made in the portal (which e-mails the signed link); here they are only looked at.
    readonly_fields = [
        "organization",
        "email",
        "role",
        "invited_by",
        "created_at",
        "sent_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    ]
    exclude = ["nonce"]

    def has_add_permission(self, request):
        return False


@admin.register(models.AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Append-only: visible, never added, changed or deleted, not even by a superuser."""

    list_display = ["created_at", "kind", "actor_label", "organization", "ip_address", "detail"]
    list_filter = ["kind"]
    search_fields = ["actor_label", "detail"]
    date_hierarchy = "created_at"
    list_select_related = ["organization"]
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.AssessmentCycle)
class AssessmentCycleAdmin(admin.ModelAdmin):
    list_display = ["name", "rubric", "opens_on", "closes_on", "status"]
    list_filter = ["status"]
    prepopulated_fields = {"slug": ["name"]}


class ResponseInline(admin.TabularInline):
    model = models.Response
    extra = 0
    fields = ["indicator", "level", "not_applicable", "updated_by", "updated_at"]
    readonly_fields = ["indicator", "updated_by", "updated_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["organization", "cycle", "status", "submitted_at", "reviewed_at"]
    list_filter = ["status", "cycle"]
    search_fields = ["organization__name"]
    list_select_related = ["organization", "cycle"]
    raw_id_fields = ["organization", "cycle", "submitted_by", "reviewed_by"]
    inlines = [ResponseInline]


@admin.register(models.Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["assessment", "indicator", "level", "not_applicable", "updated_at"]
    list_filter = ["level", "not_applicable"]
    search_fields = ["assessment__organization__name", "indicator__code"]
    list_select_related = ["assessment__organization", "assessment__cycle", "indicator"]
    raw_id_fields = ["assessment", "indicator", "updated_by"]


@admin.register(models.ComplianceAnswer)
class ComplianceAnswerAdmin(admin.ModelAdmin):
    list_display = ["assessment", "item", "status", "updated_at"]
    list_filter = ["status"]
    list_select_related = ["assessment__organization", "assessment__cycle", "item"]
    raw_id_fields = ["assessment", "item", "updated_by"]


@admin.register(models.ResponseChange)
class ResponseChangeAdmin(admin.ModelAdmin):
    list_display = ["response", "version", "changed_by", "changed_at"]
    list_select_related = [
        "response__assessment__organization",
        "response__assessment__cycle",
        "response__indicator",
    ]
    raw_id_fields = ["response", "changed_by"]


@admin.register(models.SingleSignOn)
class SingleSignOnAdmin(admin.ModelAdmin):
    # Read here; changed on the portal's page (/nam/single-sign-on/), which encrypts the secret and audits.
    list_display = ["organization", "issuer", "email_domains", "required", "is_active"]
    list_select_related = ["organization"]
    readonly_fields = [
        "organization",
        "issuer",
        "client_id",
        "client_secret_env",
        "email_domains",
        "required",
    ]
    exclude = ["client_secret_encrypted"]

    def has_add_permission(self, request):
        return False


from .evidence import admin as evidence_admin  # noqa: E402, F401  (evidence files, read only)
from .raters import admin as raters_admin  # noqa: E402, F401  (rating rounds, read only)
from .review import admin as review_admin  # noqa: E402, F401  (registers the review's models)
from .terms import admin as terms_admin  # noqa: E402, F401 (registers the participation terms models)
