from django.urls import path

from . import views

app_name = "signin"

urlpatterns = [
    path("accounts/sso/", views.sso_start, name="sso_start"),
    path("nam/second-factors/", views.nam_mfa_reset, name="nam_mfa_reset"),
    path("nam/single-sign-on/", views.nam_sso_list, name="nam_sso_list"),
    path("nam/single-sign-on/<slug:slug>/", views.nam_sso_edit, name="nam_sso_edit"),
]
