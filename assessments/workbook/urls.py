"""URLs of the assessment workbook, included by assessments/urls.py (names in the assessments namespace)."""

from django.urls import path

from . import views

PREFIX = "orgs/<slug:slug>/assessments/<slug:cycle_slug>/workbook"

urlpatterns = [
    path(f"{PREFIX}.xlsx", views.workbook_download, name="workbook_download"),
    path(f"{PREFIX}/upload/", views.workbook_upload, name="workbook_upload"),
    path(f"{PREFIX}/preview/", views.workbook_preview, name="workbook_preview"),
]
