"""Evidence files in the admin, read only: bytes and links change through the services (checks, history)."""

from django.contrib import admin

from .models import EvidenceDocument, EvidenceLink


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EvidenceDocument)
class EvidenceDocumentAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "assessment", "kind", "size", "uploaded_by", "uploaded_at", "deleted_at"]
    list_select_related = ["assessment__organization", "assessment__cycle", "uploaded_by"]
    search_fields = ["original_name", "assessment__organization__name"]


@admin.register(EvidenceLink)
class EvidenceLinkAdmin(ReadOnlyAdmin):
    list_display = ["document", "indicator", "assessment", "carried_from", "added_at", "removed_at"]
    list_select_related = [
        "document",
        "indicator",
        "assessment__organization",
        "assessment__cycle",
        "carried_from",
    ]
