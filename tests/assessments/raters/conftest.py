import datetime

import pytest
from django.utils import timezone

from assessments.raters import services
from assessments.raters.models import RaterGroup
from commitments.models import Indicator
from tests import factories as f


@pytest.fixture
def draft_a(cycle, org_a):
    return f.AssessmentFactory(organization=org_a, cycle=cycle)


@pytest.fixture
def closes_on():
    return timezone.localdate() + datetime.timedelta(days=14)


@pytest.fixture
def engaged_round(draft_a, assessor_a, closes_on, rubric):
    """A round on the Engaged commitment only (ENG-1, ENG-2, ENG-3)."""
    return services.round_open(
        assessment=draft_a,
        user=assessor_a,
        closes_on=closes_on,
        commitments=[rubric.commitments.get(slug="engaged")],
    )


@pytest.fixture
def groups(org_a):
    services.rater_groups_ensure(organization=org_a)
    return {g.name: g for g in RaterGroup.objects.filter(organization=org_a)}


@pytest.fixture
def indicator(rubric):
    return {i.code: i for i in Indicator.objects.of_rubric(rubric)}


def invite(rating_round, email, group, user=None):
    return services.rater_invite(rating_round=rating_round, email=email, group=group, user=user)


def rate(rater, by_code: dict):
    """by_code: indicator code -> level or "dk"."""
    indicators = {
        i.code: i.pk for i in Indicator.objects.filter(commitment__rubric=rater.round.assessment.cycle.rubric)
    }
    return services.ratings_save(rater=rater, choices={indicators[c]: v for c, v in by_code.items()})
