"""`manage.py bench_workers` (`make bench-workers`): scorecard batch throughput with 1 and 2 worker processes.

It seeds a dedicated database (`<NAME>_workers`, kept between runs), then, for each number of workers, starts
that many separate `celery worker` processes (one pool process each, as on separate machines) on the Redis of
CELERY_BROKER_URL, waits until each has its Chromium running, starts a NAM batch of the latest cycle through
the service, and times it from the request to the last scorecard ready. Every run starts from no scorecard
at all, so each renders the whole batch. It prints scorecards per minute for each and the ratio to one worker.
Each run is a process of its own with its own queue (CELERY_QUEUE): live workers on the same Redis neither
take its tasks nor lose theirs to it.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, connection

ROOT = Path(settings.BASE_DIR)


class Command(BaseCommand):
    help = "Time a scorecard batch with 1 and 2 separate Celery worker processes (PostgreSQL and Redis)."

    def add_arguments(self, parser):
        parser.add_argument("--orgs", type=int, default=60, help="organizations in the bench database")
        parser.add_argument("--workers", default="1,2", help="worker process counts to compare")
        parser.add_argument("--json", dest="json_path", help="also write the figures to this file")
        parser.add_argument("--run", type=int, help=argparse.SUPPRESS)  # one run, in the bench database

    def handle(self, *args, orgs, workers, json_path, run, **options):
        if run is not None:
            self.stdout.write(json.dumps(self._run(run, os.environ["DATABASE_URL"])))
            return
        if connection.vendor != "postgresql":
            raise CommandError("bench_workers needs PostgreSQL: set DATABASE_URL=postgres://...")
        if settings.CELERY_BROKER_EMBEDDED:
            raise CommandError(
                "bench_workers runs several worker processes on one broker: set "
                "CELERY_BROKER_URL=redis://... (the embedded broker serves one worker)."
            )
        try:
            counts = [int(n) for n in workers.split(",")]
        except ValueError:
            raise CommandError(f"--workers takes numbers separated by commas, not {workers!r}") from None
        try:
            connection.ensure_connection()
        except OperationalError as error:
            raise CommandError(f"Cannot reach the database of DATABASE_URL ({error}).") from None
        url = self._prepare_database(orgs)

        results = []
        for count in counts:
            env = {**os.environ, "DATABASE_URL": url, "CELERY_QUEUE": f"lhs-bench-workers-{os.getpid()}"}
            child = subprocess.run(
                [sys.executable, str(ROOT / "manage.py"), "bench_workers", "--run", str(count)],
                cwd=ROOT, env=env, capture_output=True, text=True, check=False,
            )  # fmt: skip
            if child.returncode != 0:
                raise CommandError(f"The run with {count} worker(s) failed:\n{child.stderr[-3000:]}")
            result = json.loads(child.stdout.strip().splitlines()[-1])
            results.append(result)
            self.stdout.write(
                f"{count} worker process(es): {result['ready']} scorecards ready, {result['failed']} failed, "
                f"in {result['seconds']:.1f} s = {result['per_minute']:.1f} per minute"
            )
        base = results[0]["per_minute"]
        self.stdout.write("\nworkers  scorecards  seconds  per minute  ratio")
        for result in results:
            ratio = result["per_minute"] / base if base else 0.0
            result["ratio"] = round(ratio, 2)
            self.stdout.write(
                f"{result['workers']:>7}  {result['ready']:>10}  {result['seconds']:>7.1f}  "
                f"{result['per_minute']:>10.1f}  {ratio:>5.2f}"
            )
        self.stdout.write(f"({os.cpu_count()} cores on this machine; Chromium and WeasyPrint use them all.)")
        if json_path:
            Path(json_path).write_text(json.dumps(results, indent=2))

    def _prepare_database(self, orgs: int) -> str:
        params = connection.get_connection_params()
        name = f"{connection.settings_dict['NAME']}_workers"
        auth = params.get("user", "postgres") + (f":{params['password']}" if params.get("password") else "")
        url = f"postgres://{auth}@{params.get('host', '127.0.0.1')}:{params.get('port', 5432)}/{name}"
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{name}"')
        env = {**os.environ, "DATABASE_URL": url}
        manage = [sys.executable, str(ROOT / "manage.py")]
        for command in (
            ["migrate", "--noinput", "-v", "0"],
            ["load_rubric", "fixtures/rubric/2026.1.yaml", "--publish"],
            ["seed_demo", "--orgs", str(orgs), "--cycles", "1", "--seed", "1", "--if-empty"],
        ):
            subprocess.run(manage + command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        return url

    def _run(self, count: int, url: str) -> dict:
        from django.contrib.auth import get_user_model

        from assessments.models import AssessmentCycle
        from lhs_portal.celery import app
        from reports.models import Scorecard, ScorecardBatch
        from reports.services import scorecards as service

        media = Path(tempfile.mkdtemp(prefix="lhs-bench-workers-"))
        Scorecard.objects.all().delete()
        ScorecardBatch.objects.all().delete()
        app.control.purge()  # this run's own queue (CELERY_QUEUE): left over from an interrupted run
        env = {**os.environ, "DATABASE_URL": url, "MEDIA_ROOT": str(media), "LHS_VAR_DIR": str(media / "var")}
        celery = str(Path(sys.executable).with_name("celery"))
        workers, logs = [], []
        try:
            for number in range(1, count + 1):
                log = media / f"worker-{number}.log"
                logs.append(log)
                with log.open("w") as out:
                    workers.append(subprocess.Popen(
                        [celery, "-A", "lhs_portal", "worker", "--concurrency", "1", "-l", "INFO",
                         "-n", f"bench-{number}-{os.getpid()}@%h"],
                        cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                    ))  # fmt: skip
            self._wait_ready(workers, logs)
            cycle = AssessmentCycle.objects.order_by("-opens_on").first()
            staff = get_user_model().objects.filter(username="nam.staff").first()  # seed_demo's NAM staff
            started = time.monotonic()
            batch = service.scorecard_batch_create(cycle=cycle, peer_group="all", user=staff)
            while True:
                batch.refresh_from_db()
                pending = batch.scorecards.filter(status__in=["queued", "rendering"]).count()
                if batch.filled_at is not None and pending == 0:
                    break
                if time.monotonic() - started > 3600:
                    raise CommandError("The batch did not finish within an hour.")
                time.sleep(0.25)
            seconds = time.monotonic() - started
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.send_signal(signal.SIGTERM)
            for worker in workers:
                try:
                    worker.wait(60)
                except subprocess.TimeoutExpired:
                    os.killpg(worker.pid, signal.SIGKILL)
            shutil.rmtree(media, ignore_errors=True)
        ready = batch.scorecards.filter(status="ready").count()
        failed = batch.scorecards.filter(status="failed").count()
        return {
            "workers": count,
            "ready": ready,
            "failed": failed,
            "seconds": round(seconds, 1),
            "per_minute": round(60 * ready / seconds, 1),
        }

    def _wait_ready(self, workers, logs) -> None:
        """Until every worker is consuming and has its Chromium up (its first render then costs no start)."""
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            texts = [log.read_text() for log in logs]
            for worker, text in zip(workers, texts, strict=True):
                if worker.poll() is not None:
                    raise CommandError(f"A worker exited at start:\n{text[-2000:]}")
            if all(" ready." in text and "kaleido started" in text for text in texts):
                return
            time.sleep(0.2)
        raise CommandError("The workers did not start within 3 minutes.")
