"""Signing in and out with Django's views, lockouts (django-axes), and the audit of each security event."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail

from assessments.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
MODEL_BACKEND = "assessments.backends.PortalBackend"


def _events(kind=None):
    events = AuditEvent.objects.order_by("created_at", "pk")
    if kind:
        events = events.filter(kind=kind)
    return list(events.values_list("kind", "actor__username", "actor_label", "ip_address", "detail"))


def test_sign_in_page(client):
    response = client.get("/accounts/login/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Sign in · LHS Commitments Portal</title>" in html
    assert 'for="id_username"' in html and 'for="id_password"' in html
    assert 'href="/accounts/password_reset/"' in html


def test_sign_in_rotates_the_session_key_redirects_and_is_audited(client, assessor_a):
    client.get("/accounts/login/")
    client.session.save()
    session = client.session
    session["anonymous"] = "before"
    session.save()
    before = session.session_key
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session.session_key != before
    assert int(client.session[SESSION_KEY]) == assessor_a.pk
    assert _events() == [("login_success", "alice", "alice", "127.0.0.1", "")]


def test_sign_in_honours_a_safe_next_and_ignores_another_host(client, assessor_a):
    ok = client.post(
        "/accounts/login/?next=/commitments/",
        {"username": "alice", "password": PASSWORD, "next": "/commitments/"},
    )
    assert ok["Location"] == "/commitments/"
    client.logout()
    evil = client.post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD, "next": "https://evil.example.com/"}
    )
    assert evil["Location"] == "/"


def test_failed_sign_in_is_refused_and_audited(client, assessor_a):
    response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert SESSION_KEY not in client.session
    assert _events() == [("login_failure", None, "alice", "127.0.0.1", "Failed sign-in as 'alice'")]


def test_sign_out_is_post_only_and_audited(client, assessor_a):
    client.force_login(assessor_a, backend=MODEL_BACKEND)
    assert client.get("/accounts/logout/").status_code == 405
    assert int(client.session[SESSION_KEY]) == assessor_a.pk  # still signed in
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert SESSION_KEY not in client.session
    assert _events("logout") == [("logout", "alice", "alice", "127.0.0.1", "")]


def test_the_sign_out_button_is_a_form(client, assessor_a):
    client.force_login(assessor_a, backend=MODEL_BACKEND)
    html = client.get("/commitments/").content.decode()
    assert '<form method="post" action="/accounts/logout/">' in html


def test_five_failures_lock_the_account_even_for_the_right_password(client, assessor_a, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(5):
        client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    html = response.content.decode()
    assert response.status_code == 429
    assert "<h1" in html and "Too many failed sign-in attempts" in html
    assert "30 minutes" in html and "ask NAM staff to unlock it" in html
    assert SESSION_KEY not in client.session
    # django-axes hears each failure before our receiver does: the 5th failure locks first, then is recorded;
    # the 6th attempt (right password) is refused as a failure while locked, and noted as a lockout again.
    assert [e[0] for e in _events()] == ["login_failure"] * 4 + ["lockout", "login_failure"] * 2
    lockout = _events("lockout")[0]
    assert lockout == (
        "lockout",
        None,
        "alice",
        "127.0.0.1",
        "Sign-in locked for 'alice' from 127.0.0.1 after repeated failures",
    )


def test_a_lockout_is_per_username(client, assessor_a, executive_a):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "erin", "password": PASSWORD})
    assert response.status_code == 302


def test_password_change_is_audited(client, assessor_a):
    client.force_login(assessor_a, backend=MODEL_BACKEND)
    key = client.session.session_key
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "tidal-lantern-93-orbit",
            "new_password2": "tidal-lantern-93-orbit",
        },
    )
    assert response.status_code == 302
    assessor_a.refresh_from_db()
    assert assessor_a.check_password("tidal-lantern-93-orbit")
    assert client.session.session_key != key  # update_session_auth_hash cycles the key
    assert _events("password_changed") == [
        ("password_changed", "alice", "alice", "127.0.0.1", "Password of alice changed")
    ]


def test_a_weak_new_password_is_refused(client, assessor_a):
    client.force_login(assessor_a, backend=MODEL_BACKEND)
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "password1234",
            "new_password2": "password1234",
        },
    )
    assert "This password is too common." in response.content.decode()
    assert _events("password_changed") == []


def test_password_reset_by_e_mail_is_audited(client, assessor_a):
    client.post("/accounts/password_reset/", {"email": "alice@example.org"})
    import re

    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]
    client.post(
        form_url, {"new_password1": "tidal-lantern-93-orbit", "new_password2": "tidal-lantern-93-orbit"}
    )
    assert _events("password_changed") == [
        ("password_changed", "alice", "alice", "127.0.0.1", "Password of alice changed")
    ]


def test_creating_a_user_is_not_a_password_change(db):
    from tests.factories import UserFactory

    UserFactory(username="newbie")
    assert _events("password_changed") == []
