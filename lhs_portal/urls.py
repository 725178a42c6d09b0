from django.contrib import admin
from django.urls import include, path

from assessments.views.core import home

from . import views

urlpatterns = [
    path("", home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("commitments/", include("commitments.urls")),
    path("", include("reports.urls")),
    path("", include("assessments.urls")),
]
