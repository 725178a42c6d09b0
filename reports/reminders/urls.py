"""URLs of the reminders, included by reports/urls.py (names in the reports namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path("account/reminders/", views.reminder_settings, name="reminder_settings"),
    path("reminders/unsubscribe/<str:token>/", views.reminder_unsubscribe, name="reminder_unsubscribe"),
]
