"""Django admin for improvement plans (imported by reports/admin.py, which Django's admin discovers)."""

from django.contrib import admin

from .models import ActionNote, CommitmentTarget, ImprovementAction


@admin.register(CommitmentTarget)
class CommitmentTargetAdmin(admin.ModelAdmin):
    list_display = ["organization", "cycle", "commitment", "target_level"]
    list_select_related = ["organization", "cycle", "commitment"]
    raw_id_fields = ["organization", "cycle", "commitment", "updated_by"]


class ActionNoteInline(admin.TabularInline):
    model = ActionNote
    extra = 0
    raw_id_fields = ["author"]


@admin.register(ImprovementAction)
class ImprovementActionAdmin(admin.ModelAdmin):
    list_display = ["title", "organization", "cycle", "commitment", "status", "due_date"]
    list_filter = ["status"]
    search_fields = ["title", "organization__name"]
    list_select_related = ["organization", "cycle", "commitment"]
    raw_id_fields = ["organization", "cycle", "commitment", "owner"]
    filter_horizontal = ["indicators"]
    inlines = [ActionNoteInline]


@admin.register(ActionNote)
class ActionNoteAdmin(admin.ModelAdmin):
    list_display = ["action", "noted_on", "author"]
    list_select_related = ["action", "author"]
    raw_id_fields = ["action", "author"]
