"""URLs of the review per indicator and the attestation, added to the assessments namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("nam/assessments/<int:pk>/threads/", views.thread_create, name="thread_create"),
    path("nam/threads/<int:pk>/resolve/", views.thread_resolve, name="thread_resolve"),
    path(
        "orgs/<slug:slug>/assessments/<slug:cycle_slug>/threads/<int:pk>/reply/",
        views.thread_reply,
        name="thread_reply",
    ),
    path(
        "orgs/<slug:slug>/assessments/<slug:cycle_slug>/carried-over/confirm/",
        views.carried_confirm,
        name="carried_confirm",
    ),
    path("orgs/<slug:slug>/assessments/<slug:cycle_slug>/attest/", views.attest, name="attest"),
]
