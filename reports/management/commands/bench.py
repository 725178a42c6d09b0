"""`manage.py bench`: how fast the pages and jobs that matter are, at several scales.

For each scale it builds a throwaway database (Django's test-database machinery: `test_<NAME>` next to the
configured one, so real data is never touched), loads the rubric, seeds demo data with `seed_demo`, warms up,
and then samples each measurement. Requests go through the whole Django stack (middleware, sessions,
templates) with the test client; SQL queries are counted per sample. Each measurement is printed in
milliseconds and as a multiple of the floor page's (assessments:floor: the base template, signed in).
"""

import json
import platform
import statistics
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment, teardown_test_environment
from django.urls import reverse

from assessments.models import Assessment, AssessmentCycle, Membership, Role
from assessments.raters.bench import consensus_page_runner
from reports.exporters.benchmarks import benchmarks_table
from reports.exporters.tabular import to_csv
from reports.management.commands.loadtest import second_factor_on_record
from reports.peer_groups import PeerGroup

MEASUREMENTS = (
    "floor",
    "org_dashboard",
    "nam_dashboard",
    "commitment_page",
    "response_save",
    "scorecard_render",
    "export_benchmarks",
    "consensus_page",
)
# Every figure is also given as a multiple of this one: a signed-in page that renders only the base template,
# the least the stack does per request. Multiples carry over between machines and runs; milliseconds do not.
FLOOR = "floor"
RUBRIC = Path(settings.BASE_DIR) / "fixtures" / "rubric" / "2026.1.yaml"


class _FormFields(HTMLParser):
    """The fields of the answer form (the POST form with radio buttons), as a browser would send them."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._form = {"fields": {}, "radios": {}, "buttons": []}
            return
        form = self._form
        if form is None or "name" not in a:
            return
        kind = a.get("type", "text" if tag == "input" else "submit")
        if tag == "button" or kind == "submit":
            form["buttons"].append((a["name"], a.get("value", "")))
        elif tag == "input" and kind == "radio":
            form["radios"].setdefault(a["name"], []).append(a.get("value", ""))
            if "checked" in a:
                form["fields"][a["name"]] = [a.get("value", "")]
        elif tag == "input" and kind == "checkbox":
            if "checked" in a:
                form["fields"].setdefault(a["name"], []).append(a.get("value") or "on")
        elif tag == "input":
            form["fields"][a["name"]] = [a.get("value", "")]
        elif tag == "textarea":
            self._textarea = a["name"]
            form["fields"][a["name"]] = [""]

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] = [self._form["fields"][self._textarea][0] + data]

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None

    def answer_form(self) -> dict:
        return max(self.forms, key=lambda form: len(form["radios"]))


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


class Command(BaseCommand):
    help = "Measure dashboards, saving, scorecard rendering and exports at several scales."

    def add_arguments(self, parser):
        parser.add_argument("--orgs", default="60,600,6000", help="comma-separated scales (organizations)")
        parser.add_argument("--cycles", type=int, default=3)
        parser.add_argument("--samples", type=int, default=30)
        parser.add_argument("--warmup", type=int, default=3)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--json", dest="json_path", help="also write the results to this JSON file")
        parser.add_argument(
            "--only",
            default=",".join(MEASUREMENTS),
            help=f"comma-separated subset of {', '.join(MEASUREMENTS)}",
        )

    def handle(self, *args, orgs, cycles, samples, warmup, seed, json_path, only, **options):
        try:
            scales = [int(n) for n in orgs.split(",") if n.strip()]
        except ValueError:
            raise CommandError(f"--orgs takes whole numbers separated by commas, not {orgs!r}") from None
        wanted = [m.strip() for m in only.split(",") if m.strip()]
        unknown = sorted(set(wanted) - set(MEASUREMENTS))
        if unknown or not scales or samples < 2:
            raise CommandError(
                f"Unknown measurement {unknown}" if unknown else "Give at least one scale and 2 samples."
            )

        setup_test_environment()
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        try:
            results = []
            for scale in scales:
                self.stdout.write(f"Seeding {scale} organizations x {cycles} cycles ...")
                started = time.perf_counter()
                self._seed(scale, cycles, seed)
                self.stdout.write(f"  seeded in {time.perf_counter() - started:.1f} s")
                measured = self._measure(wanted, samples, warmup)
                results.append({"orgs": scale, "cycles": cycles, "results": measured})
                self._print_table(scale, cycles, measured)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
            teardown_test_environment()

        report = {
            "machine": f"{platform.node()} {platform.machine()} Python {platform.python_version()}",
            "database": connection.vendor,
            "scales": results,
        }
        if json_path:
            Path(json_path).write_text(json.dumps(report, indent=2) + "\n")
            self.stdout.write(f"Results written to {json_path}")

    def _seed(self, scale: int, cycles: int, seed: int) -> None:
        call_command("flush", interactive=False, verbosity=0)
        call_command("load_rubric", str(RUBRIC), publish=True, verbosity=0, stdout=_Null())
        call_command("seed_demo", orgs=scale, cycles=cycles, seed=seed, verbosity=0, stdout=_Null())
        # Peer figures come from releases: one per cycle, as `make run` publishes them.
        call_command("publish_benchmarks", all_cycles=True, if_none=True, stdout=_Null())
        # Fresh statistics for the planner, as autovacuum would give a long-running database.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    def _measure(self, wanted: list[str], samples: int, warmup: int) -> dict:
        runners: dict[str, Callable[[], None]] = {}
        users = get_user_model().objects
        member = Membership.objects.select_related("organization").get(user__username="executive")
        organization = member.organization
        latest = AssessmentCycle.objects.order_by("-opens_on").first()
        executive, nam, officer = Client(), Client(), Client()
        executive.force_login(users.get(username="executive"))
        nam_user = users.get(username="nam.staff")
        second_factor_on_record(nam_user)
        nam.force_login(nam_user)
        officer.force_login(users.get(username="quality.officer"))
        dashboard_url = reverse("reports:org_dashboard", args=[organization.slug])
        nam_url = reverse("reports:nam_dashboard") + f"?cycle={latest.slug}"

        def org_dashboard():
            _ok(executive.get(dashboard_url))

        def nam_dashboard():
            _ok(nam.get(nam_url))

        floor_url = reverse("assessments:floor")

        def floor():
            _ok(executive.get(floor_url))

        runners["floor"] = floor
        runners["org_dashboard"] = org_dashboard
        runners["nam_dashboard"] = nam_dashboard

        draft = Assessment.objects.filter(organization=organization, cycle=latest).first()
        commitment = latest.rubric.commitments.order_by("order").first()
        save_url = reverse("assessments:commitment", args=[organization.slug, latest.slug, commitment.slug])
        assert draft is not None and draft.is_editable, "seed_demo leaves the demo organization a draft"
        assert Membership.objects.filter(user__username="quality.officer", role=Role.ASSESSOR).exists()
        turn = {"n": 0}

        def commitment_page():
            _ok(officer.get(save_url))

        runners["commitment_page"] = commitment_page

        def response_save_prepare():
            parser = _FormFields()
            parser.feed(_ok(officer.get(save_url)).content.decode())
            form = parser.answer_form()
            data = dict(form["fields"])
            turn["n"] += 1
            for name, values in form["radios"].items():
                levels = [v for v in values if v.isdigit()]
                if levels:  # alternate the level so every save really changes something
                    data[name] = [levels[turn["n"] % len(levels)]]
            save = next((b for b in form["buttons"] if "next" not in (b[0] + b[1]).lower()), None)
            if save:
                data[save[0]] = [save[1]]
            return data

        def response_save(data):
            response = officer.post(save_url, data)
            if response.status_code != 302:
                raise CommandError(f"Saving {save_url} did not succeed: {response.status_code}")

        scorecard_assessment = (
            Assessment.objects.submitted()
            .filter(organization=organization)
            .order_by("-cycle__opens_on")
            .first()
        )

        def scorecard_render():
            from reports.exporters.scorecard import scorecard_document, scorecard_pdf

            pdf = scorecard_pdf(scorecard_document(assessment=scorecard_assessment, peer_group=PeerGroup.ALL))
            assert pdf.startswith(b"%PDF")

        benchmark_cycle = scorecard_assessment.cycle if scorecard_assessment else latest

        def export_benchmarks():
            assert to_csv(benchmarks_table(cycle=benchmark_cycle)).startswith(b"\xef\xbb\xbfcycle,")

        runners["scorecard_render"] = scorecard_render
        if "consensus_page" in wanted:  # a closed rating round of 60 raters on the demo draft (issue 24)
            runners["consensus_page"] = consensus_page_runner(client=officer, assessment=draft)
        runners["export_benchmarks"] = export_benchmarks

        measured = {}
        for name in MEASUREMENTS:
            if name not in wanted:
                continue
            timings, queries = [], []
            for i in range(warmup + samples):
                prepared = response_save_prepare() if name == "response_save" else None
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    if name == "response_save":
                        response_save(prepared)
                    else:
                        runners[name]()
                    elapsed = (time.perf_counter() - started) * 1000
                if i >= warmup:
                    timings.append(elapsed)
                    queries.append(len(captured.captured_queries))
            measured[name] = {
                "p50_ms": round(statistics.median(timings), 1),
                "p95_ms": round(_percentile(timings, 0.95), 1),
                "queries": max(queries),
            }
        return measured

    def _print_table(self, scale: int, cycles: int, measured: dict) -> None:
        floor = measured.get(FLOOR)
        self.stdout.write(f"\n{scale} organizations, {cycles} cycles ({connection.vendor})")
        self.stdout.write(
            f"  {'measurement':<20}{'p50 ms':>10}{'x floor':>9}{'p95 ms':>10}{'x floor':>9}{'queries':>10}"
        )
        for name, row in measured.items():
            if floor:
                row["p50_x_floor"] = round(row["p50_ms"] / max(floor["p50_ms"], 0.1), 1)
                row["p95_x_floor"] = round(row["p95_ms"] / max(floor["p95_ms"], 0.1), 1)
            times = (
                (
                    f"{row['p50_ms']:>10.1f}{row['p50_x_floor']:>9.1f}",
                    f"{row['p95_ms']:>10.1f}{row['p95_x_floor']:>9.1f}",
                )
                if floor
                else (f"{row['p50_ms']:>10.1f}{'':>9}", f"{row['p95_ms']:>10.1f}{'':>9}")
            )
            self.stdout.write(f"  {name:<20}{times[0]}{times[1]}{row['queries']:>10}")
        self.stdout.write("")


def _ok(response):
    if response.status_code != 200:
        raise CommandError(f"{response.request['PATH_INFO']} answered {response.status_code}")
    return response


class _Null:
    def write(self, *args, **kwargs):
        pass

    def flush(self):
        pass
