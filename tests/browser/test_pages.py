"""The pages no journey walks through: each one passes axe (WCAG 2.1 AA) with the same checks as the journeys.

One test per kind of user (a live server and a browser context cost seconds; pages cost less than one each);
every page is checked before the test fails, so one run lists every problem.
"""

import pytest

from assessments.models import Assessment
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check_pages(journey, pages: list[tuple[str, str]]):
    problems = []
    for label, path in pages:
        journey.goto(path)
        try:
            journey.check(label)
        except AssertionError as error:
            problems.append(str(error))
        journey.console_errors.clear()
    assert problems == [], "\n\n".join(problems)


def test_pages_of_an_organization(journey, cycle, org_a, admin_a):
    f.answer_all(f.AssessmentFactory(organization=org_a, cycle=cycle), [3, 4, 2] * 10)
    action = f.ImprovementActionFactory(organization=org_a, cycle=cycle, title="Publish falls data monthly")
    f.ActionNoteFactory(action=action, text="Board agreed in March.")
    f.CommitmentTargetFactory(organization=org_a, cycle=cycle, target_level=4)
    journey.login("adam")
    check_pages(
        journey,
        [
            ("dashboard-before-results", "/orgs/alpha/dashboard/"),
            ("assessment-history", "/orgs/alpha/assessments/2026/history/"),
            ("plan", "/orgs/alpha/plan/"),
            ("scorecards-none-yet", "/orgs/alpha/scorecards/"),
            ("commitments", "/commitments/"),
            ("password-change", "/accounts/password_change/"),
        ],
    )


def test_pages_of_nam_staff(journey, cycle, org_a, nam_staff):
    f.answer_all(f.AssessmentFactory(organization=org_a, cycle=cycle), 3, status=Assessment.Status.SUBMITTED)
    journey.login("nadia")
    check_pages(
        journey,
        [
            ("organizations", "/nam/organizations/"),
            ("audit-log", "/nam/audit/"),
            ("lockouts", "/nam/lockouts/"),
            ("scorecard-batches", "/nam/scorecards/"),
            ("plans", "/nam/plans/"),
            ("members-of-an-organization", "/orgs/alpha/people/"),
        ],
    )


def test_pages_without_an_organization(journey, db):
    f.UserFactory(username="nomad")
    check_pages(journey, [("invitation-bad-link", "/invitations/not-a-real-token/")])
    journey.login("nomad")
    check_pages(journey, [("no-membership", "/")])
