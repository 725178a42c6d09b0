"""Tokens: stored hashed, found by prefix, refused with 401 when missing, unknown, expired or revoked; every
use in the audit log; throttled per token."""

import datetime
import hashlib

import pytest
from django.utils import timezone

from assessments.models import AuditEvent
from reports.api.models import ApiToken
from reports.api.services import api_token_revoke

from .conftest import client_for, make_token

URL = "/api/v1/token/"


def test_token_is_stored_as_a_digest_of_its_secret(assessor_a, org_a):
    token, plaintext = make_token(assessor_a, org_a)
    prefix, secret = plaintext.removeprefix("lhs_").split("_", 1)
    assert token.prefix == prefix
    assert len(secret) >= 43  # 32 random bytes
    assert token.secret_sha256 == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(list(ApiToken.objects.values()))


def test_a_token_reads_its_own_description(alice, alice_token):
    token, _ = alice_token
    response = alice.get(URL)
    assert response.status_code == 200
    assert (response["Cache-Control"], response["Vary"]) == ("private, no-cache", "Authorization")
    assert response.json() == {
        "prefix": token.prefix,
        "name": "analysis",
        "scope": "Alpha Regional Hospital",
        "organization": "alpha",
        "nam_wide": False,
        "expires_at": timezone.localtime(token.expires_at).isoformat(),
    }


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, "Authentication required: send 'Authorization: Bearer <token>'"),
        ("Token abc", "Send the token as 'Authorization: Bearer <token>'"),
        ("Bearer ", "Send the token as 'Authorization: Bearer <token>'"),
        ("Bearer nonsense", "Unknown API token."),
        ("Bearer lhs_000000000000_secret", "Unknown API token."),
    ],
)
def test_missing_or_unknown_token_is_401_with_a_message(db, header, message):
    client = client_for(None)
    if header is not None:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(URL)
    assert response.status_code == 401
    assert response.json()["detail"].startswith(message)
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.API_REQUEST).exists()


def test_right_prefix_wrong_secret_is_401(alice_token, db):
    _, plaintext = alice_token
    response = client_for(plaintext[:-2] + "xx").get(URL)
    assert response.status_code == 401
    assert response.json() == {"detail": "Unknown API token."}


def test_revoked_token_is_401(alice_token, assessor_a):
    token, plaintext = alice_token
    api_token_revoke(token=token, user=assessor_a)
    response = client_for(plaintext).get(URL + "?a=1")
    assert response.status_code == 401
    assert response.json() == {"detail": "This API token has been revoked."}
    denied = AuditEvent.objects.get(kind=AuditEvent.Kind.ACCESS_DENIED)
    assert (denied.actor, denied.detail) == (
        assessor_a,
        f"GET /api/v1/token/?a=1: This API token has been revoked. (token {token.prefix})",
    )


def test_expired_token_is_401(alice_token):
    token, plaintext = alice_token
    expired = timezone.now() - datetime.timedelta(seconds=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=expired)
    response = client_for(plaintext).get(URL)
    assert response.status_code == 401
    assert response.json() == {"detail": f"This API token expired on {timezone.localtime(expired):%Y-%m-%d}."}


def test_inactive_user_is_401(alice_token, assessor_a):
    assessor_a.is_active = False
    assessor_a.save()
    response = client_for(alice_token[1]).get(URL)
    assert response.status_code == 401
    assert response.json() == {"detail": "The account of this API token is inactive."}


def test_every_use_is_in_the_audit_log(alice, alice_token, org_a, assessor_a):
    token, _ = alice_token
    alice.get(URL)
    alice.get("/api/v1/orgs/alpha/cycles/?x=1")
    events = list(
        AuditEvent.objects.filter(kind=AuditEvent.Kind.API_REQUEST)
        .order_by("pk")
        .values_list("actor", "organization", "detail")
    )
    assert events == [
        (assessor_a.pk, org_a.pk, f"GET /api/v1/token/ -> 200 (token {token.prefix})"),
        (assessor_a.pk, org_a.pk, f"GET /api/v1/orgs/alpha/cycles/?x=1 -> 200 (token {token.prefix})"),
    ]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_creating_and_revoking_are_in_the_audit_log(alice_token, assessor_a, org_a):
    token, _ = alice_token
    api_token_revoke(token=token, user=assessor_a)
    api_token_revoke(token=token, user=assessor_a)  # twice: one event
    kinds = list(
        AuditEvent.objects.filter(actor=assessor_a).order_by("pk").values_list("kind", "organization")
    )
    assert kinds == [("api_token_created", org_a.pk), ("api_token_revoked", org_a.pk)]


def test_no_session_or_cookie_is_made_by_a_call(alice):
    response = alice.get("/api/v1/orgs/alpha/cycles/")
    assert response.status_code == 200
    assert "sessionid" not in response.cookies


def test_throttled_per_token(settings, assessor_a, org_a):
    settings.API_THROTTLE_RATE = "2/minute"
    first = client_for(make_token(assessor_a, org_a)[1])
    second = client_for(make_token(assessor_a, org_a, name="other")[1])
    assert [first.get(URL).status_code for _ in range(3)] == [200, 200, 429]
    refused = first.get(URL)
    assert refused.json()["detail"].startswith("Request was throttled. Expected available in")
    assert 0 < int(refused["Retry-After"]) <= 60
    assert second.get(URL).status_code == 200  # another token has its own allowance
    # Refused requests are uses too: in the audit log with their answer.
    details = AuditEvent.objects.filter(kind=AuditEvent.Kind.API_REQUEST).values_list("detail", flat=True)
    assert sum(" -> 429 " in d for d in details) == 2
