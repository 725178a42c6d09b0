"""assessments/middleware.py: sessions end after SESSION_IDLE_TIMEOUT idle or SESSION_ABSOLUTE_TIMEOUT total.

Time is moved by writing the session's timestamps into the past, as if the clock had run on.
"""

import time

import pytest
from django.contrib.auth import SESSION_KEY

from assessments.middleware import LOGIN_AT, SEEN_AT

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
PAGE = "/orgs/alpha/people/"


@pytest.fixture
def signed_in(client, admin_a):
    response = client.post("/accounts/login/", {"username": "adam", "password": PASSWORD})
    assert response.status_code == 302
    return client


def _age(client, **seconds_ago):
    session = client.session
    now = time.time()
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def test_sign_in_starts_both_clocks(signed_in):
    session = signed_in.session
    assert abs(session[LOGIN_AT] - time.time()) < 5
    assert abs(session[SEEN_AT] - time.time()) < 5


def test_an_active_session_goes_on_and_is_marked_seen(signed_in, settings):
    _age(
        signed_in,
        **{SEEN_AT: settings.SESSION_IDLE_TIMEOUT - 60, LOGIN_AT: settings.SESSION_ABSOLUTE_TIMEOUT - 60},
    )
    response = signed_in.get(PAGE)
    assert response.status_code == 200
    assert abs(signed_in.session[SEEN_AT] - time.time()) < 5


def test_idle_timeout_signs_out_with_a_message(signed_in, settings):
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
    _age(signed_in, **{SEEN_AT: settings.SESSION_IDLE_TIMEOUT + 5})
    response = signed_in.get(PAGE)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/orgs/alpha/people/"
    assert SESSION_KEY not in signed_in.session
    page = signed_in.get(response["Location"]).content.decode()
    assert "You were signed out after a period of inactivity. Please sign in again." in page
    # Signing in again works and starts fresh clocks.
    again = signed_in.post(response["Location"], {"username": "adam", "password": PASSWORD, "next": PAGE})
    assert again["Location"] == PAGE
    assert signed_in.get(PAGE).status_code == 200


def test_absolute_lifetime_ends_even_an_active_session(signed_in, settings):
    assert settings.SESSION_ABSOLUTE_TIMEOUT == 12 * 3600
    _age(signed_in, **{SEEN_AT: 10, LOGIN_AT: settings.SESSION_ABSOLUTE_TIMEOUT + 5})
    response = signed_in.get(PAGE)
    assert response["Location"] == "/accounts/login/?next=/orgs/alpha/people/"
    assert SESSION_KEY not in signed_in.session
    assert (
        "Your session has ended. Please sign in again."
        in signed_in.get(response["Location"]).content.decode()
    )


def test_the_limits_follow_the_settings(signed_in, settings):
    settings.SESSION_IDLE_TIMEOUT = 120
    _age(signed_in, **{SEEN_AT: 121})
    assert signed_in.get(PAGE).status_code == 302


def test_anonymous_visitors_are_left_alone(client):
    response = client.get("/commitments/")
    assert response.status_code == 200
    assert LOGIN_AT not in client.session


# --- the idle-timeout warning's data and its "Stay signed in" (static/js/session.js) ---

KEEPALIVE = "/session/keepalive/"


def test_every_signed_in_page_tells_the_warning_how_long_the_session_has(signed_in, settings):
    settings.SESSION_IDLE_WARNING = 90
    _age(signed_in, **{SEEN_AT: 30, LOGIN_AT: 30})  # seen 30 s ago: not written again (once a minute)
    response = signed_in.get(PAGE)
    assert response.context["session_seconds_left"] in (1770, 1771)
    assert response.context["session_warning_seconds"] == 90
    assert response.context["session_idle_seconds"] == 1800
    page = response.content.decode()
    assert 'role="alertdialog"' in page
    assert 'data-keepalive-url="/session/keepalive/"' in page


def test_the_warning_counts_the_absolute_lifetime_when_it_ends_first(signed_in, settings):
    _age(signed_in, **{SEEN_AT: 0, LOGIN_AT: settings.SESSION_ABSOLUTE_TIMEOUT - 300})
    assert signed_in.get(PAGE).context["session_seconds_left"] in (300, 301)


def test_stay_signed_in_counts_as_activity(signed_in, settings):
    _age(signed_in, **{SEEN_AT: 25 * 60, LOGIN_AT: 25 * 60})
    response = signed_in.post(KEEPALIVE)
    assert response.status_code == 200
    assert response.json()["signed_in"] is True
    assert response.json()["seconds_left"] in (1800, 1801)
    assert abs(signed_in.session[SEEN_AT] - time.time()) < 5


def test_stay_signed_in_is_a_post_and_cannot_revive_an_ended_session(signed_in, client, settings):
    assert signed_in.get(KEEPALIVE).status_code == 405
    _age(signed_in, **{SEEN_AT: settings.SESSION_IDLE_TIMEOUT + 5})
    response = signed_in.post(KEEPALIVE)
    assert response["Location"] == "/accounts/login/?next=/session/keepalive/"
    assert SESSION_KEY not in signed_in.session
    client.logout()
    assert client.post(KEEPALIVE)["Location"] == "/accounts/login/?next=/session/keepalive/"


def test_a_form_sent_after_the_timeout_says_it_was_not_saved(signed_in, settings):
    _age(signed_in, **{SEEN_AT: settings.SESSION_IDLE_TIMEOUT + 5})
    response = signed_in.post(PAGE, {"email": "someone@example.org"})
    assert response["Location"] == "/accounts/login/?next=/orgs/alpha/people/"
    assert (
        "You were signed out after a period of inactivity. What you sent was not saved: sign in again, and"
        " your input will be put back on the page for you to save."
        in signed_in.get(response["Location"]).content.decode()
    )


def test_a_short_timeout_still_notes_activity(signed_in, settings):
    """The session is marked seen at most once a minute, or a tenth of a shorter timeout."""
    settings.SESSION_IDLE_TIMEOUT = 20
    _age(signed_in, **{SEEN_AT: 3})
    signed_in.get(PAGE)
    assert abs(signed_in.session[SEEN_AT] - time.time()) < 2
