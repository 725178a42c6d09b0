"""`manage.py soak` (`make soak`): a long run under load, with a scorecard batch, watching errors and memory.

For 20 minutes (--duration) it runs the load test (`manage.py loadtest --rate`: gunicorn, the open-model
generator, its own seeded database) at a fixed arrival rate of 70% of the capacity the web keeps while a
render takes a core (`soak_rate`), and beside it a Celery worker (beat, and --worker-concurrency pool
processes: one by default) rendering a NAM batch of every scorecard of the latest cycle. Once in the run it
kills the worker's Chromium (SIGKILL), which the worker must start again, the render retrying. It samples
the memory (PSS) of the web processes, the worker processes and their Chromium after warm-up, in the middle
and at the end, and fails when a request failed or a scorecard failed.

Capacity: the mixed journey's capacity as `manage.py loadtest` measures it (--capacity, requests/s; without
it the soak measures it first, a few minutes). --load-args passes other arguments to `manage.py loadtest`
instead of the fixed rate, and the rest of the soak stays as it is.
"""

import contextlib
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections

ROOT = Path(settings.BASE_DIR)
SOAK_SHARE = 0.7  # of capacity


def soak_rate(capacity: float, *, cores: int, rendering: int) -> float:
    """70% of the capacity the web keeps while the worker renders beside it on the same machine.

    `manage.py loadtest` measures capacity with every core serving the web; a render keeps about one core
    busy (WeasyPrint, then Chromium) for as long as the batch lasts, so on one machine the web has the other
    cores only. The soak of 3 December at 70% of the whole capacity (26.9 requests/s on 2 cores, one
    render at a time) asked for more than the one core left could serve: the queue grew for 14 minutes,
    6,237 requests timed out.
    """
    if rendering >= cores:
        raise CommandError(
            f"The worker's {rendering} pool processes would take all {cores} cores: none left for the load. "
            "Use a --worker-concurrency below the number of cores."
        )
    return SOAK_SHARE * capacity * (cores - rendering) / cores


def seconds(duration: str) -> int:
    """'20m', '90s', '1h' or a number of seconds."""
    match = re.fullmatch(r"(\d+)([smh]?)", duration.strip())
    if not match:
        raise CommandError(f"--duration takes 20m, 90s, 1h or seconds, not {duration!r}")
    return int(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]


def memory_mb(processes) -> float:
    """Proportional set size (PSS): each shared page divided among the processes that share it, so that a
    sum over Chromium's many processes or the pool's forked children does not count shared pages again."""
    total = 0
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            info = process.memory_full_info()
            total += getattr(info, "pss", info.rss)
    return total / 2**20


class Command(BaseCommand):
    help = "Soak: the load test at 70% of capacity plus a scorecard batch for 20 minutes; errors and memory."

    def add_arguments(self, parser):
        parser.add_argument("--duration", default="20m")
        parser.add_argument(
            "--capacity", type=float, help="the mixed journey's capacity in requests/s (default: measure it)"
        )
        parser.add_argument("--orgs", type=int, default=600, help="organizations in the load-test database")
        parser.add_argument("--port", type=int, default=8766)
        parser.add_argument(
            "--load-args", default="", help="arguments for manage.py loadtest instead of the fixed rate"
        )
        parser.add_argument(
            "--no-chromium-kill", action="store_true", help="leave the worker's Chromium alone"
        )
        # One pool process by default: a render keeps about a core busy (WeasyPrint, then Chromium), and the
        # load already takes 70% of what the web can do; on a 2-core machine a second render at once would
        # leave the web less than it needs, and the soak would measure the machine's queue, not the portal.
        parser.add_argument("--worker-concurrency", type=int, default=1, help="the worker's pool processes")

    def handle(
        self,
        *args,
        duration,
        capacity,
        orgs,
        port,
        load_args,
        no_chromium_kill,
        worker_concurrency,
        **options,
    ):
        if connection.vendor != "postgresql":
            raise CommandError("make soak needs PostgreSQL: set DATABASE_URL=postgres://...")
        total = seconds(duration)
        tmp = Path(tempfile.mkdtemp(prefix="lhs-soak-"))
        if load_args:
            load = shlex.split(load_args)
        else:
            if capacity is None:
                capacity = self._measure_capacity(orgs, port, tmp)
            rate = soak_rate(capacity, cores=os.cpu_count() or 1, rendering=worker_concurrency)
            self.stdout.write(
                f"Capacity {capacity:.1f} requests/s with every core; {worker_concurrency} of "
                f"{os.cpu_count()} cores render: the soak runs at {rate:.1f} requests/s."
            )
            load = ["--journeys", "mixed", "--rate", f"{rate:.1f}"]
        load_log = tmp / "loadtest.log"
        self.stdout.write(
            f"Soak for {total} s: manage.py loadtest {' '.join(load)}, a scorecard batch. Logs: {tmp}"
        )
        with load_log.open("w") as out:
            loadtest = subprocess.Popen(
                [sys.executable, str(ROOT / "manage.py"), "loadtest", "--duration", str(total), "--orgs",
                 str(orgs), "--port", str(port), *load],
                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        worker = None
        try:
            self._wait_for_load(loadtest, load_log)
            started = time.monotonic()
            database = f"{connection.settings_dict['NAME']}_loadtest"  # the load test's own database
            env = {
                **os.environ,
                "DATABASE_URL": self._use_database(database),
                "MEDIA_ROOT": str(tmp / "media"),
                "LHS_VAR_DIR": str(tmp),
                "CELERY_QUEUE": f"lhs-soak-{os.getpid()}",  # its own queue: no other worker takes its tasks
            }
            worker = self._start_worker(env, tmp, worker_concurrency)
            batch = self._start_batch(env)
            samples, killed = {}, None
            for label, at in (("start", min(60, total // 4)), ("middle", total // 2), ("end", total - 15)):
                while time.monotonic() - started < at:
                    if killed is None and not no_chromium_kill and time.monotonic() - started > total / 3:
                        killed = self._kill_chromium(worker)
                    if loadtest.poll() is not None:
                        break
                    time.sleep(1)
                samples[label] = self._memory(loadtest, worker)
                # Printed as taken: the batch may outlast the load by far on a busy machine.
                self.stdout.write(
                    f"Memory at {label} ({time.monotonic() - started:.0f} s, PSS MB): "
                    + ", ".join(f"{name} {mb:.0f}" for name, mb in samples[label].items())
                )
                self.stdout.flush()
            loadtest.wait(timeout=total + 600)
            finished = self._wait_for_batch(batch, timeout=3600)
        finally:
            if loadtest.poll() is None:
                os.killpg(loadtest.pid, signal.SIGTERM)
            if worker is not None:
                self._stop(worker)
        self._report(load_log, samples, finished, killed, tmp)

    def _measure_capacity(self, orgs: int, port: int, tmp: Path) -> float:
        """The mixed journey's capacity, measured by `manage.py loadtest` (a few minutes)."""
        self.stdout.write(
            "Measuring the mixed journey's capacity first (manage.py loadtest --journeys mixed)..."
        )
        result = tmp / "capacity.json"
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "loadtest", "--journeys", "mixed", "--orgs", str(orgs),
             "--port", str(port), "--json", str(result)],
            cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        capacity = json.loads(result.read_text())["mixed"]["capacity"]
        if not capacity:
            raise CommandError("The mixed journey met no rate at all: there is no capacity to soak at.")
        return capacity

    def _wait_for_load(self, loadtest, load_log: Path) -> None:
        """Until the load test has seeded its database and its fixed-rate step runs (its banner is out)."""
        deadline = time.monotonic() + 3600
        while time.monotonic() < deadline:
            if "Load test:" in load_log.read_text():
                return
            if loadtest.poll() is not None:
                raise CommandError(f"The load test stopped before it began:\n{load_log.read_text()[-3000:]}")
            time.sleep(1)
        raise CommandError("The load test did not start within an hour.")

    def _use_database(self, name: str) -> str:
        params = connection.get_connection_params()
        auth = params.get("user", "postgres") + (f":{params['password']}" if params.get("password") else "")
        connections["default"].close()
        connections["default"].settings_dict["NAME"] = name
        return f"postgres://{auth}@{params.get('host', '127.0.0.1')}:{params.get('port', 5432)}/{name}"

    def _start_worker(self, env: dict, tmp: Path, concurrency: int) -> subprocess.Popen:
        with (tmp / "worker.log").open("w") as out:
            return subprocess.Popen(
                [str(Path(sys.executable).with_name("celery")), "-A", "lhs_portal", "worker", "--beat",
                 "--concurrency", str(concurrency), "-l", "INFO", "-n", f"soak-{os.getpid()}@%h"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip

    def _start_batch(self, env: dict):
        """A batch of every scorecard of the latest cycle, made in a process with the worker's settings."""
        from reports.models import ScorecardBatch

        code = (
            "import django; django.setup(); from django.contrib.auth import get_user_model; "
            "from assessments.models import AssessmentCycle; from reports.services import scorecards; "
            "cycle = AssessmentCycle.objects.order_by('-opens_on').first(); "
            "staff = get_user_model().objects.filter(username='nam.staff').first(); "  # seed_demo's NAM staff
            "print(scorecards.scorecard_batch_create(cycle=cycle, peer_group='all', user=staff).pk)"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
            env={**env, "DJANGO_SETTINGS_MODULE": "lhs_portal.settings"},
        )  # fmt: skip
        return ScorecardBatch.objects.get(pk=int(out.stdout.split()[-1]))

    def _kill_chromium(self, worker: subprocess.Popen) -> int:
        browsers = self._chromium(worker)
        for process in browsers:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.send_signal(signal.SIGKILL)
        self.stdout.write(f"Killed the worker's Chromium ({len(browsers)} processes).")
        return len(browsers)

    def _chromium(self, worker: subprocess.Popen) -> list:
        tree = psutil.Process(worker.pid).children(recursive=True)
        return [p for p in tree if "chrom" in p.name()]

    def _memory(self, loadtest: subprocess.Popen, worker: subprocess.Popen) -> dict:
        with contextlib.suppress(psutil.NoSuchProcess):
            web = [
                p
                for p in psutil.Process(loadtest.pid).children(recursive=True)
                if "gunicorn" in p.cmdline()[2:3]
            ]
            worker_tree = [psutil.Process(worker.pid), *psutil.Process(worker.pid).children(recursive=True)]
            browsers = [p for p in worker_tree if "chrom" in p.name()]
            celery = [p for p in worker_tree if p not in browsers]
            return {"web": memory_mb(web), "worker": memory_mb(celery), "chromium": memory_mb(browsers)}
        return {"web": 0.0, "worker": 0.0, "chromium": 0.0}

    def _wait_for_batch(self, batch, timeout: int) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            batch.refresh_from_db()
            pending = batch.scorecards.filter(status__in=["queued", "rendering"]).count()
            if batch.filled_at is not None and pending == 0:
                break
            time.sleep(2)
        scorecards = batch.scorecards
        return {
            "ready": scorecards.filter(status="ready").count(),
            "failed": scorecards.filter(status="failed").count(),
            "pending": scorecards.filter(status__in=["queued", "rendering"]).count(),
            "retried": scorecards.filter(attempts__gt=1).count(),
        }

    def _stop(self, worker: subprocess.Popen) -> None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)

    def _report(self, load_log: Path, samples: dict, batch: dict, killed, tmp: Path) -> None:
        text = load_log.read_text()
        summary = [
            line
            for line in text.splitlines()
            if re.match(r"(Requests per second|95th percentile|Errors):", line)
        ]
        self.stdout.write("\n".join(["", "Load (manage.py loadtest):", *summary]))
        self.stdout.write(
            f"Scorecard batch: {batch['ready']} ready, {batch['failed']} failed, {batch['pending']} pending, "
            f"{batch['retried']} retried (Chromium killed once: {killed or 0} processes)"
        )
        self.stdout.write("\nMemory (PSS, MB)   start   middle   end")
        for name in ("web", "worker", "chromium"):
            row = "".join(
                f"{samples.get(label, {}).get(name, 0.0):>8.0f}" for label in ("start", "middle", "end")
            )
            self.stdout.write(f"{name:<17}{row}")
        errors = re.search(r"Errors:\s+(\d+)", text)
        problems = []
        if errors is None:
            problems.append(f"the load test gave no figures (log: {load_log})")
        elif int(errors.group(1)):
            problems.append(f"{errors.group(1)} request errors")
        if batch["failed"] or batch["pending"]:
            problems.append(f"{batch['failed']} scorecards failed, {batch['pending']} never finished")
        if problems:
            raise CommandError(f"Soak failed: {'; '.join(problems)}. Logs in {tmp}")
        self.stdout.write(self.style.SUCCESS(f"Soak passed: no errors. Logs in {tmp}"))
