"""Infrastructure endpoints that belong to no app."""

import os

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .celery import app as celery_app


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _broker_status() -> str:
    if settings.CELERY_BROKER_EMBEDDED:  # a folder under var/: it answers when it can be written to
        folder = settings.CELERY_EMBEDDED_BROKER_DIR / "queue"
        return "ok" if os.access(folder, os.W_OK | os.X_OK) else "unreachable"
    try:
        with celery_app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception:
        return "unreachable"


@never_cache
@require_GET
def healthz(request):
    """For load balancers and the compose healthcheck: 200 when the database and broker answer."""
    database = "ok" if _database_ok() else "unreachable"
    broker = _broker_status()
    healthy = database == "ok" and broker == "ok"
    return JsonResponse(
        {"status": "ok" if healthy else "unhealthy", "database": database, "broker": broker},
        status=200 if healthy else 503,
    )
