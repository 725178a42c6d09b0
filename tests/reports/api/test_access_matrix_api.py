"""Every API endpoint against the access matrix: the token's owner, a member of another organization (404,
as the pages), a member of both whose token reads the other one (403: wrong scope), NAM staff with a
NAM-wide token, and expired or revoked tokens (401)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import AuditEvent, Role
from assessments.permissions import NAM_STAFF_GROUP
from reports.api.models import ApiToken
from tests import factories as f
from tests import test_access_matrix as matrix
from tests.test_access_matrix import world  # noqa: F401 (a fixture: the matrix's organizations and roles)

from .conftest import client_for, make_token

ORG_ENDPOINTS = [
    "/api/v1/orgs/alpha/cycles/",
    "/api/v1/orgs/alpha/assessments/2026/",
    "/api/v1/orgs/alpha/assessments/2026/scores/",
    "/api/v1/orgs/alpha/plans/2026/",
]
NAM_ENDPOINTS = [
    "/api/v1/nam/cycles/",
    "/api/v1/nam/cycles/2026/responses/",
    "/api/v1/nam/cycles/2026/attestations/",
    "/api/v1/nam/cycles/2026/plans/",
    "/api/v1/nam/releases/{release}/benchmarks/",
]


@pytest.fixture
def api_world(released, assessor_a, assessor_b, org_a, org_b, nam_staff):
    both = f.UserFactory(username="bea")
    f.MembershipFactory(user=both, organization=org_a, role=Role.EXECUTIVE)
    f.MembershipFactory(user=both, organization=org_b, role=Role.ASSESSOR)
    return {
        "owner": make_token(assessor_a, org_a)[1],
        "other organization": make_token(assessor_b, org_b)[1],
        "wrong scope": make_token(both, org_b)[1],
        "nam": make_token(nam_staff, nam_wide=True)[1],
        "release": released,
    }


@pytest.mark.parametrize("url", ORG_ENDPOINTS)
@pytest.mark.parametrize(
    ("who", "status", "detail"),
    [
        ("owner", 200, None),
        ("nam", 200, None),
        ("other organization", 404, "No such organization."),
        ("wrong scope", 403, "outside the scope of API token"),
    ],
)
def test_organization_endpoints(api_world, url, who, status, detail):
    response = client_for(api_world[who]).get(url)
    assert response.status_code == status
    if detail is not None:
        assert response.json()["detail"].startswith(detail)
    else:
        assert response.json()


@pytest.mark.parametrize("url", NAM_ENDPOINTS)
@pytest.mark.parametrize(
    ("who", "status", "detail"),
    [
        ("nam", 200, None),
        ("owner", 403, "NAM endpoints need a NAM-wide token; this token reads one organization"),
        ("wrong scope", 403, "NAM endpoints need a NAM-wide token; this token reads one organization"),
    ],
)
def test_nam_endpoints(api_world, url, who, status, detail):
    response = client_for(api_world[who]).get(url.format(release=api_world["release"].pk))
    assert response.status_code == status
    if detail is not None:
        assert response.json() == {"detail": detail}
    else:
        assert response.json()


@pytest.mark.parametrize("url", NAM_ENDPOINTS + ORG_ENDPOINTS)
def test_nam_wide_token_of_someone_no_longer_staff(api_world, nam_staff, url):
    nam_staff.groups.remove(nam_staff.groups.get(name=NAM_STAFF_GROUP))
    response = client_for(api_world["nam"]).get(url.format(release=api_world["release"].pk))
    if url.startswith("/api/v1/nam/"):
        assert (response.status_code, response.json()) == (403, {"detail": "NAM staff only"})
    else:
        assert (response.status_code, response.json()) == (404, {"detail": "No such organization."})


@pytest.mark.parametrize("url", NAM_ENDPOINTS + ORG_ENDPOINTS)
@pytest.mark.parametrize("who", ["owner", "nam"])
@pytest.mark.parametrize("state", ["expired", "revoked"])
def test_expired_or_revoked_tokens_are_401(api_world, url, who, state):
    prefix = api_world[who].removeprefix("lhs_").split("_")[0]
    change = (
        {"expires_at": timezone.now() - datetime.timedelta(minutes=1)}
        if state == "expired"
        else {"revoked_at": timezone.now()}
    )
    ApiToken.objects.filter(prefix=prefix).update(**change)
    response = client_for(api_world[who]).get(url.format(release=api_world["release"].pk))
    assert response.status_code == 401
    assert response.json()["detail"].startswith(
        "This API token expired on" if state == "expired" else "This API token has been revoked."
    )
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.API_REQUEST).exists()


def test_denials_are_in_the_audit_log_as_on_the_pages(api_world, org_a):
    client_for(api_world["wrong scope"]).get(ORG_ENDPOINTS[0])
    client_for(api_world["other organization"]).get(ORG_ENDPOINTS[0])
    denied = list(
        AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCESS_DENIED)
        .order_by("pk")
        .values_list("actor__username", "organization", "detail")
    )
    assert [(who, org) for who, org, _ in denied] == [("bea", org_a.pk), ("bob", org_a.pk)]
    assert denied[1][2] == "GET /api/v1/orgs/alpha/cycles/: not a member"


# ---------------------------------------------------------------------------------------------------------
# The API tokens page, in the access matrix's terms (tests/test_access_matrix.py skips these names for here)


def test_tokens_page_for_every_role(client, world):  # noqa: F811
    url = reverse("reports:api_tokens")
    expected = dict.fromkeys(matrix.ROLES, 200) | {"anonymous": matrix.LOGIN}
    wrong = []
    for role, outcome in expected.items():
        response = matrix._client_for(client, world, role).get(url)
        if not matrix._matches(response, outcome, url, world):
            wrong.append(f"{role}: expected {outcome!r}, got {matrix._describe(response)}")
    assert wrong == []


def test_revoke_refused_to_everyone_but_the_owner(client, world):  # noqa: F811
    w = world
    token, _ = make_token(w.users["assessor_a"], w.users["assessor_a"].memberships.get().organization)
    url = reverse("reports:api_token_revoke", args=[token.pk])
    refused = {"anonymous": matrix.LOGIN} | dict.fromkeys(
        ["executive_a", "admin_a", "assessor_b", "nam_staff"], 404
    )
    wrong = []
    for role, outcome in refused.items():
        before = matrix._model_counts()
        response = matrix._client_for(client, w, role).post(url)
        if not matrix._matches(response, outcome, url, w):
            wrong.append(f"{role}: expected {outcome!r}, got {matrix._describe(response)}")
        token.refresh_from_db()
        if token.revoked_at is not None or matrix._model_counts() != before:
            wrong.append(f"{role}: the POST changed the database")
    response = matrix._client_for(client, w, "assessor_a").get(url)
    assert response.status_code == 405
    assert wrong == []
