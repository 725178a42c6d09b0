"""Terms, acceptances, withdrawals and deletion records in the admin: read-only (they are records; the
pages and commands are where they change)."""

from django.contrib import admin

from .models import DeletionRecord, TermsAcceptance, TermsVersion, Withdrawal


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TermsVersion)
class TermsVersionAdmin(ReadOnlyAdmin):
    list_display = ["version", "title", "effective_on", "loaded_at"]


@admin.register(TermsAcceptance)
class TermsAcceptanceAdmin(ReadOnlyAdmin):
    list_display = ["organization", "terms", "accepted_by_label", "accepted_at"]
    list_select_related = ["organization", "terms"]


@admin.register(Withdrawal)
class WithdrawalAdmin(ReadOnlyAdmin):
    list_display = ["organization_name", "requested_at", "confirmed_at", "data_deleted_at"]


@admin.register(DeletionRecord)
class DeletionRecordAdmin(ReadOnlyAdmin):
    list_display = ["ran_at", "reason", "organization_name"]
