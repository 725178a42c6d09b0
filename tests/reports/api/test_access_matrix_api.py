"""Every API endpoint against the access matrix: the token's owner, a member of another organization (404,
as the pages), a member of both whose token reads the other one (403: wrong scope), NAM staff with a
NAM-wide token, and expired or revoked tokens (401)."""

import datetime

import pytest
from django.utils import timezone

from assessments.models import AuditEvent, Role
from assessments.permissions import NAM_STAFF_GROUP
from reports.api.models import ApiToken
from tests import factories as f

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
    "/api/v1/nam/releases/{release}/benchmarks/",
]


@pytest.fixture
def world(released, assessor_a, assessor_b, org_a, org_b, nam_staff):
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
def test_organization_endpoints(world, url, who, status, detail):
    response = client_for(world[who]).get(url)
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
def test_nam_endpoints(world, url, who, status, detail):
    response = client_for(world[who]).get(url.format(release=world["release"].pk))
    assert response.status_code == status
    if detail is not None:
        assert response.json() == {"detail": detail}
    else:
        assert response.json()


@pytest.mark.parametrize("url", NAM_ENDPOINTS + ORG_ENDPOINTS)
def test_nam_wide_token_of_someone_no_longer_staff(world, nam_staff, url):
    nam_staff.groups.remove(nam_staff.groups.get(name=NAM_STAFF_GROUP))
    response = client_for(world["nam"]).get(url.format(release=world["release"].pk))
    if url.startswith("/api/v1/nam/"):
        assert (response.status_code, response.json()) == (403, {"detail": "NAM staff only"})
    else:
        assert (response.status_code, response.json()) == (404, {"detail": "No such organization."})


@pytest.mark.parametrize("url", NAM_ENDPOINTS + ORG_ENDPOINTS)
@pytest.mark.parametrize("who", ["owner", "nam"])
@pytest.mark.parametrize("state", ["expired", "revoked"])
def test_expired_or_revoked_tokens_are_401(world, url, who, state):
    prefix = world[who].removeprefix("lhs_").split("_")[0]
    change = (
        {"expires_at": timezone.now() - datetime.timedelta(minutes=1)}
        if state == "expired"
        else {"revoked_at": timezone.now()}
    )
    ApiToken.objects.filter(prefix=prefix).update(**change)
    response = client_for(world[who]).get(url.format(release=world["release"].pk))
    assert response.status_code == 401
    assert response.json()["detail"].startswith(
        "This API token expired on" if state == "expired" else "This API token has been revoked."
    )
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.API_REQUEST).exists()


def test_denials_are_in_the_audit_log_as_on_the_pages(world, org_a):
    client_for(world["wrong scope"]).get(ORG_ENDPOINTS[0])
    client_for(world["other organization"]).get(ORG_ENDPOINTS[0])
    denied = list(
        AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCESS_DENIED)
        .order_by("pk")
        .values_list("actor__username", "organization", "detail")
    )
    assert [(who, org) for who, org, _ in denied] == [("bea", org_a.pk), ("bob", org_a.pk)]
    assert denied[1][2] == "GET /api/v1/orgs/alpha/cycles/: not a member"
