from django.urls import path

from . import views

app_name = "archive"

urlpatterns = [
    path("orgs/<slug:slug>/data/", views.organization_archives, name="organization"),
    path("orgs/<slug:slug>/data/archive/", views.archive_request, name="request"),
    path("orgs/<slug:slug>/data/archive/<int:pk>/download/", views.archive_download, name="download"),
]
