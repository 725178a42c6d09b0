"""The load generator of `make loadtest` (reports/management/commands/loadtest.py): an open model.

Requests arrive at a constant rate whatever the server does (one arrival every 1/rate seconds, each on its own
greenlet), unlike a closed model of N users who wait for each answer: a slow server cannot slow the arrivals
down, so the measured latency is the latency a visitor would see at that rate. Each response time is counted
from the arrival's scheduled time, so a generator that falls behind counts its own delay against the server
rather than hiding it.

Usage: python tests/load/open_model.py SPEC.json; SPEC names the host, the journey, the rate, the duration
and the signed-in sessions to use (made by the command with Django's test client, no sign-in traffic here).
Prints one JSON line: per request kind the latencies and errors, and how far the generator fell behind.
Not collected by pytest.
"""

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from urllib.parse import urlencode  # noqa: E402

import gevent  # noqa: E402
from gevent.pool import Pool  # noqa: E402
from geventhttpclient import HTTPClient  # noqa: E402
from mix import MIX  # noqa: E402 (tests/load/mix.py, beside this script)

CSRF_COOKIE = re.compile(r"csrftoken=([A-Za-z0-9]+)")
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
ANSWER = re.compile(r'type="radio" name="([^"]+-answer)" id="[^"]+" value="(\d)"')


class Journey:
    def __init__(self, spec: dict, client: HTTPClient):
        self.spec = spec
        self.client = client
        self.samples: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.rng = random.Random(1)
        self.measure_from = 0.0  # arrivals scheduled before this (the warm-up) are not counted

    def request(self, kind: str, scheduled: float, method: str, path: str, cookie: str, body=None):
        headers = {"Cookie": cookie}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            response = self.client.request(method, path, body=body, headers=headers)
            text = response.read().decode()
            status = response.status_code
            # The page's form carries a CSRF token made for the cookie this response sets: keep it.
            cookies = " ".join(value for name, value in response.items() if name.lower() == "set-cookie")
            csrf = CSRF_COOKIE.search(cookies)
            if csrf:
                text = f"csrftoken={csrf.group(1)}\n{text}"
        except Exception:
            text, status = "", 0
        expected = 302 if method == "POST" else 200
        if scheduled >= self.measure_from:
            self.samples.setdefault(kind, []).append((time.monotonic() - scheduled) * 1000)
            if status != expected:
                self.errors[kind] = self.errors.get(kind, 0) + 1
        return text if status == expected else None

    def arrive(self, scheduled: float) -> None:
        spec = self.spec
        if spec["journey"] == "floor":
            session = self.rng.choice(spec["sessions"]["executives"])
            self.request("floor page", scheduled, "GET", spec["floor"], session["cookie"])
            return
        kind = self.rng.choices([k for k, _ in MIX], weights=[w for _, w in MIX])[0]
        if kind in ("commitment page", "commitment save", "assessment overview"):
            session = self.rng.choice(spec["sessions"]["assessors"])
            page = f"{session['assessment']}commitments/{self.rng.choice(session['commitments'])}/"
            if kind == "assessment overview":
                self.request(kind, scheduled, "GET", session["assessment"], session["cookie"])
            elif kind == "commitment page":
                self.request(kind, scheduled, "GET", page, session["cookie"])
            else:  # a save: the page, then the form sent back with new levels (two requests)
                text = self.request("commitment page", scheduled, "GET", page, session["cookie"])
                if text is None:
                    return
                data = dict(HIDDEN.findall(text))
                for name in {name for name, _ in ANSWER.findall(text)}:
                    data[name] = str(self.rng.randint(1, 5))
                data["then"] = "stay"
                csrf = CSRF_COOKIE.match(text)
                cookie = f"{session['cookie']}; csrftoken={csrf.group(1)}" if csrf else session["cookie"]
                # Timed from its own start, counted with the arrival it belongs to.
                sent = time.monotonic() if scheduled >= self.measure_from else scheduled
                self.request(kind, sent, "POST", page, cookie, urlencode(data))
        elif kind == "org dashboard":
            session = self.rng.choice(spec["sessions"]["executives"])
            group = self.rng.choice(["all", "org_type", "size_band", "region", "teaching"])
            self.request(
                kind, scheduled, "GET", f"{session['dashboard']}?peer_group={group}", session["cookie"]
            )
        else:
            session = spec["sessions"]["nam"]
            self.request(kind, scheduled, "GET", self.rng.choice(spec["nam_pages"]), session["cookie"])


def run(spec: dict) -> dict:
    host, port = spec["host"].split(":")
    client = HTTPClient(host, int(port), concurrency=spec.get("connections", 64), network_timeout=30)
    journey = Journey(spec, client)
    rate, duration, warmup = spec["rate"], spec["duration"], spec.get("warmup", 3)
    pool = Pool(spec.get("max_in_flight", 2000))
    interval = 1 / rate
    start = time.monotonic() + 0.2
    journey.measure_from = start + warmup
    lag_ms = 0.0
    n = 0
    while True:
        scheduled = start + n * interval
        if scheduled - start >= warmup + duration:
            break
        delay = scheduled - time.monotonic()
        if delay > 0:
            gevent.sleep(delay)
        else:
            lag_ms = max(lag_ms, -delay * 1000)
        if pool.full():  # more than max_in_flight waiting: the server is far past its capacity
            journey.errors["too many in flight"] = journey.errors.get("too many in flight", 0) + 1
        else:
            pool.spawn(journey.arrive, scheduled)
        n += 1
    pool.join(timeout=60)
    client.close()
    return {
        "rate": rate,
        "duration": duration,
        "samples": journey.samples,
        "errors": journey.errors,
        "lag_ms": lag_ms,
    }


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        print(json.dumps(run(json.load(f))))
