"""reports/management/commands/loadtest.py: the accounts and signed-in sessions of the load, and a clear
refusal without PostgreSQL.

The capacity measurement itself (gunicorn, tests/load/open_model.py, minutes) runs with `make loadtest`, not
in the suite.
"""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from reports.management.commands.loadtest import accounts, sessions
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_accounts_are_assessors_of_open_drafts_and_executives_of_submitted_results(
    cycle, org_a, org_b, assessor_a, assessor_b, executive_a, nam_staff
):
    f.AssessmentFactory(organization=org_a, cycle=cycle, status="draft")
    f.answer_all(f.AssessmentFactory(organization=org_b, cycle=cycle), 3, status="submitted")
    executive_b = f.MembershipFactory(organization=org_b, role="executive").user
    result = accounts()
    assert result["password"] == "portal-demo-2026"
    assert [a["username"] for a in result["assessors"]] == [assessor_a.username]  # bravo has submitted
    assert result["assessors"][0]["assessment"] == "/orgs/alpha/assessments/2026/"
    assert result["assessors"][0]["commitments"][:2] == ["engaged", "safe"]
    assert len(result["assessors"][0]["commitments"]) == 10
    assert result["executives"] == [{"username": executive_b.username, "dashboard": "/orgs/bravo/dashboard/"}]
    assert result["nam"] == "nam.staff"
    assert result["floor"] == "/signed-in/"


def test_sessions_are_signed_in_as_their_accounts(client, cycle, org_a, assessor_a, nam_staff):
    f.AssessmentFactory(organization=org_a, cycle=cycle, status="draft")
    nam_staff.username = "nam.staff"  # the demo's NAM staff account
    nam_staff.save()
    result = sessions()
    (assessor,) = result["sessions"]["assessors"]
    assert assessor["username"] == assessor_a.username
    for cookie, who in ((assessor["cookie"], assessor_a), (result["sessions"]["nam"]["cookie"], nam_staff)):
        name, value = cookie.split("=")
        client.cookies[name] = value
        response = client.get(result["floor"])
        assert (response.status_code, response.wsgi_request.user) == (200, who)


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the refusal is for SQLite")
def test_the_load_test_refuses_sqlite_with_a_clear_message():
    with pytest.raises(CommandError, match="make loadtest needs PostgreSQL: set DATABASE_URL"):
        call_command("loadtest")
