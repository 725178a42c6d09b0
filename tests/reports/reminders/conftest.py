"""Fixtures of the reminder tests: the 2026 cycle closes on December 15; Alpha has not submitted, Bravo has.

The portal's time zone is America/New_York (UTC-5 in November); reminders go out from 08:00 local time."""

import datetime

import pytest

from assessments.models import Assessment
from tests import factories as f

UTC = datetime.UTC


def at(year, month, day, hour, minute=0) -> datetime.datetime:
    """A moment in UTC."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _reminder_settings(settings):
    settings.TIME_ZONE = "America/New_York"
    settings.REMINDER_LOCAL_HOUR = 8
    settings.SITE_URL = "https://portal.example.org"


@pytest.fixture
def bravo_submitted(cycle, org_b, assessor_b):
    return f.AssessmentFactory(
        organization=org_b, cycle=cycle, status=Assessment.Status.SUBMITTED, submitted_at=at(2026, 11, 1, 15)
    )


@pytest.fixture
def alpha_people(assessor_a, admin_a, executive_a):
    return assessor_a, admin_a, executive_a
