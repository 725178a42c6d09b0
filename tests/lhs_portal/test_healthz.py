import pytest

pytestmark = pytest.mark.django_db


def test_healthz_with_the_embedded_broker(client, settings, tmp_path):
    settings.CELERY_BROKER_EMBEDDED, settings.CELERY_EMBEDDED_BROKER_DIR = True, tmp_path
    (tmp_path / "queue").mkdir()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_is_503_when_the_embedded_broker_folder_is_gone(client, settings, tmp_path):
    settings.CELERY_BROKER_EMBEDDED, settings.CELERY_EMBEDDED_BROKER_DIR = True, tmp_path / "gone"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unhealthy", "database": "ok", "broker": "unreachable"}


def test_healthz_with_the_real_redis_broker(client, settings):
    settings.CELERY_BROKER_EMBEDDED, settings.CELERY_BROKER_URL = False, "redis://127.0.0.1:6379/7"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_is_503_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_BROKER_EMBEDDED, settings.CELERY_BROKER_URL = (
        False,
        "redis://127.0.0.1:1/0",
    )  # port 1: none
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unhealthy", "database": "ok", "broker": "unreachable"}
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


def test_healthz_answers_get_only(client):
    assert client.post("/healthz").status_code == 405
