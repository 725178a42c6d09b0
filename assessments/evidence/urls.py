"""Evidence file URLs, added to the assessments namespace by assessments/urls.py."""

from django.urls import path

from . import views

_ASSESSMENT = "orgs/<slug:slug>/assessments/<slug:cycle_slug>/evidence/"

urlpatterns = [
    path(f"{_ASSESSMENT}upload/", views.upload, name="evidence_upload"),
    path(f"{_ASSESSMENT}attach/", views.attach, name="evidence_attach"),
    path(f"{_ASSESSMENT}<int:pk>/remove/", views.remove, name="evidence_remove"),
    path("orgs/<slug:slug>/evidence/<int:pk>/", views.download, name="evidence_download"),
    path("nam/assessments/<int:pk>/evidence.zip", views.nam_zip, name="evidence_zip"),
]
