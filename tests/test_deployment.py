"""No Docker engine runs here: read docker-compose.yml and the Dockerfile and check what README promises."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_four_services_and_a_one_shot_migration():
    services = compose()["services"]
    assert set(services) == {"web", "worker", "db", "redis", "migrate"}
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["command"][-1].startswith("python manage.py migrate --noinput && ")


def test_web_serves_gunicorn_on_port_8000_after_migrations():
    web = compose()["services"]["web"]
    assert web["ports"] == ["8000:8000"]
    assert web["command"][:2] == ["gunicorn", "lhs_portal.wsgi:application"]
    assert "0.0.0.0:8000" in web["command"]
    assert web["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert web["healthcheck"]["test"] == ["CMD", "curl", "-fsS", "http://127.0.0.1:8000/healthz"]


def test_worker_runs_celery_with_beat_against_redis():
    worker = compose()["services"]["worker"]
    assert worker["command"][:4] == ["celery", "-A", "lhs_portal", "worker"]
    assert "--beat" in worker["command"]
    assert worker["environment"]["CELERY_BROKER_URL"] == "redis://redis:6379/0"
    assert worker["environment"]["CHROMIUM_PATH"] == "/usr/bin/chromium"


def test_database_and_broker_are_durable_and_checked():
    data = compose()
    db, redis = data["services"]["db"], data["services"]["redis"]
    assert db["image"] == "postgres:16"
    assert db["volumes"] == ["pgdata:/var/lib/postgresql/data"]
    assert "pgdata" in data["volumes"]
    assert redis["image"] == "redis:7"
    assert redis["command"][1:3] == ["--maxmemory-policy", "noeviction"]
    for name in ("db", "redis", "web", "worker"):
        assert data["services"][name]["healthcheck"]["test"], name


def test_app_services_share_settings_from_the_environment():
    services = compose()["services"]
    for name in ("web", "worker", "migrate"):
        env = services[name]["environment"]
        assert env["DJANGO_DEBUG"] == "0"
        assert env["DATABASE_URL"] == "postgres://lhs:${POSTGRES_PASSWORD:-lhs}@db:5432/lhs"
        assert env["DJANGO_SECRET_KEY"].startswith("${DJANGO_SECRET_KEY:?")
        assert services[name]["env_file"] == [{"path": ".env", "required": False}]


def test_dockerfile_installs_chromium_and_collects_static_files():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.11-slim-bookworm" in dockerfile
    assert "chromium" in dockerfile
    assert "collectstatic --noinput" in dockerfile
    assert "USER portal" in dockerfile


def test_readme_describes_what_compose_does():
    readme = (ROOT / "README.md").read_text()
    assert "docker compose up" in readme
    assert "http://localhost:8000" in readme
    for service in ("web", "worker", "db", "redis"):
        assert f"`{service}`" in readme
