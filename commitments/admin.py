"""Admin for the rubric: drafts are editable; published and retired versions are shown read-only.

The model layer refuses any change to a locked version anyway; the admin must not even offer one, so
every permission hook below answers "no" for content of a locked version (the change form then renders
as a view-only page without a save button, and a forged POST gets 403).
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from .models import Commitment, ComplianceItem, Indicator, LevelDescriptor, Rubric
from .services import rubric_check_complete, rubric_publish, rubric_retire


def _is_locked(obj) -> bool:
    if obj is None:
        return False
    rubric = obj if isinstance(obj, Rubric) else obj.get_rubric()
    return rubric.is_locked


class LockedWhenPublishedMixin:
    """Read-only for objects of a published or retired rubric version."""

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not _is_locked(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _is_locked(obj)


class LockedInlineMixin(LockedWhenPublishedMixin):
    """An inline of a locked parent: no adding, changing or deleting rows."""

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not _is_locked(obj)


def _draft_rubrics():
    return Rubric.objects.filter(status=Rubric.Status.DRAFT)


def _admin_link(obj, label=None):
    url = reverse(f"admin:commitments_{obj._meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, label or str(obj))


# ------------------------------------------------------------------------------------------ inlines


class CommitmentInline(LockedInlineMixin, admin.TabularInline):
    model = Commitment
    fields = ["order", "slug", "name", "definition", "indicators_link"]
    readonly_fields = ["indicators_link"]
    extra = 0
    show_change_link = True

    @admin.display(description="Indicators")
    def indicators_link(self, obj):
        return _admin_link(obj, "Edit indicators") if obj.pk else "-"


class IndicatorInline(LockedInlineMixin, admin.StackedInline):
    model = Indicator
    fields = ["order", "code", "title", "guidance", "continues"]
    raw_id_fields = ["continues"]
    extra = 0
    show_change_link = True


class LevelDescriptorInline(LockedInlineMixin, admin.TabularInline):
    model = LevelDescriptor
    fields = ["level", "text"]
    extra = 0
    max_num = 5


# ------------------------------------------------------------------------------------------- models


@admin.register(Rubric)
class RubricAdmin(LockedWhenPublishedMixin, admin.ModelAdmin):
    list_display = ["version", "title", "status", "published_at", "previous", "commitment_count"]
    list_filter = ["status"]
    search_fields = ["version", "title"]
    fields = [
        "version",
        "title",
        "status",
        "published_at",
        "previous",
        "rating_rule",
        "content_statement",
        "created_at",
    ]
    readonly_fields = ["status", "published_at", "created_at"]
    inlines = [CommitmentInline]
    actions = ["publish_drafts", "retire_versions"]
    change_form_template = "commitments/admin/rubric_change_form.html"

    def get_urls(self):
        publish = self.admin_site.admin_view(self.publish_view)
        return [path("<int:pk>/publish/", publish, name="commitments_rubric_publish"), *super().get_urls()]

    def publish_view(self, request, pk):
        """Confirm, then publish one draft (the button on its change page)."""
        rubric = get_object_or_404(Rubric, pk=pk)
        if not self.has_change_permission(request, rubric):
            raise PermissionDenied
        problems = rubric_check_complete(rubric)
        if request.method == "POST" and not problems:
            rubric_publish(rubric=rubric)
            self.message_user(request, f"Rubric {rubric.version} is published.", messages.SUCCESS)
            return redirect("admin:commitments_rubric_change", rubric.pk)
        counts = {
            "commitments": rubric.commitments.count(),
            "indicators": Indicator.objects.of_rubric(rubric).count(),
            "descriptors": LevelDescriptor.objects.filter(indicator__commitment__rubric=rubric).count(),
        }
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Publish rubric {rubric.version}?",
            "rubric": rubric,
            "problems": problems,
            "counts": counts,
        }
        return TemplateResponse(request, "commitments/admin/rubric_publish.html", context)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("previous")
            .annotate(_commitments=Count("commitments"))
        )

    @admin.display(description="Commitments", ordering="_commitments")
    def commitment_count(self, obj):
        return obj._commitments

    def get_readonly_fields(self, request, obj=None):
        if _is_locked(obj):
            return self.fields
        return self.readonly_fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "previous":
            kwargs["queryset"] = Rubric.objects.readable()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.action(description="Publish the selected drafts (their content can never change afterwards)")
    def publish_drafts(self, request, queryset):
        for rubric in queryset.order_by("version"):
            if rubric.status != Rubric.Status.DRAFT:
                self.message_user(request, f"{rubric.version} is already {rubric.status}.", messages.WARNING)
                continue
            try:
                rubric_publish(rubric=rubric)
            except ValidationError as exc:
                self.message_user(
                    request, f"{rubric.version} was not published: {' '.join(exc.messages)}", messages.ERROR
                )
            else:
                self.message_user(request, f"Rubric {rubric.version} is published.", messages.SUCCESS)

    @admin.action(description="Retire the selected published versions")
    def retire_versions(self, request, queryset):
        for rubric in queryset.order_by("version"):
            try:
                rubric_retire(rubric=rubric)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.WARNING)
            else:
                self.message_user(request, f"Rubric {rubric.version} is retired.", messages.SUCCESS)

    def delete_queryset(self, request, queryset):
        # The delete action's confirmation already refuses locked versions; never let one through.
        super().delete_queryset(request, queryset.filter(status=Rubric.Status.DRAFT))


@admin.register(Commitment)
class CommitmentAdmin(LockedWhenPublishedMixin, admin.ModelAdmin):
    list_display = ["name", "rubric", "order", "slug"]
    list_filter = ["rubric"]
    list_select_related = ["rubric"]
    search_fields = ["name", "slug", "definition"]
    fields = [
        "rubric",
        "order",
        "slug",
        "name",
        "definition",
        "definition_source",
        "framework_name",
        "framework_definition",
        "framework_source",
    ]
    inlines = [IndicatorInline]

    def get_readonly_fields(self, request, obj=None):
        if _is_locked(obj):
            return self.fields
        return ["rubric"] if obj else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "rubric":
            kwargs["queryset"] = _draft_rubrics()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset.filter(rubric__status=Rubric.Status.DRAFT))


@admin.register(Indicator)
class IndicatorAdmin(LockedWhenPublishedMixin, admin.ModelAdmin):
    list_display = ["code", "title", "commitment", "rubric_version", "continues"]
    list_filter = ["commitment__rubric"]
    list_select_related = ["commitment__rubric", "continues"]
    search_fields = ["code", "title", "guidance"]
    fields = ["commitment", "order", "code", "title", "guidance", "continues", "applies_to"]
    raw_id_fields = ["continues"]
    inlines = [LevelDescriptorInline]

    @admin.display(description="Version", ordering="commitment__rubric__version")
    def rubric_version(self, obj):
        return obj.commitment.rubric.version

    def get_readonly_fields(self, request, obj=None):
        if _is_locked(obj):
            return self.fields
        return []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "commitment":
            kwargs["queryset"] = Commitment.objects.filter(rubric__status=Rubric.Status.DRAFT).select_related(
                "rubric"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset.filter(commitment__rubric__status=Rubric.Status.DRAFT))


@admin.register(LevelDescriptor)
class LevelDescriptorAdmin(LockedWhenPublishedMixin, admin.ModelAdmin):
    list_display = ["indicator", "level", "text"]
    list_filter = ["indicator__commitment__rubric", "level"]
    list_select_related = ["indicator"]
    search_fields = ["indicator__code", "text"]
    fields = ["indicator", "level", "text"]

    def get_readonly_fields(self, request, obj=None):
        if _is_locked(obj):
            return self.fields
        return []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "indicator":
            kwargs["queryset"] = Indicator.objects.filter(
                commitment__rubric__status=Rubric.Status.DRAFT
            ).select_related("commitment__rubric")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(
            request, queryset.filter(indicator__commitment__rubric__status=Rubric.Status.DRAFT)
        )


@admin.register(ComplianceItem)
class ComplianceItemAdmin(LockedWhenPublishedMixin, admin.ModelAdmin):
    list_display = ["code", "title", "rubric", "basis"]
    list_filter = ["rubric"]
    list_select_related = ["rubric"]
    search_fields = ["code", "title", "basis"]
    fields = ["rubric", "order", "code", "title", "basis", "guidance", "applies_to"]

    def get_readonly_fields(self, request, obj=None):
        if _is_locked(obj):
            return self.fields
        return ["rubric"] if obj else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "rubric":
            kwargs["queryset"] = _draft_rubrics()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset.filter(rubric__status=Rubric.Status.DRAFT))
