"""The second factor (django-allauth's MFA with the portal's rules): enrolment, sign-in with a code, wrong and
reused codes, recovery codes, removal, NAM staff's reset, and wrong codes counting toward the lockout."""

import base64
import hmac
import struct
import time
from urllib.parse import quote

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth import SESSION_KEY

from assessments.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def totp(secret: str, at: float | None = None) -> str:
    """RFC 6238 (SHA-1, 30 s, 6 digits), written here from the standard rather than taken from allauth."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int((at or time.time()) // 30)), "sha1").digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def _time_for_one_code(seconds=10):
    """Wait, if need be, until the current 30-second code stays valid for `seconds` more."""
    left = 30 - time.time() % 30
    if left < seconds:
        time.sleep(left + 0.1)


def _events(*kinds):
    return list(
        AuditEvent.objects.filter(kind__in=kinds)
        .order_by("created_at", "pk")
        .values_list("kind", "actor_label", "detail")
    )


def _sign_in(client, username, password=PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


def _reauthenticate(client, path):
    """allauth asks for the password again before a change to the sign-in factors."""
    asked = client.get(path)
    assert asked["Location"] == f"/accounts/reauthenticate/?next={quote(path, safe='')}"
    assert client.post(asked["Location"], {"password": PASSWORD})["Location"] == path


def _reauthenticate_with_code(client, path, code):
    """Once a second factor is set up, allauth asks for it (not the password) before such a change."""
    asked = client.get(path)
    assert asked["Location"] == f"/accounts/2fa/reauthenticate/?next={quote(path, safe='')}"
    assert client.post(asked["Location"], {"code": code})["Location"] == path


def _enrol(client, username) -> tuple[str, list[str]]:
    """Sign in with the password, add an authenticator app, and return its secret and the recovery codes."""
    assert _sign_in(client, username)["Location"] == "/"
    _reauthenticate(client, "/accounts/2fa/totp/activate/")
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = page.context["form"].secret
    done = client.post("/accounts/2fa/totp/activate/", {"code": totp(secret)})
    assert done.status_code == 302
    codes = client.get("/accounts/2fa/recovery-codes/").context["unused_codes"]
    return secret, codes


@pytest.fixture
def enrolled(client, assessor_a):
    secret, codes = _enrol(client, "alice")
    client.post("/accounts/logout/")
    return secret, codes


# allauth sends its signals (so our audit records) on commit: a real transaction.
@pytest.mark.django_db(transaction=True)
def test_enrolment_adds_an_app_and_ten_recovery_codes_and_is_audited(client, assessor_a):
    secret, codes = _enrol(client, "alice")
    assert len(secret) == 32 and len(codes) == 10
    assert sorted(Authenticator.objects.filter(user=assessor_a).values_list("type", flat=True)) == [
        "recovery_codes",
        "totp",
    ]
    # The secret is stored encrypted (assessments.signin.adapters.MFAAdapter), not as it is shown.
    stored = Authenticator.objects.get(user=assessor_a, type="totp").data["secret"]
    assert secret not in stored
    assert _events("mfa_added") == [
        ("mfa_added", "alice", "Authenticator app added"),
        ("mfa_added", "alice", "Recovery codes added"),
    ]


def test_enrolment_refuses_a_wrong_code(client, assessor_a):
    _sign_in(client, "alice")
    _reauthenticate(client, "/accounts/2fa/totp/activate/")
    response = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert "Incorrect code." in response.content.decode()
    assert Authenticator.objects.filter(user=assessor_a).count() == 0


def test_sign_in_asks_for_the_code_after_the_password(client, enrolled, assessor_a):
    secret, _ = enrolled
    response = _sign_in(client, "alice")
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert SESSION_KEY not in client.session  # not signed in before the second factor
    page = client.get("/accounts/2fa/authenticate/")
    assert "Sign In\n · LHS Commitments Portal</title>" in page.content.decode()
    assert 'name="code"' in page.content.decode()
    _time_for_one_code()
    done = client.post("/accounts/2fa/authenticate/", {"code": totp(secret)})
    assert done["Location"] == "/"
    assert int(client.session[SESSION_KEY]) == assessor_a.pk


def test_a_wrong_code_is_refused_counted_and_audited(client, enrolled):
    secret, _ = enrolled
    _sign_in(client, "alice")
    wrong = f"{(int(totp(secret)) + 1) % 1_000_000:06d}"
    response = client.post("/accounts/2fa/authenticate/", {"code": wrong})
    assert response.status_code == 200 and "Incorrect code." in response.content.decode()
    assert SESSION_KEY not in client.session
    assert _events("login_failure") == [
        ("login_failure", "alice", "Wrong authenticator app code for 'alice'")
    ]
    from axes.models import AccessAttempt

    assert list(AccessAttempt.objects.values_list("username", "failures_since_start")) == [("alice", 1)]


def test_a_code_works_once(client, enrolled):
    secret, _ = enrolled
    _time_for_one_code()
    code = totp(secret)
    _sign_in(client, "alice")
    assert client.post("/accounts/2fa/authenticate/", {"code": code})["Location"] == "/"
    client.post("/accounts/logout/")
    _sign_in(client, "alice")
    again = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert again.status_code == 200 and "Incorrect code." in again.content.decode()
    assert SESSION_KEY not in client.session


def test_a_recovery_code_works_once(client, enrolled, assessor_a):
    _, codes = enrolled
    _sign_in(client, "alice")
    assert client.post("/accounts/2fa/authenticate/", {"code": codes[0]})["Location"] == "/"
    client.post("/accounts/logout/")
    _sign_in(client, "alice")
    again = client.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert "Incorrect code." in again.content.decode()
    assert client.post("/accounts/2fa/authenticate/", {"code": codes[1]})["Location"] == "/"
    assert int(client.session[SESSION_KEY]) == assessor_a.pk


def test_five_wrong_codes_lock_the_account_even_for_the_right_code(client, enrolled, settings):
    secret, _ = enrolled
    _sign_in(client, "alice")
    wrong = f"{(int(totp(secret)) + 1) % 1_000_000:06d}"
    for _ in range(4):
        client.post("/accounts/2fa/authenticate/", {"code": wrong})
    fifth = client.post("/accounts/2fa/authenticate/", {"code": wrong})
    assert fifth.status_code == 429 and "Too many failed sign-in attempts" in fifth.content.decode()
    _time_for_one_code()
    right = client.post("/accounts/2fa/authenticate/", {"code": totp(secret)})
    assert "sign-in for this account is paused" in right.content.decode()
    assert SESSION_KEY not in client.session
    # The password alone is refused too, from a new session: the lockout is the account's.
    client.cookies.clear()
    assert _sign_in(client, "alice").status_code == 429
    assert [kind for kind, *_ in _events("lockout")][:1] == ["lockout"]


# allauth sends its signals (so our audit records) on commit: a real transaction.
@pytest.mark.django_db(transaction=True)
def test_recovery_codes_can_be_regenerated_and_the_old_ones_stop_working(client, enrolled):
    secret, old_codes = enrolled
    _sign_in(client, "alice")
    _time_for_one_code()
    client.post("/accounts/2fa/authenticate/", {"code": totp(secret)})
    _reauthenticate_with_code(client, "/accounts/2fa/recovery-codes/generate/", old_codes[5])
    assert (
        client.post("/accounts/2fa/recovery-codes/generate/")["Location"] == "/accounts/2fa/recovery-codes/"
    )
    new_codes = client.get("/accounts/2fa/recovery-codes/").context["unused_codes"]
    assert set(new_codes).isdisjoint(old_codes) and len(new_codes) == 10
    assert _events("mfa_recovery_codes") == [("mfa_recovery_codes", "alice", "New recovery codes")]
    client.post("/accounts/logout/")
    _sign_in(client, "alice")
    assert (
        "Incorrect code."
        in client.post("/accounts/2fa/authenticate/", {"code": old_codes[2]}).content.decode()
    )
    assert client.post("/accounts/2fa/authenticate/", {"code": new_codes[2]})["Location"] == "/"


# allauth sends its signals (so our audit records) on commit: a real transaction.
@pytest.mark.django_db(transaction=True)
def test_removing_the_app_needs_a_code_from_it(client, enrolled, assessor_a):
    secret, codes = enrolled
    _sign_in(client, "alice")
    client.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    _reauthenticate_with_code(client, "/accounts/2fa/totp/deactivate/", codes[3])
    refused = client.post("/accounts/2fa/totp/deactivate/", {})
    assert "This field is required." in refused.content.decode()
    wrong = client.post(
        "/accounts/2fa/totp/deactivate/", {"code": "123456" if totp(secret) != "123456" else "654321"}
    )
    assert "Incorrect code." in wrong.content.decode()
    assert Authenticator.objects.filter(user=assessor_a, type="totp").count() == 1
    removed = client.post("/accounts/2fa/totp/deactivate/", {"code": codes[1]})
    assert removed.status_code == 302
    assert Authenticator.objects.filter(user=assessor_a).count() == 0  # recovery codes go with the app
    assert _events("mfa_removed") == [
        ("mfa_removed", "alice", "Authenticator app removed"),
        ("mfa_removed", "alice", "Recovery codes removed"),
    ]


@pytest.mark.parametrize(
    ("required_for", "who", "held"),
    [("admins", "adam", True), ("admins", "nadia", True), ("admins", "alice", False), ("all", "alice", True)],
)
def test_who_must_enrol_before_any_page(
    client, settings, assessor_a, admin_a, nam_staff, required_for, who, held
):
    settings.MFA_REQUIRED_FOR = required_for
    _sign_in(client, who)
    response = client.get("/commitments/")
    if held:
        assert response["Location"] == "/accounts/2fa/"
        page = client.get("/accounts/2fa/")
        assert "Your role in the portal needs a second factor at sign-in." in page.content.decode()
    else:
        assert response.status_code == 200


def test_an_enrolled_admin_goes_on(client, settings, admin_a):
    settings.MFA_REQUIRED_FOR = "admins"
    _enrol(client, "adam")
    assert client.get("/commitments/").status_code == 200


def test_nam_staff_reset_someones_second_factors_with_an_audit_record(
    client, enrolled, assessor_a, nam_staff
):
    client.force_login(nam_staff, backend="assessments.backends.PortalBackend")
    page = client.get("/nam/second-factors/")
    assert '<th scope="row">alice</th><td class="num">1</td>' in page.content.decode()
    response = client.post("/nam/second-factors/", {"username": "ALICE"}, follow=True)
    assert "The second factors of alice were removed" in response.content.decode()
    assert Authenticator.objects.filter(user=assessor_a).count() == 0
    assert _events("mfa_reset") == [("mfa_reset", "nadia", "Second factors of alice reset (2 removed)")]
    client.logout()
    assert _sign_in(client, "alice")["Location"] == "/"  # no second step any more


def test_a_reset_of_nobody_says_so_and_changes_nothing(client, nam_staff):
    client.force_login(nam_staff, backend="assessments.backends.PortalBackend")
    response = client.post("/nam/second-factors/", {"username": "ghost"})
    assert response.status_code == 400
    assert "There is no account with the username &#x27;ghost&#x27;." in response.content.decode()
    assert _events("mfa_reset") == []


def test_the_admin_signs_in_through_the_portal_s_sign_in(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


@pytest.mark.django_db(transaction=True)
def test_removing_a_security_key_needs_a_second_factor_not_just_the_password(client, enrolled, assessor_a):
    _secret, codes = enrolled
    _sign_in(client, "alice")
    client.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    key = Authenticator.objects.create(
        user=assessor_a, type=Authenticator.Type.WEBAUTHN, data={"name": "Desk key", "credential": {}}
    )
    path = f"/accounts/2fa/webauthn/keys/{key.pk}/remove/"
    asked = client.post(path)
    assert asked["Location"] == f"/accounts/2fa/reauthenticate/?next={quote(path, safe='')}"
    # The password page is not offered to someone with a second factor: it sends them to the code.
    by_password = client.post(
        f"/accounts/reauthenticate/?next={quote(path, safe='')}", {"password": PASSWORD}
    )
    assert by_password["Location"] == asked["Location"]
    assert client.post(path)["Location"] == asked["Location"]
    assert Authenticator.objects.filter(pk=key.pk).exists()
    # The code confirms it, and allauth goes on with the removal it held back.
    assert client.post(asked["Location"], {"code": codes[1]})["Location"] == "/accounts/2fa/webauthn/"
    assert not Authenticator.objects.filter(pk=key.pk).exists()
    assert _events("mfa_removed") == [("mfa_removed", "alice", "Security key removed")]
