"""Fixtures of the read API's tests: tokens and a client that sends them."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from reports.api.services import api_token_create


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
