"""Admin of the review per indicator, carried-over answers and attestations (read-mostly: the pages write)."""

from django.contrib import admin

from .models import Attestation, CarriedAnswer, ReviewMessage, ReviewThread


class ReviewMessageInline(admin.TabularInline):
    model = ReviewMessage
    extra = 0
    readonly_fields = ["author", "from_nam", "body", "created_at"]


@admin.register(ReviewThread)
class ReviewThreadAdmin(admin.ModelAdmin):
    list_display = ["assessment", "indicator", "kind", "blocking", "status", "awaiting_reply", "created_at"]
    list_filter = ["status", "kind", "blocking"]
    raw_id_fields = ["assessment", "indicator", "created_by", "resolved_by"]
    inlines = [ReviewMessageInline]


@admin.register(ReviewMessage)
class ReviewMessageAdmin(admin.ModelAdmin):
    list_display = ["thread", "author", "from_nam", "created_at"]
    raw_id_fields = ["thread", "author"]


@admin.register(CarriedAnswer)
class CarriedAnswerAdmin(admin.ModelAdmin):
    list_display = ["response", "from_cycle", "confirmed_at", "outcome"]
    raw_id_fields = ["response", "confirmed_by"]


@admin.register(Attestation)
class AttestationAdmin(admin.ModelAdmin):
    list_display = ["assessment", "status", "executive_name", "decided_at", "answers_sha256"]
    list_filter = ["status"]
    raw_id_fields = ["assessment", "requested_by", "executive"]
    # The record of what an executive saw is evidence: never edited by hand.
    readonly_fields = ["answers_sha256", "seen", "executive", "executive_name", "decided_at"]
