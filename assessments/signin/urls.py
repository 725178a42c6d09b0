from django.urls import path

from . import views

app_name = "signin"

urlpatterns = [
    path("nam/second-factors/", views.nam_mfa_reset, name="nam_mfa_reset"),
]
