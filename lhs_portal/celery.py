"""The Celery app. Its settings live in settings.py under the CELERY_ prefix."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lhs_portal.settings")

app = Celery("lhs_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
