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
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from assessments.models import Invitation, Membership
from assessments.people.services import invitation_token
from reports.models import BenchmarkRelease
from reports.plans.models import ImprovementAction
from tests import factories as f
from tests.assessments.workbook.access_rows import ROWS as WORKBOOK_ROWS
from tests.reports.reminders.access_rows import ROWS as REMINDER_ROWS

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
    # The API tokens page: tests/reports/api/test_access_matrix_api.py, with this file's world and roles.
    "reports:api_tokens",
    "reports:api_token_revoke",
}
# Rows kept by a feature (tests/<app>/<feature>/access_rows.py, tested by its test_access_matrix_*.py).
SKIPPED |= set(WORKBOOK_ROWS) | set(REMINDER_ROWS)
# Evidence files (issue 18): their own matrix, tests/assessments/evidence/test_access_matrix_evidence.py.
SKIPPED |= {f"assessments:evidence_{n}" for n in ("upload", "attach", "remove", "download", "zip")}
SKIPPED_NAMESPACES = {
    "admin",  # Django's admin: staff-only by its own rules, tested in tests/assessments/test_admin.py
    "terms",  # tests/assessments/terms/test_access_matrix_terms.py
    "archive",  # tests/reports/archive/test_access_matrix_archive.py
    "api",  # the read API (token authentication, JSON answers): tests/reports/api/test_access_matrix_api.py
}
# Rating rounds: tests/assessments/raters/test_access_matrix_raters.py (with a seventh role, the rater).
SKIPPED_NAMESPACES |= {"raters"}


def _allauth_url_names() -> set[str]:
    import allauth.urls

    names = set()

    def walk(patterns):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns)
            elif p.name:
                names.add(p.name)

    walk(allauth.urls.urlpatterns)
    return names


# django-allauth's own pages (second factor, single sign-on, its unused account pages): allauth's rules, and
# tests/test_mfa.py and tests/test_sso.py for those the portal uses. allauth's sign-in page is "login" above.
SKIPPED |= _allauth_url_names()


def redirect_to(target):
    """The outcome "302 to this path" (a string, or a callable of the world for paths with ids)."""
    return ("redirect", target)


def everyone(outcome):
    return dict.fromkeys(ROLES, outcome)


def signed_in(outcome, anonymous=LOGIN):
    return {**everyone(outcome), "anonymous": anonymous}


def _home_of(slug):
    """Where `home` sends a member: their organization's dashboard."""

    def target(world):
        return reverse("reports:org_dashboard", args=[slug])

    return target


def _home_of_nam_staff(world):
    return reverse("reports:nam_dashboard")


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


def _workflow_answer_post(world):
    """A valid save of the "engaged" commitment page of A's assessment (ENG-1 at level 3)."""
    from commitments.models import Indicator

    indicators = Indicator.objects.filter(commitment__rubric=world.rubric, commitment__slug="engaged")
    data = {"answers-TOTAL_FORMS": "3", "answers-INITIAL_FORMS": "3", "then": "stay"}
    for i, indicator in enumerate(indicators.order_by("order")):
        data.update({f"answers-{i}-indicator": indicator.pk, f"answers-{i}-version": "0"})
    data["answers-0-answer"] = "3"
    return data


def _workflow_snapshot(world):
    from assessments.models import Assessment, AssessmentCycle, Response

    return (
        sorted(Response.objects.values_list("assessment_id", "indicator_id", "level", "version")),
        sorted(Assessment.objects.values_list("pk", "status", "submitted_at", "reviewer_comment")),
        sorted(AssessmentCycle.objects.values_list("pk", "status")),
    )


WORKFLOW_REFUSED = {"anonymous": LOGIN, "executive_a": 403, "assessor_b": 404, "nam_staff": 403}
_ALPHA_2026 = {"slug": "alpha", "cycle_slug": "2026"}


# Improvement plans: assessors and org admins edit; executives and NAM staff read (reports/plans/views.py).
PLAN_EDITORS_ONLY = {
    "anonymous": LOGIN,
    "assessor_a": 200,
    "executive_a": 403,
    "admin_a": 200,
    "assessor_b": 404,
    "nam_staff": 403,
}
PLAN_WRITE_REFUSED = {"anonymous": LOGIN, "executive_a": 403, "assessor_b": 404, "nam_staff": 403}


def _plan_snapshot(world):
    from reports.plans.models import ActionNote, CommitmentTarget

    return (
        sorted(CommitmentTarget.objects.values_list("organization_id", "commitment_id", "target_level")),
        sorted(ImprovementAction.objects.values_list("pk", "title", "status", "owner_id", "commitment_id")),
        sorted(ActionNote.objects.values_list("action_id", "text")),
    )


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
    # --- the floor page of the load test and bench (views/core.py) ---
    "assessments:floor": {"kwargs": {}, "expect": signed_in(200)},
    # --- org switcher ---
    "assessments:switch_org": {
        "kwargs": {},
        "expect": POST_ONLY,
        "data": {"organization": "alpha"},
        # Only the anonymous are refused; a non-member's choice is ignored (checked in test_people_*).
        "post": {"anonymous": LOGIN},
    },
    # --- people, invitations, audit (assessments/people/views.py) ---
    # --- staying signed in (the idle-timeout warning) ---
    "assessments:session_keepalive": {
        "kwargs": {},
        "expect": POST_ONLY,
        "data": {},
        "post": {"anonymous": LOGIN},
    },
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
    # --- sign-in: NAM staff reset someone's second factors (assessments/signin/views.py) ---
    "signin:nam_mfa_reset": {
        "kwargs": {},
        "expect": NAM_ONLY,
        "data": lambda w: {"username": w.users["assessor_a"].username},
        "post": REFUSED_TO_ALL_BUT_NAM,
        "snapshot": lambda w: sorted(Authenticator.objects.values_list("user__username", "type")),
    },
    # --- sign-in: single sign-on (assessments/signin/views.py) ---
    # NAM staff; org admins only with SSO_ORG_ADMINS_MAY_CONFIGURE (tests/test_sso.py)
    "signin:org_sso_edit": {
        "kwargs": {"slug": "alpha"},
        "expect": {**REFUSED_TO_ALL_BUT_NAM, "assessor_b": 404, "nam_staff": 200},
        "data": {
            "issuer": "https://login.example.org",
            "client_id": "p",
            "client_secret": "s",
            "is_active": "on",
        },
        "post": {**REFUSED_TO_ALL_BUT_NAM, "assessor_b": 404},
    },
    "signin:sso_start": {"kwargs": {}, "expect": everyone(405)},  # public POST: the e-mail picks the provider
    "signin:nam_sso_list": {"kwargs": {}, "expect": NAM_ONLY},
    "signin:nam_sso_edit": {
        "kwargs": {"slug": "alpha"},
        "expect": NAM_ONLY,
        "data": {
            "issuer": "https://login.example.org",
            "client_id": "portal",
            "client_secret": "secret",
            "email_domains": "alpha.example",
            "is_active": "on",
        },
        "post": REFUSED_TO_ALL_BUT_NAM,
    },
    # --- assessment workflow (views/workflow.py) ---
    "assessments:org_home": {
        "kwargs": {"slug": "alpha"},
        "expect": {
            "anonymous": LOGIN,
            "assessor_a": redirect_to("/orgs/alpha/assessments/2026/"),
            "executive_a": redirect_to("/orgs/alpha/assessments/2026/"),
            "admin_a": redirect_to("/orgs/alpha/assessments/2026/"),
            "assessor_b": 404,
            "nam_staff": redirect_to("/orgs/alpha/assessments/2026/"),
        },
    },
    "assessments:overview": {"kwargs": _ALPHA_2026, "expect": ORG_MEMBERS_ONLY},
    "assessments:commitment": {
        "kwargs": {**_ALPHA_2026, "commitment_slug": "engaged"},
        "expect": ORG_MEMBERS_ONLY,
        "data": _workflow_answer_post,
        "post": WORKFLOW_REFUSED,
        "snapshot": _workflow_snapshot,
    },
    "assessments:review": {"kwargs": _ALPHA_2026, "expect": ORG_MEMBERS_ONLY},
    "assessments:start": {
        "kwargs": _ALPHA_2026,
        # GET leads to the overview (opening a page never writes); starting is a POST.
        "expect": signed_in(redirect_to("/orgs/alpha/assessments/2026/")),
        "post": WORKFLOW_REFUSED,
        "snapshot": _workflow_snapshot,
    },
    "assessments:submit": {
        "kwargs": _ALPHA_2026,
        # GET (a bookmark, next= after signing in) leads to the review page, which checks access.
        "expect": signed_in(redirect_to("/orgs/alpha/assessments/2026/review/")),
        "post": WORKFLOW_REFUSED,
        "snapshot": _workflow_snapshot,
    },
    "assessments:copy_previous": {
        "kwargs": _ALPHA_2026,
        "expect": POST_ONLY,
        "post": WORKFLOW_REFUSED,
        "snapshot": _workflow_snapshot,
    },
    "assessments:history": {"kwargs": _ALPHA_2026, "expect": ORG_MEMBERS_ONLY},
    "assessments:compliance": {"kwargs": _ALPHA_2026, "expect": ORG_MEMBERS_ONLY, "post": WORKFLOW_REFUSED},
    "reports:assessment_export": {"kwargs": {**_ALPHA_2026, "fmt": "csv"}, "expect": ORG_MEMBERS_ONLY},
    # --- NAM staff: cycles and review (views/nam.py) ---
    "assessments:nam_cycles": {
        "kwargs": {},
        "expect": NAM_ONLY,
        "data": lambda w: {
            "name": "2031",
            "rubric": w.rubric.pk,
            "opens_on": "2031-01-10",
            "closes_on": "2031-06-30",
        },
        "post": REFUSED_TO_ALL_BUT_NAM,
    },
    "assessments:nam_cycle": {"kwargs": {"cycle_slug": "2026"}, "expect": NAM_ONLY},
    "assessments:nam_cycle_status": {
        "kwargs": {"cycle_slug": "2026"},
        "expect": POST_ONLY,
        "data": {"status": "closed"},
        "post": REFUSED_TO_ALL_BUT_NAM,
        "snapshot": _workflow_snapshot,
    },
    "assessments:nam_review_queue": {"kwargs": {}, "expect": NAM_ONLY},
    "assessments:nam_review": {"kwargs": {"pk": lambda w: w.assessment_a.pk}, "expect": NAM_ONLY},
    "assessments:nam_review_decision": {
        "kwargs": {"pk": lambda w: w.assessment_a.pk},
        "expect": POST_ONLY,
        "data": {"decision": "return", "comment": "Please add evidence."},
        "post": REFUSED_TO_ALL_BUT_NAM,
        "snapshot": _workflow_snapshot,
    },
    # --- improvement plans (reports/plans/views.py) ---
    "reports:plan": {"kwargs": {"slug": "alpha"}, "expect": ORG_MEMBERS_ONLY},
    "reports:plan_build": {
        "kwargs": {"slug": "alpha"},
        "expect": PLAN_EDITORS_ONLY,
        "data": {"commitment": ["engaged"]},
        "post": PLAN_WRITE_REFUSED,
        "snapshot": _plan_snapshot,
    },
    "reports:plan_target": {
        "kwargs": {"slug": "alpha"},
        "expect": POST_ONLY,
        "data": lambda w: {"cycle": "2026", "commitment": w.engaged.pk, "target_level": "3.50"},
        "post": PLAN_WRITE_REFUSED,
        "snapshot": _plan_snapshot,
    },
    "reports:plan_action_new": {
        "kwargs": {"slug": "alpha"},
        "expect": PLAN_EDITORS_ONLY,
        "data": lambda w: {"cycle": "2026", "commitment": w.engaged.pk, "title": "New", "status": "planned"},
        "post": PLAN_WRITE_REFUSED,
        "snapshot": _plan_snapshot,
    },
    "reports:plan_action_edit": {
        "kwargs": {"slug": "alpha", "pk": lambda w: w.action_a.pk},
        "expect": ORG_MEMBERS_ONLY,  # readers see the action and its notes; only editors may change it
        "data": lambda w: {"commitment": w.engaged.pk, "title": "Changed", "status": "done"},
        "post": PLAN_WRITE_REFUSED,
        "snapshot": _plan_snapshot,
    },
    "reports:plan_action_note": {
        "kwargs": {"slug": "alpha", "pk": lambda w: w.action_a.pk},
        "expect": POST_ONLY,
        "data": {"text": "Progress"},
        "post": PLAN_WRITE_REFUSED,
        "snapshot": _plan_snapshot,
    },
    "reports:plan_action_status": {
        "kwargs": {"slug": "alpha", "pk": lambda w: w.action_a.pk},
        "expect": POST_ONLY,
        "data": {"status": "done"},
        "post": PLAN_WRITE_REFUSED,
        "snapshot": _plan_snapshot,
    },
    "reports:plan_export": {"kwargs": {"slug": "alpha", "fmt": "csv"}, "expect": ORG_MEMBERS_ONLY},
    "reports:nam_plans": {"kwargs": {}, "expect": NAM_ONLY},
    "reports:nam_plans_export": {"kwargs": {}, "expect": NAM_ONLY},
    # --- scores and dashboards (reports) ---
    # --- scorecards (reports) ---
    "reports:scorecards": {
        "kwargs": {"slug": "alpha"},
        "expect": ORG_MEMBERS_ONLY,
        "data": lambda w: {"cycle": w.cycle.pk, "peer_group": "all"},
        "post": {"anonymous": LOGIN, "assessor_b": 404},
    },
    "reports:scorecard": {
        "kwargs": {"slug": "alpha", "pk": lambda w: w.scorecard_a.pk},
        "expect": ORG_MEMBERS_ONLY,
    },
    "reports:scorecard_status": {
        "kwargs": {"slug": "alpha", "pk": lambda w: w.scorecard_a.pk},
        "expect": ORG_MEMBERS_ONLY,
    },
    "reports:scorecard_download": {
        "kwargs": {"slug": "alpha", "pk": lambda w: w.scorecard_a.pk},
        "expect": ORG_MEMBERS_ONLY,
    },
    "reports:scorecard_retry": {
        "kwargs": {"slug": "alpha", "pk": lambda w: w.failed_scorecard_a.pk},
        "expect": POST_ONLY,
        "post": {"anonymous": LOGIN, "assessor_b": 404},
        "snapshot": lambda w: _scorecard_states(),
    },
    "reports:nam_scorecard_batches": {
        "kwargs": {},
        "expect": NAM_ONLY,
        "data": lambda w: {"cycle": w.cycle.pk, "peer_group": "all"},
        "post": REFUSED_TO_ALL_BUT_NAM,
    },
    "reports:nam_scorecard_batch": {"kwargs": {"pk": lambda w: w.batch.pk}, "expect": NAM_ONLY},
    "reports:nam_scorecard_batch_zip": {"kwargs": {"pk": lambda w: w.batch.pk}, "expect": NAM_ONLY},
    # --- scores and dashboards (views/dashboards.py, views/nam_exports.py) ---
    "reports:how_scores_work": {"kwargs": {}, "expect": everyone(200)},
    "reports:org_dashboard": {"kwargs": {"slug": "alpha"}, "expect": ORG_MEMBERS_ONLY},
    "reports:nam_dashboard": {"kwargs": {}, "expect": NAM_ONLY},
    "reports:nam_export": {"kwargs": {"what": "benchmarks", "fmt": "csv"}, "expect": NAM_ONLY},
    # --- benchmark releases (views/releases.py) ---
    "reports:nam_release_preview": {"kwargs": {"cycle_slug": "2026"}, "expect": NAM_ONLY},
    "reports:nam_release_publish": {
        "kwargs": {"cycle_slug": "2026"},
        "expect": POST_ONLY,
        "post": REFUSED_TO_ALL_BUT_NAM,
        "snapshot": lambda w: list(BenchmarkRelease.objects.values_list("pk", flat=True)),
    },
    "reports:nam_cycle_close": {
        "kwargs": {"cycle_slug": "2026"},
        "expect": POST_ONLY,
        "post": REFUSED_TO_ALL_BUT_NAM,
        "snapshot": _workflow_snapshot,
    },
}
from tests.assessments.review.access_rows import ROWS as REVIEW_ROWS  # noqa: E402  (its own file)

ROWS.update(REVIEW_ROWS)


def _scorecard_states():
    from reports.models import Scorecard

    return list(Scorecard.objects.order_by("pk").values_list("status", "attempts", "error_message"))


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
    w.engaged = rubric.commitments.get(slug="engaged")
    w.action_a = ImprovementAction.objects.create(
        organization=org_a, cycle=cycle, commitment=w.engaged, title="Alpha's action"
    )
    # Scorecards: a ready one of Alpha (a small stored file), a failed one, and a NAM batch holding the first.
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from reports.models import Scorecard, ScorecardBatch

    pdf_name = default_storage.save("scorecards/alpha-matrix.pdf", ContentFile(b"%PDF-1.7\n%%EOF\n"))
    w.scorecard_a = Scorecard.objects.create(
        assessment=w.assessment_a, inputs_hash="a" * 64, status="ready", file=pdf_name
    )
    w.failed_scorecard_a = Scorecard.objects.create(
        assessment=w.assessment_a, peer_group="region", inputs_hash="b" * 64, status="failed", attempts=3
    )
    w.batch = ScorecardBatch.objects.create(cycle=cycle, requested_by=nam_staff)
    w.scorecard_a.batches.add(w.batch)
    from axes.models import AccessAttempt

    # A second factor for the reset row to (not) remove.
    Authenticator.objects.create(user=assessor_a, type=Authenticator.Type.TOTP, data={"secret": "unused"})
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
        client.force_login(user, backend="assessments.backends.PortalBackend")
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


# The two checks every matrix runs, here and in each feature's own matrix file (tests/<app>/<feature>/).


def check_get(client, world, name, row, roles=ROLES):
    """Each role GETs the row's URL and gets exactly the expected outcome."""
    url = _url(name, row, world)
    wrong = []
    for role in roles:
        expected = row["expect"][role]
        response = _client_for(client, world, role).get(url)
        if not _matches(response, expected, url, world):
            wrong.append(f"{role}: expected {expected!r}, got {_describe(response)}")
    assert wrong == [], f"GET {url} ({name})"


def check_refused_posts(client, world, name, row):
    """Each role of row["post"] POSTs row["data"]: the expected outcome, and the database (and the row's own
    snapshot, when it has one) unchanged."""
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


@pytest.mark.parametrize("name", sorted(ROWS))
def test_get(name, client, world):
    if name not in named_urls():
        pytest.skip(f"{name} is not routed yet")
    check_get(client, world, name, ROWS[name])


@pytest.mark.parametrize("name", sorted(n for n, row in ROWS.items() if "post" in row))
def test_refused_post_changes_nothing(name, client, world):
    if name not in named_urls():
        pytest.skip(f"{name} is not routed yet")
    check_refused_posts(client, world, name, ROWS[name])


# ---------------------------------------------------------------------------------------------------------
# A second factor first: with MFA_REQUIRED_FOR=admins, NAM staff and organization admins without one reach no
# page but the set-up (and sign-out); with one, they get the matrix's outcomes. Others are not held up.

MFA_SETUP = "/accounts/2fa/"
REACHABLE_BEFORE_ENROLMENT = {"healthz"}


@pytest.mark.parametrize("name", sorted(ROWS))
def test_second_factor_required_before_any_page(name, client, world, settings):
    settings.MFA_REQUIRED_FOR = "admins"
    row = ROWS[name]
    url = _url(name, row, world)
    wrong = []
    for role in ("admin_a", "nam_staff"):
        expected = row["expect"][role] if name in REACHABLE_BEFORE_ENROLMENT else redirect_to(MFA_SETUP)
        response = _client_for(client, world, role).get(url)
        if not _matches(response, expected, url, world):
            wrong.append(f"{role} without a second factor: expected {expected!r}, got {_describe(response)}")
        if "data" in row and name not in REACHABLE_BEFORE_ENROLMENT:
            before = _model_counts()
            response = client.post(url, _resolve(row["data"], world))
            if not _matches(response, expected, url, world) or _model_counts() != before:
                wrong.append(f"{role} without a second factor: POST got {_describe(response)}")
    for role in ("admin_a", "nam_staff"):
        Authenticator.objects.create(
            user=world.users[role], type=Authenticator.Type.TOTP, data={"secret": "x"}
        )
    for role in ("assessor_a", "admin_a", "nam_staff"):
        expected = row["expect"][role]
        response = _client_for(client, world, role).get(url)
        if not _matches(response, expected, url, world):
            wrong.append(f"{role} with a second factor: expected {expected!r}, got {_describe(response)}")
    assert wrong == [], f"GET {url} ({name})"
