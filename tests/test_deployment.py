"""No Docker engine runs here: read docker-compose.yml and the Dockerfile and check what README promises."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_four_services_and_a_one_shot_migration():
    services = compose()["services"]
    assert set(services) == {"web", "worker", "beat", "db", "redis", "migrate"}
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["command"][-1].startswith("python manage.py migrate --noinput && ")


def test_web_serves_gunicorn_on_port_8000_after_migrations():
    web = compose()["services"]["web"]
    assert web["ports"] == ["8000:8000"]
    assert web["command"][:2] == ["gunicorn", "lhs_portal.wsgi:application"]
    assert "0.0.0.0:8000" in web["command"]
    assert web["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert web["healthcheck"]["test"] == ["CMD", "curl", "-fsS", "http://127.0.0.1:8000/healthz"]


def test_worker_runs_celery_against_redis_and_one_beat_sends_the_sweep():
    services = compose()["services"]
    worker, beat = services["worker"], services["beat"]
    assert worker["command"] == ["celery", "-A", "lhs_portal", "worker", "--loglevel=INFO", "--concurrency=2"]
    assert worker["environment"]["CELERY_BROKER_URL"] == "redis://redis:6379/0"
    assert worker["environment"]["CHROMIUM_PATH"] == "/usr/bin/chromium"
    assert beat["command"][:4] == ["celery", "-A", "lhs_portal", "beat"]
    assert beat["environment"]["CELERY_BROKER_URL"] == "redis://redis:6379/0"


def test_workers_scale_without_a_change():
    """`docker compose up --scale worker=N` refuses a service with a fixed container name or host port, and N
    beats would send the sweep N times: the worker service has none of these."""
    worker = compose()["services"]["worker"]
    assert not {"container_name", "ports", "hostname"} & set(worker)
    assert "--beat" not in worker["command"] and "-B" not in worker["command"]
    assert not any(arg.startswith(("-n", "--hostname")) for arg in worker["command"])
    # Every worker writes the PDFs where web reads them, and reads the evidence files web stored (archives).
    assert worker["volumes"] == ["media:/app/var/media", "evidence:/app/var/evidence"]
    assert "--destination celery@$$HOSTNAME" in worker["healthcheck"]["test"][1]


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
    for name in ("web", "worker", "beat", "migrate"):
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
