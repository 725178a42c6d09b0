"""Who receives which reminder when, in their own time zone; nothing twice."""

import datetime

import pytest

from reports.reminders.models import ReminderPreference, SentReminder
from reports.reminders.services import reminders_run
from tests import factories as f

from .conftest import at

pytestmark = pytest.mark.django_db


def _sent(mailoutbox):
    return sorted((m.to[0], m.subject) for m in mailoutbox)


DEADLINE = "Reminder: your self-assessment is not submitted yet"
ACTIONS = "Reminder: improvement actions you own are due"
REVIEW = "Reminder: submissions waiting for review"


@pytest.mark.parametrize(
    ("moment", "threshold", "days_left"),
    [
        (at(2026, 11, 15, 13), 30, 30),
        (at(2026, 12, 1, 13), 14, 14),
        (at(2026, 12, 5, 13), 14, 10),  # the 14-day reminder was missed: made up, once
        (at(2026, 12, 8, 13), 7, 7),
        (at(2026, 12, 14, 13), 1, 1),
    ],
)
def test_deadline_reminders_to_assessors_and_admins(
    alpha_people, bravo_submitted, mailoutbox, moment, threshold, days_left
):
    assessor, _admin, _executive = alpha_people
    assert reminders_run(now=moment) == 2
    assert reminders_run(now=moment) == 0  # the schedule runs again: nothing is sent twice
    assert _sent(mailoutbox) == [("adam@example.org", DEADLINE), ("alice@example.org", DEADLINE)]
    body = mailoutbox[0].body
    plural = "s" if days_left != 1 else ""
    assert (
        "- Alpha Regional Hospital: the 2026 self-assessment is due on December 15, 2026 "
        f"({days_left} day{plural} left) and is not submitted yet.\n  https://portal.example.org/orgs/alpha/assessments/2026/"
        in body
    )
    keys = sorted(SentReminder.objects.values_list("user__username", "kind", "event_key"))
    cycle_id, org_id = bravo_submitted.cycle_id, assessor.memberships.get().organization_id
    key = f"cycle {cycle_id}:organization {org_id}:{threshold} days"
    assert keys == [("adam", "deadline", key), ("alice", "deadline", key)]


@pytest.mark.parametrize(
    "moment",
    [
        at(2026, 11, 14, 13),  # 31 days before
        at(2026, 11, 15, 12, 59),  # 07:59 in New York: not yet morning
        at(2026, 12, 15, 13),  # the day it closes: too late for a reminder
    ],
)
def test_no_deadline_reminder(alpha_people, mailoutbox, moment, cycle):
    assert reminders_run(now=moment) == 0
    assert mailoutbox == []
    assert SentReminder.objects.count() == 0


def test_each_in_their_own_time_zone(alpha_people, cycle, mailoutbox):
    assessor, _admin, _ = alpha_people
    ReminderPreference.objects.create(user=assessor, time_zone="Asia/Tokyo")
    # 23:30 UTC on November 14: 08:30 on the 15th in Tokyo (30 days left), 18:30 on the 14th in New York (31).
    assert reminders_run(now=at(2026, 11, 14, 23, 30)) == 1
    assert _sent(mailoutbox) == [("alice@example.org", DEADLINE)]
    # 07:00 in New York on the 15th: still not Adam's morning.
    assert reminders_run(now=at(2026, 11, 15, 12)) == 0
    assert reminders_run(now=at(2026, 11, 15, 13)) == 1
    assert _sent(mailoutbox) == [("adam@example.org", DEADLINE), ("alice@example.org", DEADLINE)]


def test_a_kind_turned_off_is_not_sent(alpha_people, cycle, mailoutbox):
    _assessor, admin, _ = alpha_people
    ReminderPreference.objects.create(user=admin, deadline=False)
    assert reminders_run(now=at(2026, 11, 15, 13)) == 1
    assert _sent(mailoutbox) == [("alice@example.org", DEADLINE)]


def test_action_owners_due_in_seven_days_and_overdue(alpha_people, cycle, org_a, mailoutbox):
    assessor, admin, _ = alpha_people
    make = f.ImprovementActionFactory
    make(
        organization=org_a,
        cycle=cycle,
        owner=assessor,
        title="Publish the dashboard",
        due_date=datetime.date(2026, 11, 22),
    )
    make(
        organization=org_a,
        cycle=cycle,
        owner=assessor,
        title="Train the board",
        due_date=datetime.date(2026, 11, 10),
    )
    make(organization=org_a, cycle=cycle, owner=assessor, title="Later", due_date=datetime.date(2026, 11, 23))
    make(
        organization=org_a,
        cycle=cycle,
        owner=assessor,
        title="Finished",
        due_date=datetime.date(2026, 11, 1),
        status="done",
    )
    make(organization=org_a, cycle=cycle, owner=None, title="Nobody's", due_date=datetime.date(2026, 11, 1))
    ReminderPreference.objects.create(user=assessor, deadline=False)
    ReminderPreference.objects.create(user=admin, deadline=False)
    assert reminders_run(now=at(2026, 11, 15, 14)) == 1
    assert reminders_run(now=at(2026, 11, 15, 15)) == 0
    assert _sent(mailoutbox) == [("alice@example.org", ACTIONS)]
    body = mailoutbox[0].body
    assert (
        "- Alpha Regional Hospital, Engaged: “Train the board” is overdue since November 10, 2026 (5 days)."
        in body
    )
    assert "- Alpha Regional Hospital, Engaged: “Publish the dashboard” is due on November 22, 2026." in body
    assert "Later" not in body and "Finished" not in body
    # The next day "Later" is due in 7 days: one more e-mail, with it alone.
    assert reminders_run(now=at(2026, 11, 16, 14)) == 1
    assert "“Later” is due on November 23, 2026." in mailoutbox[1].body
    assert "Train the board" not in mailoutbox[1].body
    # Once overdue, the action due on the 22nd is reminded once more, as overdue.
    assert reminders_run(now=at(2026, 11, 23, 14)) == 1
    assert "“Publish the dashboard” is overdue since November 22, 2026 (1 day)." in mailoutbox[2].body
    assert SentReminder.objects.filter(kind="action").count() == 4


def test_nam_reviewers_submissions_waiting_over_14_days(bravo_submitted, nam_staff, mailoutbox):
    other_staff = f.NamStaffFactory(username="nils")
    assert reminders_run(now=at(2026, 11, 15, 13)) == 0  # 14 days: not over
    assert reminders_run(now=at(2026, 11, 15, 16)) == 2  # submitted at 15:00 on November 1: now over 14 days
    assert reminders_run(now=at(2026, 11, 16, 16)) == 0
    assert _sent(mailoutbox) == [("nadia@example.org", REVIEW), ("nils@example.org", REVIEW)]
    assert (
        "- Bravo Community Clinic: the 2026 assessment has waited 14 days for review.\n"
        f"  https://portal.example.org/nam/assessments/{bravo_submitted.pk}/" in mailoutbox[0].body
    )
    assert other_staff.pk


def test_the_whole_schedule_twice(alpha_people, bravo_submitted, nam_staff, org_a, cycle, mailoutbox):
    _assessor, admin, _ = alpha_people
    f.ImprovementActionFactory(
        organization=org_a, cycle=cycle, owner=admin, title="Audit", due_date=datetime.date(2026, 12, 1)
    )
    moment = at(2026, 12, 1, 13)  # 14 days before the deadline; the action is due today; Bravo waited 30 days
    assert reminders_run(now=moment) == 4
    assert reminders_run(now=moment) == 0
    assert _sent(mailoutbox) == [
        ("adam@example.org", ACTIONS),
        ("adam@example.org", DEADLINE),
        ("alice@example.org", DEADLINE),
        ("nadia@example.org", REVIEW),
    ]
    assert SentReminder.objects.count() == 4
