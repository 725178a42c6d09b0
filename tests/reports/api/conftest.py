"""Fixtures of the read API's tests: tokens and a client that sends them."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from assessments.models import Assessment
from reports.api.services import api_token_create
from tests import factories as f
from tests.reports.conftest import publish


def make_token(user, organization=None, *, nam_wide=False, days=30, name="analysis"):
    """(token row, plain text) through the service the tokens page uses."""
    created = api_token_create(
        user=user,
        name=name,
        organization=organization,
        nam_wide=nam_wide,
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    return created.token, created.plaintext


def client_for(plaintext: str | None) -> APIClient:
    client = APIClient()
    if plaintext is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


@pytest.fixture
def alice_token(assessor_a, org_a):
    return make_token(assessor_a, org_a)


@pytest.fixture
def alice(alice_token):
    return client_for(alice_token[1])


@pytest.fixture
def nam_token(nam_staff):
    return make_token(nam_staff, nam_wide=True)


@pytest.fixture
def nam(nam_token):
    return client_for(nam_token[1])


@pytest.fixture
def alpha_result(cycle, org_a):
    """Alpha's validated result: overall 3.00, Engaged 4.00, Adaptive 2.00 (as the dashboard's tests)."""
    assessment = f.AssessmentFactory(organization=org_a, cycle=cycle)
    levels = [3] * 30
    levels[0:3] = [4, 4, 4]  # engaged 4.00
    levels[27:30] = [2, 2, 2]  # adaptive 2.00
    return f.answer_all(assessment, levels, status=Assessment.Status.VALIDATED)


@pytest.fixture
def released(alpha_result, cycle, all_figures):
    """Alpha and five validated peers (overall 2, 3, 3, 4, 4) in a published release."""
    for index, level in enumerate([2, 3, 3, 4, 4]):
        peer = f.OrganizationFactory(name=f"Peer {index}", slug=f"peer-{index}")
        f.answer_all(f.AssessmentFactory(organization=peer, cycle=cycle), [level] * 30, status="validated")
    return publish(cycle)
