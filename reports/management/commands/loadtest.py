"""`manage.py loadtest` (`make loadtest`): 50 concurrent users against gunicorn and PostgreSQL for 2 minutes.

It seeds a dedicated database (`<NAME>_loadtest`, kept between runs so that a second run starts at once),
starts gunicorn on 127.0.0.1 with production settings (DEBUG off, collected static files), runs Locust
headless from tests/load/locustfile.py, stops everything and prints requests per second, the 95th percentile,
the error count and the CPU Locust and gunicorn used, then checks them against the targets.

Users are spawned 5 a second (each sign-in costs ~0.25-0.5 s of Argon2 CPU by design) and the figures are
those of the steady state: Locust's --reset-stats starts counting once all users are running, so the ramp-up's
sign-ins (one per user) weigh on the run but are not in the table.
Gunicorn: one worker process per core (the GIL keeps a process to one core) with 4 threads each, so that a
request waiting on PostgreSQL does not leave its core idle; on the 2-core machine this gave 32 requests/s
against 27 with 3 workers x 2 threads (same load, README).
Sessions stay in the database (one indexed read per request, a write at most once a minute): `cached_db` with
a per-process cache would let a worker serve a session another worker has ended, and signed-cookie sessions
cannot be ended server-side at all (sign-out, idle timeout, lockout).
"""

import csv
import json
import os
import resource
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, connection

ROOT = Path(settings.BASE_DIR)
TARGET_RPS = 150
TARGET_P95_MS = 250


def _cpu_seconds(before, after) -> float:
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def accounts() -> dict:
    """The demo accounts the simulated users sign in as (run against the load-test database)."""
    from django.urls import reverse

    from assessments.models import Assessment, AssessmentCycle, Membership, Role
    from assessments.services.demo import DEMO_PASSWORD

    latest = AssessmentCycle.objects.order_by("-opens_on").first()
    slugs = list(latest.rubric.commitments.order_by("order").values_list("slug", flat=True))
    editable = Assessment.objects.filter(cycle=latest, status__in=["draft", "returned"]).values(
        "organization_id"
    )
    assessors = (
        Membership.objects.filter(role=Role.ASSESSOR, organization_id__in=editable)
        .select_related("user", "organization")
        .order_by("organization__name")[:60]
    )
    submitted = Assessment.objects.submitted().values("organization_id")
    executives = (
        Membership.objects.filter(role=Role.EXECUTIVE, organization_id__in=submitted)
        .select_related("user", "organization")
        .order_by("organization__name")[:60]
    )
    nam_dashboard = reverse("reports:nam_dashboard")
    return {
        "password": DEMO_PASSWORD,
        "assessors": [
            {
                "username": m.user.username,
                "assessment": reverse("assessments:overview", args=[m.organization.slug, latest.slug]),
                "commitments": slugs,
            }
            for m in assessors
        ],
        "executives": [
            {
                "username": m.user.username,
                "dashboard": reverse("reports:org_dashboard", args=[m.organization.slug]),
            }
            for m in executives
        ],
        "nam": "nam.staff",
        "nam_pages": [nam_dashboard, f"{nam_dashboard}?org_type=hospital", f"{nam_dashboard}?region=south"],
    }


class Command(BaseCommand):
    help = "Run the Locust load test (50 users, 2 minutes) against gunicorn and PostgreSQL."

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=50)
        parser.add_argument("--spawn-rate", type=int, default=5)
        parser.add_argument("--duration", default="2m")
        parser.add_argument("--orgs", type=int, default=600, help="organizations in the load-test database")
        parser.add_argument(
            "--workers", type=int, default=os.cpu_count() or 2, help="gunicorn worker processes"
        )
        parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument(
            "--floor",
            action="store_true",
            help="every user opens one small signed-in page instead of the mix: the best case",
        )

    def handle(self, *args, users, spawn_rate, duration, orgs, workers, threads, port, floor, **options):
        if connection.vendor != "postgresql":
            raise CommandError("make loadtest needs PostgreSQL: set DATABASE_URL=postgres://...")
        try:
            connection.ensure_connection()
        except OperationalError as error:
            raise CommandError(
                f"Cannot reach the database of DATABASE_URL ({error}). It must exist: the load test creates "
                f"its own database beside it (createdb -h HOST -U USER NAME)."
            ) from None
        database_url = self._prepare_database(orgs)
        # Production settings (DEBUG off: no SQL logging, compressed static files), except that the
        # server listens on plain HTTP on the loopback: no HTTPS redirect, cookies without the Secure flag.
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_SSL_REDIRECT": "0",
            "DJANGO_SECURE_COOKIES": "0",
            "DJANGO_HSTS_SECONDS": "0",
            "CELERY_BROKER_URL": "",
            "LOG_LEVEL": "WARNING",
            "DB_CONN_MAX_AGE": "600",
        }
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        accounts = self._accounts(database_url)
        with tempfile.TemporaryDirectory() as tmp:
            accounts_file = Path(tmp) / "accounts.json"
            accounts_file.write_text(json.dumps(accounts))
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "lhs_portal.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(workers),
                    "--threads",
                    str(threads),
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
            )
            try:
                self._wait_for(f"http://127.0.0.1:{port}/healthz")
                self.stdout.write(
                    f"Load test: {users} users for {duration} against gunicorn on 127.0.0.1:{port} "
                    f"({workers} workers x {threads} threads)"
                )
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                started = time.monotonic()
                subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "locust",
                        "-f",
                        str(ROOT / "tests" / "load" / "locustfile.py"),
                        "--headless",
                        "--users",
                        str(users),
                        "--spawn-rate",
                        str(spawn_rate),
                        "--run-time",
                        duration,
                        "--host",
                        f"http://127.0.0.1:{port}",
                        "--csv",
                        str(Path(tmp) / "stats"),
                        "--only-summary",
                        "--reset-stats",
                        "--stop-timeout",
                        "5",
                        "--loglevel",
                        "WARNING",
                    ],
                    cwd=ROOT,
                    env={
                        **env,
                        "LHS_LOADTEST_ACCOUNTS": str(accounts_file),
                        "LHS_LOADTEST_FLOOR": "1" if floor else "",
                    },
                    check=False,
                )
                locust_cpu = _cpu_seconds(before, resource.getrusage(resource.RUSAGE_CHILDREN))
                wall = time.monotonic() - started
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
            finally:
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=30)
            # Everything runs on this machine: say how much of it the load generator itself took.
            server_cpu = _cpu_seconds(before, resource.getrusage(resource.RUSAGE_CHILDREN))
            cores = os.cpu_count() or 1
            self.stdout.write(
                f"CPU over {wall:.0f} s on {cores} cores: Locust {locust_cpu:.0f} s "
                f"({100 * locust_cpu / wall:.0f}% of one core), gunicorn {server_cpu:.0f} s "
                f"({100 * server_cpu / wall:.0f}% of one core); PostgreSQL not counted."
            )
            self._report(Path(tmp) / "stats_stats.csv")

    def _prepare_database(self, orgs: int) -> str:
        params = connection.get_connection_params()
        name = f"{connection.settings_dict['NAME']}_loadtest"
        auth = params.get("user", "postgres") + (f":{params['password']}" if params.get("password") else "")
        url = f"postgres://{auth}@{params.get('host', '127.0.0.1')}:{params.get('port', 5432)}/{name}"
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            exists = cursor.fetchone() is not None
        if not exists:
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')
        env = {**os.environ, "DATABASE_URL": url, "CELERY_BROKER_URL": ""}
        manage = [sys.executable, str(ROOT / "manage.py")]
        for command in (
            ["migrate", "--noinput", "-v", "0"],
            ["load_rubric", "fixtures/rubric/2026.1.yaml", "--publish"],
            ["seed_demo", "--orgs", str(orgs), "--cycles", "3", "--seed", "1", "--if-empty"],
        ):
            subprocess.run(manage + command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        return url

    def _accounts(self, database_url: str) -> dict:
        script = (
            "import json;"
            "from reports.management.commands.loadtest import accounts;"
            "print(json.dumps(accounts()))"
        )
        out = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {script}"],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "lhs_portal.settings"},
            check=True,
            capture_output=True,
            text=True,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])

    def _wait_for(self, url: str) -> None:
        for _ in range(150):
            try:
                with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (our own loopback server)
                    return
            except OSError:
                time.sleep(0.2)
        raise CommandError(f"gunicorn did not answer on {url}")

    def _report(self, stats_csv: Path) -> None:
        if not stats_csv.exists():
            raise CommandError("Locust wrote no statistics: see its output above.")
        with stats_csv.open() as f:
            rows = list(csv.DictReader(f))
        total = next(r for r in rows if r["Name"] == "Aggregated")
        rps = float(total["Requests/s"])
        p95 = float(total["95%"])
        errors = int(total["Failure Count"])
        self.stdout.write("\nPer request type:")
        self.stdout.write(f"  {'request':<24}{'count':>8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}")
        for r in rows:
            self.stdout.write(
                f"  {r['Name']:<24}{r['Request Count']:>8}{float(r['Requests/s']):>9.1f}"
                f"{r['50%']:>9}{r['95%']:>9}{r['Failure Count']:>8}"
            )
        self.stdout.write(f"\nRequests per second: {rps:.1f} (target >= {TARGET_RPS})")
        self.stdout.write(f"95th percentile:     {p95:.0f} ms (target <= {TARGET_P95_MS})")
        self.stdout.write(f"Errors:              {errors} (target 0)")
        missed = []
        if rps < TARGET_RPS:
            missed.append("requests per second")
        if p95 > TARGET_P95_MS:
            missed.append("95th percentile")
        if errors:
            missed.append("errors")
        if missed:
            raise CommandError(f"Load test missed its targets: {', '.join(missed)}")
        self.stdout.write(self.style.SUCCESS("Load test met its targets."))
