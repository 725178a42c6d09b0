"""The API tokens page: create (shown once), list, revoke; bad input changes nothing."""

import datetime
import hashlib
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import AuditEvent
from reports.api.models import ApiToken

from .conftest import client_for, make_token

URL = "/account/api-tokens/"


def _form(**overrides):
    data = {
        "name": "R dashboard",
        "scope": "alpha",
        "expires_on": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
    }
    return data | overrides


def test_linked_from_the_account_menu(client, assessor_a):
    client.force_login(assessor_a)
    assert (
        f'<a class="dropdown-item" href="{URL}">API tokens</a>'
        in client.get(reverse("home"), follow=True).content.decode()
    )


def test_create_shows_the_token_once_and_keeps_its_digest(client, assessor_a, org_a):
    client.force_login(assessor_a)
    response = client.post(URL, _form())
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    plaintext = re.search(r'id="new-token"[^>]*value="(lhs_[^"]+)"', response.content.decode()).group(1)
    token = ApiToken.objects.get()
    secret = plaintext.split("_", 2)[2]
    assert (token.user, token.organization, token.nam_wide, token.name) == (
        assessor_a,
        org_a,
        False,
        "R dashboard",
    )
    assert token.secret_sha256 == hashlib.sha256(secret.encode()).hexdigest()
    expires = timezone.localtime(token.expires_at)
    assert (expires.date(), expires.hour, expires.minute) == (
        timezone.localdate() + datetime.timedelta(days=30),
        23,
        59,
    )
    # It works, and it is never shown again.
    assert client_for(plaintext).get("/api/v1/token/").json()["prefix"] == token.prefix
    again = client.get(URL).content.decode()
    assert secret not in again
    assert f"lhs_{token.prefix}_…" in again
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.API_TOKEN_CREATED)
    assert event.detail == (
        f"token {token.prefix} (Alpha Regional Hospital), expires {expires:%Y-%m-%d}: R dashboard"
    )


def test_nam_staff_create_nam_wide_tokens(client, nam_staff):
    client.force_login(nam_staff)
    assert client.post(URL, _form(scope="nam")).status_code == 200
    token = ApiToken.objects.get()
    assert (token.nam_wide, token.organization, token.scope_label) == (True, None, "NAM-wide")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"scope": "nam"}, "Select a valid choice. nam is not one of the available choices."),
        ({"scope": "bravo"}, "Select a valid choice. bravo is not one of the available choices."),
        ({"expires_on": timezone.localdate().isoformat()}, "Choose a date after today."),
        ({"expires_on": "2999-01-01"}, "Choose a date no later than"),
        ({"expires_on": "someday"}, "Enter a valid date."),
        ({"name": ""}, "This field is required."),
    ],
)
def test_bad_input_creates_nothing(client, assessor_a, org_b, overrides, message):
    client.force_login(assessor_a)
    response = client.post(URL, _form(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.API_TOKEN_CREATED).exists()


def test_revoke_own_token(client, assessor_a, org_a):
    token, plaintext = make_token(assessor_a, org_a)
    client.force_login(assessor_a)
    response = client.post(reverse("reports:api_token_revoke", args=[token.pk]), follow=True)
    assert f"The token “analysis” ({token.prefix}) is revoked." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client_for(plaintext).get("/api/v1/token/").status_code == 401


def test_cannot_revoke_someone_elses_token(client, assessor_a, assessor_b, org_a):
    token, plaintext = make_token(assessor_a, org_a)
    client.force_login(assessor_b)
    response = client.post(reverse("reports:api_token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert client_for(plaintext).get("/api/v1/token/").status_code == 200


def test_revoke_needs_post_and_sign_in(client, assessor_a, org_a):
    token, _ = make_token(assessor_a, org_a)
    assert client.get(URL).status_code == 302  # to sign in
    client.force_login(assessor_a)
    assert client.get(reverse("reports:api_token_revoke", args=[token.pk])).status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None
