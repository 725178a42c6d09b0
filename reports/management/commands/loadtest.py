"""`manage.py loadtest` (`make loadtest`): the server's capacity, measured with an open model, to a floor.

An open model: requests arrive at a constant rate whatever the server does (tests/load/open_model.py), stepped
up until the 95th percentile passes 250 ms or a request fails. The capacity of a journey is the highest rate
that met both. Two journeys in the same run, against the same gunicorn: the mixed journey (assessors opening
and saving commitment pages and their overview, executives their dashboard, NAM staff the field dashboard)
and the floor (a signed-in page that renders only the base template: the least the stack does per request).
Their ratio says how much of what the machine can serve at best the product's pages get (target: >= 50%);
unlike requests per second it carries over to another machine. Also reported: gunicorn's CPU per request
(read from /proc for the master and its workers) and the load generator's own CPU, since both share the
machine's cores.

The database `<NAME>_loadtest` is seeded once and kept. Sessions are made beforehand with Django's test
client (force_login), so sign-in's deliberately slow Argon2 is not part of the load. Gunicorn runs with
production settings (DEBUG off) on 127.0.0.1, one worker per core with 4 threads each, so that a request
waiting on PostgreSQL does not leave its core idle.
"""

import json
import os
import resource
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, connection

ROOT = Path(settings.BASE_DIR)
GENERATOR = ROOT / "tests" / "load" / "open_model.py"
TARGET_P95_MS = 250
TARGET_RATIO = 0.5
JOURNEYS = ("floor", "mixed")


def second_factor_on_record(user) -> None:
    """NAM staff reach no page without a second factor enrolled (MFA_REQUIRED_FOR). The measured sessions are
    made with force_login, which skips the sign-in steps, so an authenticator on record is all they need; its
    secret is never asked for."""
    from allauth.mfa.models import Authenticator

    Authenticator.objects.get_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "not-used-by-measurements"}}
    )


def _cpu_seconds(before, after) -> float:
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _server_cpu(master: psutil.Process) -> float:
    """CPU seconds of gunicorn's master and its live workers (workers live as long as the run)."""
    total = 0.0
    for process in [master, *master.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


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
        "floor": reverse("assessments:floor"),
    }


def sessions() -> dict:
    """accounts() with a signed-in session cookie for each account (run with the server's SECRET_KEY)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    users = {u.username: u for u in get_user_model().objects.all()}

    def cookie(username: str) -> str:
        client = Client()
        client.force_login(users[username])
        name = settings.SESSION_COOKIE_NAME
        return f"{name}={client.cookies[name].value}"

    found = accounts()
    second_factor_on_record(users[found["nam"]])
    return {
        **found,
        "sessions": {
            "assessors": [{**a, "cookie": cookie(a["username"])} for a in found["assessors"]],
            "executives": [{**e, "cookie": cookie(e["username"])} for e in found["executives"]],
            "nam": {"username": found["nam"], "cookie": cookie(found["nam"])},
        },
    }


class Command(BaseCommand):
    help = "Measure capacity (open model, stepped rate) of the mixed journey against the floor page."

    def add_arguments(self, parser):
        parser.add_argument("--orgs", type=int, default=600, help="organizations in the load-test database")
        parser.add_argument(
            "--workers", type=int, default=os.cpu_count() or 2, help="gunicorn worker processes"
        )
        parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
        parser.add_argument("--port", type=int, default=8140)
        parser.add_argument("--duration", type=float, default=20, help="seconds measured per step")
        parser.add_argument("--warmup", type=float, default=3, help="seconds before each step's measurement")
        parser.add_argument("--start-rate", type=float, default=10, help="requests/s of the first step")
        parser.add_argument("--growth", type=float, default=1.4, help="each step's rate over the previous")
        parser.add_argument(
            "--refine", type=int, default=2, help="steps between the last rate met and the first missed"
        )
        parser.add_argument(
            "--journeys", default=",".join(JOURNEYS), help=f"comma-separated subset of {', '.join(JOURNEYS)}"
        )
        parser.add_argument("--json", dest="json_path", help="also write the results to this JSON file")
        parser.add_argument(
            "--rate",
            type=float,
            help="no search: one step at this arrival rate (requests/s) for --duration seconds (make soak)",
        )

    def handle(self, *args, orgs, workers, threads, port, json_path, journeys, rate, **options):
        wanted = [j.strip() for j in journeys.split(",") if j.strip()]
        if not wanted or set(wanted) - set(JOURNEYS):
            raise CommandError(f"--journeys takes {', '.join(JOURNEYS)}, not {journeys!r}")
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
        spec = self._sessions(env)
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
        results = {}
        try:
            self._wait_for(f"http://127.0.0.1:{port}/healthz")
            master = psutil.Process(server.pid)
            self.stdout.write(
                f"Capacity: open model against gunicorn on 127.0.0.1:{port} ({workers} workers x {threads} "
                f"threads, {os.cpu_count()} cores), {orgs} organizations; a step passes with p95 <= "
                f"{TARGET_P95_MS} ms and no error."
            )
            with tempfile.TemporaryDirectory() as tmp:
                if rate is not None:
                    # A fixed rate for a long run (make soak): one journey, one step, the same figures.
                    results = self._fixed(
                        {**spec, "host": f"127.0.0.1:{port}", "journey": wanted[-1]},
                        rate,
                        master,
                        Path(tmp),
                        **options,
                    )
                    wanted = []
                for journey in wanted:
                    results[journey] = self._search(
                        {**spec, "host": f"127.0.0.1:{port}", "journey": journey},
                        master,
                        Path(tmp),
                        **options,
                    )
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        if rate is None:
            self._report(results)
        if json_path:
            Path(json_path).write_text(json.dumps(results, indent=2) + "\n")
            self.stdout.write(f"Results written to {json_path}")

    def _search(
        self, spec: dict, master, tmp: Path, *, duration, warmup, start_rate, growth, refine, **_
    ) -> dict:
        """Step the rate up until a step misses, then try `refine` rates between the last met and missed."""
        self.stdout.write(f"\n{spec['journey']}:")
        self.stdout.write(
            f"  {'rate/s':>8}{'done/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'errors':>8}{'cpu ms/req':>11}"
            f"{'gen cpu %':>10}{'lag ms':>8}"
        )
        # Warm up first (not reported): each worker's first requests load the views and fill its caches.
        self._step(spec, start_rate / 2, duration, warmup, master, tmp, quiet=True)
        steps, rate = [], start_rate
        met = missed = None
        while missed is None:
            step = self._step(spec, rate, duration, warmup, master, tmp)
            steps.append(step)
            if step["ok"]:
                met, rate = step, rate * growth
            else:
                missed = step
            if met is None and missed is not None:
                break  # even the first rate was too much
        for _ in range(refine if met and missed else 0):
            step = self._step(spec, (met["rate"] + missed["rate"]) / 2, duration, warmup, master, tmp)
            steps.append(step)
            if step["ok"]:
                met = step
            else:
                missed = step
        return {"capacity": met["rate"] if met else 0, "at_capacity": met, "steps": steps}

    def _fixed(self, spec: dict, rate: float, master, tmp: Path, *, duration, warmup, **_) -> dict:
        """One step at a fixed arrival rate; its figures in lines that `manage.py soak` reads."""
        self.stdout.write(
            f"Load test: {spec['journey']} journey at {rate:.1f} requests/s for {duration:.0f} s"
        )
        self.stdout.flush()
        step = self._step(spec, rate, duration, warmup, master, tmp, quiet=True)
        self.stdout.write(f"Requests per second: {step['done_per_s']:.1f}")
        self.stdout.write(f"95th percentile: {step['p95_ms'] or 0:.0f} ms")
        self.stdout.write(f"Errors: {step['errors']}")
        self.stdout.write(f"Gunicorn CPU per request: {step['server_cpu_ms_per_request']:.1f} ms")
        return {spec["journey"]: step}

    def _step(
        self, spec: dict, rate: float, duration: float, warmup: float, master, tmp: Path, quiet=False
    ) -> dict:
        spec_file = tmp / "spec.json"
        spec_file.write_text(json.dumps({**spec, "rate": rate, "duration": duration, "warmup": warmup}))
        before_generator = resource.getrusage(resource.RUSAGE_CHILDREN)
        before_server = _server_cpu(master)
        started = time.monotonic()
        out = subprocess.run(
            [sys.executable, str(GENERATOR), str(spec_file)], cwd=ROOT, capture_output=True, text=True
        )
        wall = time.monotonic() - started
        server_cpu = _server_cpu(master) - before_server
        generator_cpu = _cpu_seconds(before_generator, resource.getrusage(resource.RUSAGE_CHILDREN))
        if out.returncode != 0:
            raise CommandError(f"The load generator failed:\n{out.stderr[-3000:]}")
        run = json.loads(out.stdout.strip().splitlines()[-1])
        samples = [ms for kind in run["samples"].values() for ms in kind]
        errors = sum(run["errors"].values())
        requests = max(len(samples), 1)
        step = {
            "rate": round(rate, 1),
            "requests": len(samples),
            "done_per_s": round(len(samples) / duration, 1),
            "p50_ms": round(statistics.median(samples), 1) if samples else None,
            "p95_ms": round(_percentile(samples, 0.95), 1) if samples else None,
            "errors": errors,
            "error_kinds": run["errors"],
            # gunicorn's CPU over the whole step (warm-up included) per request sent in it.
            "server_cpu_ms_per_request": round(
                1000 * server_cpu / (requests * (duration + warmup) / duration), 2
            ),
            "generator_cpu_percent": round(100 * generator_cpu / wall),
            "generator_lag_ms": round(run["lag_ms"], 1),
            "per_kind": {
                kind: {
                    "n": len(values),
                    "p50_ms": round(statistics.median(values), 1),
                    "p95_ms": round(_percentile(values, 0.95), 1),
                }
                for kind, values in run["samples"].items()
                if values
            },
        }
        step["ok"] = bool(samples) and not errors and step["p95_ms"] <= TARGET_P95_MS
        if quiet:
            return step
        self.stdout.write(
            f"  {step['rate']:>8.1f}{step['done_per_s']:>8.1f}"
            f"{step['p50_ms'] or 0:>8.0f}{step['p95_ms'] or 0:>8.0f}"
            f"{errors:>8}{step['server_cpu_ms_per_request']:>11.1f}{step['generator_cpu_percent']:>10}"
            f"{step['generator_lag_ms']:>8.0f}{'' if step['ok'] else '  missed'}"
            + (f" {run['errors']}" if errors else "")
        )
        return step

    def _report(self, results: dict) -> None:
        self.stdout.write("\nCapacity (highest rate with p95 <= 250 ms and no error):")
        for journey, result in results.items():
            best = result["at_capacity"]
            detail = (
                f"p95 {best['p95_ms']:.0f} ms, "
                f"gunicorn {best['server_cpu_ms_per_request']:.1f} ms CPU per request"
                if best
                else "no rate met the target"
            )
            self.stdout.write(f"  {journey:<8}{result['capacity']:>8.1f} requests/s  ({detail})")
            if best:
                for kind, row in best["per_kind"].items():
                    self.stdout.write(
                        f"      {kind:<22}{row['n']:>6}"
                        f"  p50 {row['p50_ms']:>6.0f}  p95 {row['p95_ms']:>6.0f} ms"
                    )
        if {"floor", "mixed"} <= set(results) and results["floor"]["capacity"]:
            ratio = results["mixed"]["capacity"] / results["floor"]["capacity"]
            results["ratio"] = round(ratio, 3)
            self.stdout.write(f"\nMixed / floor: {100 * ratio:.0f}% (target >= {100 * TARGET_RATIO:.0f}%)")
            if ratio < TARGET_RATIO:
                raise CommandError("The mixed journey's capacity is below half the floor's.")
            self.stdout.write(self.style.SUCCESS("Capacity met its target."))

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
            # Peer figures come from releases: one per cycle, as `make run` publishes them.
            ["publish_benchmarks", "--all-cycles", "--if-none"],
        ):
            subprocess.run(manage + command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        return url

    def _sessions(self, env: dict) -> dict:
        script = (
            "import json;"
            "from reports.management.commands.loadtest import sessions;"
            "print(json.dumps(sessions()))"
        )
        out = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {script}"],
            cwd=ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": "lhs_portal.settings"},
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
