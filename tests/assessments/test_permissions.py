"""assessments/permissions.py: who may see and do what, and what a refusal looks like."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from assessments import permissions
from assessments.models import AuditEvent, Role
from assessments.permissions import NAM_ACTIONS, ROLE_ACTIONS, Action
from tests import factories as f

pytestmark = pytest.mark.django_db


def _request(user, path="/orgs/alpha/people/", method="get"):
    request = getattr(RequestFactory(), method)(path)
    request.user = user
    request.session = SessionStore()
    return request


def test_the_role_matrix():
    # Only an executive attests an assessment (assessments/review): not even the org admin.
    assert ROLE_ACTIONS[Role.ORG_ADMIN] == frozenset(Action) - {Action.ATTEST}
    assert ROLE_ACTIONS[Role.ASSESSOR] == {
        Action.VIEW,
        Action.EDIT_ASSESSMENT,
        Action.EDIT_PLAN,
        Action.REQUEST_SCORECARD,
        Action.EXPORT,
    }
    assert ROLE_ACTIONS[Role.EXECUTIVE] == {
        Action.VIEW,
        Action.REQUEST_SCORECARD,
        Action.EXPORT,
        Action.ATTEST,
    }
    # NAM staff never fill in an organization's answers or plan.
    assert Action.EDIT_ASSESSMENT not in NAM_ACTIONS and Action.EDIT_PLAN not in NAM_ACTIONS
    assert Action.MANAGE_MEMBERS in NAM_ACTIONS


@pytest.mark.parametrize(
    ("who", "action", "allowed"),
    [
        ("admin_a", Action.MANAGE_MEMBERS, True),
        ("assessor_a", Action.MANAGE_MEMBERS, False),
        ("assessor_a", Action.EDIT_ASSESSMENT, True),
        ("executive_a", Action.EDIT_ASSESSMENT, False),
        ("executive_a", Action.VIEW, True),
        ("assessor_b", Action.VIEW, False),
        ("nam_staff", Action.VIEW, True),
        ("nam_staff", Action.EDIT_ASSESSMENT, False),
    ],
)
def test_can(request, org_a, who, action, allowed):
    assert permissions.can(request.getfixturevalue(who), action, org_a) is allowed


def test_a_member_gets_the_organization_and_it_becomes_active(assessor_a, org_a):
    req = _request(assessor_a)
    assert permissions.organization_for(req, "alpha", Action.VIEW) == org_a
    assert req.session[permissions.ACTIVE_ORG_SESSION_KEY] == "alpha"
    assert AuditEvent.objects.count() == 0


def test_a_non_member_gets_404_and_the_attempt_is_audited(assessor_b, org_a):
    req = _request(assessor_b)
    with pytest.raises(Http404):
        permissions.organization_for(req, "alpha", Action.VIEW)
    event = AuditEvent.objects.get()
    assert (event.kind, event.actor, event.organization, event.ip_address, event.detail) == (
        "access_denied",
        assessor_b,
        org_a,
        "127.0.0.1",
        "GET /orgs/alpha/people/: not a member",
    )


def test_a_missing_or_inactive_organization_is_404_for_everyone(nam_staff, org_a):
    org_a.is_active = False
    org_a.save()
    for slug in ("alpha", "nowhere"):
        with pytest.raises(Http404):
            permissions.organization_for(_request(nam_staff), slug, Action.VIEW)


def test_a_member_without_the_role_gets_403_audited(executive_a, org_a):
    req = _request(executive_a, method="post")
    with pytest.raises(PermissionDenied):
        permissions.organization_for(req, "alpha", Action.MANAGE_MEMBERS)
    event = AuditEvent.objects.get()
    assert (event.kind, event.actor, event.organization, event.detail) == (
        "access_denied",
        executive_a,
        org_a,
        "POST /orgs/alpha/people/: role executive may not manage_members",
    )


def test_nam_staff_read_every_organization_but_do_not_edit_answers(nam_staff, org_b):
    assert permissions.organization_for(_request(nam_staff), "bravo", Action.VIEW) == org_b
    with pytest.raises(PermissionDenied):
        permissions.organization_for(_request(nam_staff), "bravo", Action.EDIT_ASSESSMENT)


def test_require_nam_staff(nam_staff, admin_a):
    permissions.require_nam_staff(_request(nam_staff))
    with pytest.raises(PermissionDenied):
        permissions.require_nam_staff(_request(admin_a, path="/nam/audit/"))
    assert AuditEvent.objects.get().detail == "GET /nam/audit/: NAM staff only"


def test_is_nam_staff(nam_staff, admin_a):
    superuser = f.UserFactory(username="root", is_superuser=True)
    assert permissions.is_nam_staff(nam_staff) is True
    assert permissions.is_nam_staff(superuser) is True
    assert permissions.is_nam_staff(admin_a) is False
    assert permissions.is_nam_staff(AnonymousUser()) is False


def test_active_membership_follows_the_session(admin_a, org_a, org_b):
    f.MembershipFactory(user=admin_a, organization=org_b, role=Role.EXECUTIVE)
    req = _request(admin_a)
    assert permissions.active_membership(req).organization == org_a  # first by name
    req.session[permissions.ACTIVE_ORG_SESSION_KEY] = "bravo"
    assert permissions.active_membership(req).organization == org_b
    req.session[permissions.ACTIVE_ORG_SESSION_KEY] = "not-mine"
    assert permissions.active_membership(req).organization == org_a
    assert permissions.active_membership(_request(AnonymousUser())) is None


def test_memberships_of_inactive_organizations_do_not_count(assessor_a, org_a):
    org_a.is_active = False
    org_a.save()
    assert permissions.user_memberships(assessor_a) == []
