from django.contrib import admin

from .models import DataArchive


@admin.register(DataArchive)
class DataArchiveAdmin(admin.ModelAdmin):
    list_display = ["organization", "status", "created_at", "expires_at"]
    list_select_related = ["organization"]
    readonly_fields = [f.name for f in DataArchive._meta.fields]

    def has_add_permission(self, request):
        return False
