"""Load test: assessors opening and saving commitment pages, executives and NAM staff opening dashboards.

Run by `make loadtest` (reports/management/commands/loadtest.py), which seeds a database, starts gunicorn and
passes the accounts to use in LHS_LOADTEST_ACCOUNTS (a JSON file). Not collected by pytest.
"""

import itertools
import json
import os
import random
import re

from locust import FastHttpUser, between, task

ACCOUNTS = json.loads(open(os.environ["LHS_LOADTEST_ACCOUNTS"]).read())  # noqa: SIM115
PASSWORD = ACCOUNTS["password"]
_assessors = itertools.cycle(ACCOUNTS["assessors"])
_executives = itertools.cycle(ACCOUNTS["executives"])
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
ANSWER = re.compile(r'type="radio" name="([^"]+-answer)" id="[^"]+" value="(\d)"')


class PortalUser(FastHttpUser):
    # FastHttpUser (geventhttpclient) rather than HttpUser (requests): the load generator shares the machine's
    # two cores with gunicorn and PostgreSQL, and requests spends several times the CPU per request.
    abstract = True
    wait_time = between(0.1, 0.5)

    def sign_in(self, username: str):
        page = self.client.get("/accounts/login/", name="sign-in page")
        token = CSRF.search(page.text).group(1)
        response = self.client.post(
            "/accounts/login/",
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            name="sign in",
        )
        if "Sign in" in response.text and "Please enter a correct" in response.text:
            raise RuntimeError(f"could not sign in as {username}")


class Assessor(PortalUser):
    weight = 5

    def on_start(self):
        self.account = next(_assessors)
        self.sign_in(self.account["username"])

    @task(3)
    def open_commitment(self):
        slug = random.choice(self.account["commitments"])
        self.client.get(f"{self.account['assessment']}commitments/{slug}/", name="commitment page")

    @task(2)
    def save_commitment(self):
        slug = random.choice(self.account["commitments"])
        url = f"{self.account['assessment']}commitments/{slug}/"
        page = self.client.get(url, name="commitment page")
        data = dict(HIDDEN.findall(page.text))
        for name in {name for name, _ in ANSWER.findall(page.text)}:
            data[name] = str(random.randint(1, 5))
        data["then"] = "stay"
        with self.client.post(
            url, data, name="commitment save", catch_response=True, allow_redirects=False
        ) as r:
            if r.status_code != 302:
                r.failure(f"save answered {r.status_code}")

    @task(1)
    def overview(self):
        self.client.get(self.account["assessment"], name="assessment overview")


class Executive(PortalUser):
    weight = 3

    def on_start(self):
        self.account = next(_executives)
        self.sign_in(self.account["username"])

    @task
    def dashboard(self):
        group = random.choice(["all", "org_type", "size_band", "region", "teaching"])
        self.client.get(f"{self.account['dashboard']}?peer_group={group}", name="org dashboard")


class NamStaff(PortalUser):
    weight = 1

    def on_start(self):
        self.sign_in(ACCOUNTS["nam"])

    @task
    def dashboard(self):
        self.client.get(random.choice(ACCOUNTS["nam_pages"]), name="NAM dashboard")


if os.environ.get("LHS_LOADTEST_FLOOR"):
    # `manage.py loadtest --floor`: instead of the mix above, every user opens the same small signed-in page
    # (How scores work: no query beyond session, user and memberships). What this machine can serve at
    # best, to read the mix's figures against.
    for user_class in (Assessor, Executive, NamStaff):
        user_class.abstract = True

    class FloorUser(PortalUser):
        def on_start(self):
            self.sign_in(next(_executives)["username"])

        @task
        def small_page(self):
            self.client.get("/scores/", name="how scores work (floor)")
