"""Django admin for scorecards: see their state, and queue a failed or stuck one again."""

from django.contrib import admin, messages

from .archive import admin as archive_admin  # noqa: F401 (registers the data archive model)
from .models import Scorecard, ScorecardBatch
from .plans import admin as plans_admin  # noqa: F401 (registers the plan models)
from .services import scorecards as service


@admin.register(Scorecard)
class ScorecardAdmin(admin.ModelAdmin):
    list_display = ["assessment", "peer_group", "status", "attempts", "created_at", "finished_at"]
    list_filter = ["status", "peer_group", "assessment__cycle"]
    search_fields = ["assessment__organization__name", "inputs_hash"]
    list_select_related = ["assessment__organization", "assessment__cycle"]
    readonly_fields = [
        "assessment",
        "peer_group",
        "release",
        "status",
        "attempts",
        "inputs_hash",
        "file",
        "error_message",
        "requested_by",
        "batches",
        "created_at",
        "updated_at",
        "queued_at",
        "started_at",
        "finished_at",
    ]
    actions = ["try_again"]

    def has_add_permission(self, request):
        return False  # scorecards are requested in the portal, where the inputs hash is computed

    @admin.action(description="Try the selected failed scorecards again")
    def try_again(self, request, queryset):
        failed = list(queryset.filter(status=Scorecard.Status.FAILED))
        for scorecard in failed:
            service.scorecard_retry(scorecard=scorecard, user=request.user)
        self.message_user(request, f"{len(failed)} scorecard(s) queued again.", messages.SUCCESS)


@admin.register(ScorecardBatch)
class ScorecardBatchAdmin(admin.ModelAdmin):
    list_display = ["cycle", "peer_group", "requested_by", "created_at"]
    list_filter = ["cycle", "peer_group"]
    list_select_related = ["cycle", "requested_by"]
    readonly_fields = ["cycle", "peer_group", "requested_by", "created_at"]

    def has_add_permission(self, request):
        return False  # batches are created in the portal (NAM staff > Scorecards)
