"""The access matrix: every named URL, every kind of user, the exact outcome.

How to add a row (every new URL needs one, or `test_every_url_name_has_a_row` fails):

    ROWS["assessments:thing_detail"] = {
        "kwargs": {"slug": "alpha", "pk": lambda w: w.assessment_a.pk},  # literals or callables of the world
        "expect": {"anonymous": LOGIN, "assessor_a": 200, "executive_a": 200, "admin_a": 200,
                   "assessor_b": 404, "nam_staff": 200},
    }

Outcomes: 200 / 403 / 404 / 405 (the status of a GET), LOGIN (302 to /accounts/login/?next=<the path>),
or redirect_to("/path/" or callable(world) -> path) for any other redirect.

POST-only views: "expect" holds the GET outcomes (405 for signed-in users), and "post" the outcomes of a POST
for the roles that must NOT be able to do it (LOGIN / 403 / 404). After each refused POST the test checks
that nothing changed: the row counts of every model of our apps (the audit log aside) and, if the row has
one, "snapshot": callable(world) -> any value that must be equal before and after. "data" is the POST body
(a dict or callable(world) -> dict); make it a VALID request so that only the permission check stops it.

Fixtures: `world` below builds org A ("alpha") and org B ("bravo"), their people, the rubric and cycle "2026",
an assessment for each organization. Add what your URLs need to `world` (append; keep it cheap).
"""

from types import SimpleNamespace

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from assessments.models import Invitation, Membership
from assessments.services.people import invitation_token
from tests import factories as f

pytestmark = pytest.mark.django_db

LOGIN = "login"
ROLES = ["anonymous", "assessor_a", "executive_a", "admin_a", "assessor_b", "nam_staff"]

# Named URLs that this matrix does not cover, and why. Anything else must have a row.
SKIPPED = {
    # Django's own sign-in, sign-out and password views: tests/test_auth.py covers them.
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}
SKIPPED_NAMESPACES = {
    "admin"
}  # Django's admin: staff-only by its own rules, tested in tests/assessments/test_admin.py


def redirect_to(target):
    """The outcome "302 to this path" (a string, or a callable of the world for paths with ids)."""
    return ("redirect", target)


def everyone(outcome):
    return dict.fromkeys(ROLES, outcome)


def signed_in(outcome, anonymous=LOGIN):
    return {**everyone(outcome), "anonymous": anonymous}


def _home_of(slug):
    """Where `home` sends a member: the first organization page that exists (others add it)."""

    def target(world):
        from assessments.views.core import _first_url

        return _first_url(["reports:org_dashboard", "assessments:org_home"], slug) or reverse(
            "commitments:index"
        )

    return target


def _home_of_nam_staff(world):
    from assessments.views.core import _first_url

    return _first_url(["reports:nam_dashboard", "assessments:nam_cycles"]) or reverse("commitments:index")


ORG_MEMBERS_ONLY = {  # any member of A (and NAM staff) may read; B's people get 404
    "anonymous": LOGIN,
    "assessor_a": 200,
    "executive_a": 200,
    "admin_a": 200,
    "assessor_b": 404,
    "nam_staff": 200,
}
NAM_ONLY = {
    "anonymous": LOGIN,
    "assessor_a": 403,
    "executive_a": 403,
    "admin_a": 403,
    "assessor_b": 403,
    "nam_staff": 200,
}
POST_ONLY = signed_in(405)  # GET on a @login_required @require_POST view
ORG_ADMINS_ONLY = {  # org admins of A and NAM staff; other members of A 403; B's people 404
    "anonymous": LOGIN,
    "assessor_a": 403,
    "executive_a": 403,
    "admin_a": 200,
    "assessor_b": 404,
    "nam_staff": 200,
}
REFUSED_TO_NON_ADMINS = {"anonymous": LOGIN, "assessor_a": 403, "executive_a": 403, "assessor_b": 404}
REFUSED_TO_ALL_BUT_NAM = {
    "anonymous": LOGIN,
    "assessor_a": 403,
    "executive_a": 403,
    "admin_a": 403,
    "assessor_b": 403,
}


def _access_attempts():
    from axes.models import AccessAttempt

    return sorted(AccessAttempt.objects.values_list("username", "failures_since_start"))


ROWS: dict[str, dict] = {
    # --- foundation ---
    "home": {
        "kwargs": {},
        "expect": {
            "anonymous": redirect_to("/accounts/login/"),
            "assessor_a": redirect_to(_home_of("alpha")),
            "executive_a": redirect_to(_home_of("alpha")),
            "admin_a": redirect_to(_home_of("alpha")),
            "assessor_b": redirect_to(_home_of("bravo")),
            "nam_staff": redirect_to(_home_of_nam_staff),
        },
    },
    "healthz": {"kwargs": {}, "expect": everyone(200)},
    # --- the rubric (public) ---
    "commitments:index": {"kwargs": {}, "expect": everyone(200)},
    "commitments:detail": {"kwargs": {"slug": "engaged"}, "expect": everyone(200)},
    # --- org switcher ---
    "assessments:switch_org": {
        "kwargs": {},
        "expect": POST_ONLY,
        "data": {"organization": "alpha"},
        # Only the anonymous are refused; a non-member's choice is ignored (checked in test_people_*).
        "post": {"anonymous": LOGIN},
    },
    # --- people, invitations, audit (views/people.py) ---
    "assessments:members": {
        "kwargs": {"slug": "alpha"},
        "expect": ORG_ADMINS_ONLY,
        "data": {"email": "someone.new@example.org", "role": "assessor"},
        "post": REFUSED_TO_NON_ADMINS,
    },
    "assessments:member_role": {
        "kwargs": {"slug": "alpha", "pk": lambda w: w.users["assessor_a"].memberships.get().pk},
        "expect": POST_ONLY,
        "data": {"role": "executive"},
        "post": REFUSED_TO_NON_ADMINS,
        "snapshot": lambda w: sorted(Membership.objects.values_list("pk", "role")),
    },
    "assessments:member_remove": {
        "kwargs": {"slug": "alpha", "pk": lambda w: w.users["assessor_a"].memberships.get().pk},
        "expect": POST_ONLY,
        "post": REFUSED_TO_NON_ADMINS,
    },
    "assessments:invitation_resend": {
        "kwargs": {"slug": "alpha", "pk": lambda w: w.invitation_a.pk},
        "expect": POST_ONLY,
        "post": REFUSED_TO_NON_ADMINS,
        "snapshot": lambda w: list(Invitation.objects.order_by("pk").values_list("nonce", "sent_at")),
    },
    "assessments:invitation_revoke": {
        "kwargs": {"slug": "alpha", "pk": lambda w: w.invitation_a.pk},
        "expect": POST_ONLY,
        "post": REFUSED_TO_NON_ADMINS,
        "snapshot": lambda w: list(Invitation.objects.order_by("pk").values_list("revoked_at", flat=True)),
    },
    # Public: the signed link is the credential. The invitation is for newcomer@example.org, so every
    # signed-in user here is the wrong account (403 page that offers to sign out).
    "assessments:invitation_accept": {
        "kwargs": {"token": lambda w: invitation_token(w.invitation_a)},
        "expect": signed_in(403, anonymous=200),
        "data": {"first_name": "New", "last_name": "Comer", "password1": "x", "password2": "x"},
        "post": {role: 403 for role in ROLES if role != "anonymous"},
        "snapshot": lambda w: list(Invitation.objects.order_by("pk").values_list("accepted_at", flat=True)),
    },
    "assessments:nam_organizations": {
        "kwargs": {},
        "expect": NAM_ONLY,
        "data": {
            "name": "Charlie Medical Center",
            "org_type": "hospital",
            "size_band": "lt100",
            "state": "TX",
            "ownership": "public",
            "admin_email": "chief@charlie.example.org",
        },
        "post": REFUSED_TO_ALL_BUT_NAM,
    },
    "assessments:lockouts": {"kwargs": {}, "expect": NAM_ONLY},
    "assessments:lockout_unlock": {
        "kwargs": {},
        "expect": POST_ONLY,
        "data": {"username": "locked.person"},
        "post": REFUSED_TO_ALL_BUT_NAM,
        "snapshot": lambda w: _access_attempts(),
    },
    "assessments:audit_log": {"kwargs": {}, "expect": NAM_ONLY},
    # --- assessment workflow (views/workflow.py) ---
    # --- NAM staff: cycles and review (views/nam.py) ---
    # --- improvement plans (views/plans.py) ---
    # --- scores and dashboards (reports) ---
    # --- scorecards (reports) ---
}


# ---------------------------------------------------------------------------------------------------------
# The world every row is checked in


@pytest.fixture
def world(rubric, cycle, org_a, org_b, assessor_a, executive_a, admin_a, assessor_b, nam_staff):
    w = SimpleNamespace(
        rubric=rubric,
        cycle=cycle,
        org_a=org_a,
        org_b=org_b,
        users={
            "anonymous": None,
            "assessor_a": assessor_a,
            "executive_a": executive_a,
            "admin_a": admin_a,
            "assessor_b": assessor_b,
            "nam_staff": nam_staff,
        },
    )
    w.assessment_a = f.AssessmentFactory(organization=org_a, cycle=cycle)
    w.assessment_b = f.AssessmentFactory(organization=org_b, cycle=cycle)
    w.invitation_a = Invitation.objects.create(
        organization=org_a, email="newcomer@example.org", role="assessor", invited_by=admin_a, nonce="n" * 32
    )
    w.invitation_b = Invitation.objects.create(
        organization=org_b, email="other@example.org", role="assessor", invited_by=None, nonce="m" * 32
    )
    from axes.models import AccessAttempt

    AccessAttempt.objects.create(
        username="locked.person",
        ip_address="127.0.0.1",
        user_agent="test",
        http_accept="*/*",
        path_info="/accounts/login/",
        get_data="",
        post_data="",
        failures_since_start=5,
    )
    return w


# ---------------------------------------------------------------------------------------------------------
# The machinery


def named_urls() -> list[str]:
    names = []

    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = p.namespace
                if ns in SKIPPED_NAMESPACES:
                    continue
                walk(p.url_patterns, f"{namespace}{ns}:" if ns else namespace)
            elif isinstance(p, URLPattern) and p.name:
                names.append(f"{namespace}{p.name}")

    walk(get_resolver().url_patterns, "")
    return sorted(set(names))


def _resolve(value, world):
    return value(world) if callable(value) else value


def _url(name, row, world):
    kwargs = {key: _resolve(value, world) for key, value in row.get("kwargs", {}).items()}
    return reverse(name, kwargs=kwargs)


def _client_for(client, world, role):
    client.logout()
    user = world.users[role]
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _describe(response) -> str:
    if response.status_code in (301, 302, 303, 307, 308):
        return f"{response.status_code} -> {response['Location']}"
    return str(response.status_code)


def _matches(response, outcome, url, world) -> bool:
    if outcome == LOGIN:
        return (
            response.status_code == 302
            and response["Location"].startswith(f"{reverse('login')}?next=")
            and response["Location"].endswith(_quoted(url))
        )
    if isinstance(outcome, tuple) and outcome[0] == "redirect":
        return response.status_code == 302 and response["Location"] == _resolve(outcome[1], world)
    return response.status_code == outcome


def _quoted(url):
    from urllib.parse import quote

    return quote(url, safe="/")


def _model_counts():
    """Row counts of every model of our apps except the audit log (a refusal is audited)."""
    counts = {}
    for label in ("commitments", "assessments", "reports"):
        for model in apps.get_app_config(label).get_models():
            if model._meta.label == "assessments.AuditEvent":
                continue
            counts[model._meta.label] = model.objects.count()
    return counts


# ---------------------------------------------------------------------------------------------------------
# The tests


def test_every_url_name_has_a_row():
    missing = [name for name in named_urls() if name not in ROWS and name not in SKIPPED]
    assert missing == [], "\n".join(
        f"URL name {name} has no row in the access matrix (tests/test_access_matrix.py)" for name in missing
    )


def test_no_row_for_a_url_that_does_not_exist():
    stale = sorted(set(ROWS) - set(named_urls()))
    assert stale == [], f"rows for URL names that no longer exist: {stale}"


def test_every_row_names_every_role():
    incomplete = {name: sorted(set(ROLES) - set(row["expect"])) for name, row in ROWS.items()}
    assert {name: roles for name, roles in incomplete.items() if roles} == {}


@pytest.mark.parametrize("name", sorted(ROWS))
def test_get(name, client, world):
    if name not in named_urls():
        pytest.skip(f"{name} is not routed yet")
    row = ROWS[name]
    url = _url(name, row, world)
    wrong = []
    for role in ROLES:
        expected = row["expect"][role]
        response = _client_for(client, world, role).get(url)
        if not _matches(response, expected, url, world):
            wrong.append(f"{role}: expected {expected!r}, got {_describe(response)}")
    assert wrong == [], f"GET {url} ({name})"


@pytest.mark.parametrize("name", sorted(n for n, row in ROWS.items() if "post" in row))
def test_refused_post_changes_nothing(name, client, world):
    if name not in named_urls():
        pytest.skip(f"{name} is not routed yet")
    row = ROWS[name]
    url = _url(name, row, world)
    wrong = []
    for role, expected in row["post"].items():
        data = _resolve(row.get("data", {}), world)
        snapshot = row.get("snapshot")
        before = (_model_counts(), snapshot(world) if snapshot else None)
        response = _client_for(client, world, role).post(url, data)
        after = (_model_counts(), snapshot(world) if snapshot else None)
        if not _matches(response, expected, url, world):
            wrong.append(f"{role}: expected {expected!r}, got {_describe(response)}")
        if before != after:
            wrong.append(f"{role}: the POST changed the database: {before} -> {after}")
    assert wrong == [], f"POST {url} ({name})"
