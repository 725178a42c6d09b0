"""The client address behind a proxy: one function (assessments.audit.client_ip), for lockouts and audit.

Addresses: 203.0.113.x and 198.51.100.x are clients on the internet (RFC 5737), 10.0.0.x the proxies.
"""

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse

from assessments.audit import client_ip
from assessments.models import AuditEvent

PASSWORD = "correct horse battery staple"


@pytest.mark.parametrize(
    ("proxies", "remote_addr", "forwarded_for", "expected"),
    [
        # No proxy configured: a spoofed header is never read.
        (0, "203.0.113.9", "198.51.100.7", "203.0.113.9"),
        (0, "2001:db8::9", "198.51.100.7", "2001:db8::9"),
        # Behind one proxy: the address it saw, the right-most entry.
        (1, "10.0.0.2", "198.51.100.7", "198.51.100.7"),
        (1, "10.0.0.2", "198.51.100.7, 10.0.0.2", "10.0.0.2"),  # the proxy's own hop is what it saw
        # A forged chain: whatever the client wrote lies left of what the proxy appended.
        (1, "10.0.0.2", "1.2.3.4, 5.6.7.8, 198.51.100.7", "198.51.100.7"),
        (1, "10.0.0.2", "127.0.0.1, 198.51.100.7", "198.51.100.7"),
        # Two proxies: the outer one's view, two places from the right of the header.
        (2, "10.0.0.2", "1.2.3.4, 198.51.100.7, 10.0.0.3", "198.51.100.7"),
        # A chain shorter than the proxies configured did not come through them: REMOTE_ADDR.
        (2, "10.0.0.2", "198.51.100.7", "10.0.0.2"),
        (1, "203.0.113.9", None, "203.0.113.9"),
        (1, "10.0.0.2", "not-an-address", "10.0.0.2"),
        # IPv6 clients, with and without brackets and ports.
        (1, "::1", "2001:db8::7", "2001:db8::7"),
        (1, "10.0.0.2", "2001:db8::1, [2001:db8::7]:51234", "2001:db8::7"),
        (1, "fd00::2", "203.0.113.5, 2001:db8::7", "2001:db8::7"),
    ],
)
def test_client_ip(settings, proxies, remote_addr, forwarded_for, expected):
    settings.CLIENT_IP_PROXY_COUNT = proxies
    meta = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded_for
    assert client_ip(RequestFactory().get("/", **meta)) == expected


def test_django_axes_asks_the_same_function():
    from axes.helpers import get_client_ip_address

    from lhs_portal import settings as portal_settings

    assert portal_settings.AXES_CLIENT_IP_CALLABLE == "assessments.audit.client_ip"
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert get_client_ip_address(request) == client_ip(request) == "203.0.113.9"


def _sign_in(client, password, address, proxy="10.0.0.2"):
    return client.post(
        reverse("login"),
        {"username": "alice", "password": password},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR=f"203.0.113.250, {address}",  # each client also forges an entry of its own
    )


@pytest.mark.django_db
def test_behind_a_proxy_failures_lock_out_the_real_client_only(client, assessor_a, settings):
    settings.CLIENT_IP_PROXY_COUNT = 1
    statuses = [_sign_in(client, "wrong", "198.51.100.7").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure locks
    assert _sign_in(client, PASSWORD, "198.51.100.7").status_code == 429  # locked out, from that address

    # Someone else behind the same proxy signs in: the proxy's address was never what was locked.
    assert _sign_in(client, PASSWORD, "198.51.100.8")["Location"] == "/"
    assert list(AccessAttempt.objects.values_list("username", "ip_address", "failures_since_start")) == [
        ("alice", "198.51.100.7", 6)
    ]
    events = AuditEvent.objects.order_by("created_at", "pk").values_list("kind", "ip_address")
    assert list(events) == [("login_failure", "198.51.100.7")] * 4 + [
        ("lockout", "198.51.100.7"),
        ("login_failure", "198.51.100.7"),
    ] * 2 + [("login_success", "198.51.100.8")]


@pytest.mark.django_db
def test_without_a_proxy_a_spoofed_header_neither_escapes_a_lockout_nor_enters_the_log(
    client, assessor_a, settings
):
    settings.CLIENT_IP_PROXY_COUNT = 0
    for number in range(5):  # a new forged address each time: it changes nothing
        _sign_in(client, "wrong", f"198.51.100.{number}", proxy="203.0.113.9")
    assert _sign_in(client, PASSWORD, "198.51.100.99", proxy="203.0.113.9").status_code == 429
    assert set(AuditEvent.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.9"]


@pytest.mark.django_db
def test_an_ipv6_client_behind_a_proxy_is_locked_and_logged_by_its_own_address(client, assessor_a, settings):
    settings.CLIENT_IP_PROXY_COUNT = 1
    for _ in range(5):
        _sign_in(client, "wrong", "2001:db8::7", proxy="::1")
    assert _sign_in(client, PASSWORD, "2001:db8::7", proxy="::1").status_code == 429
    assert _sign_in(client, PASSWORD, "2001:db8::8", proxy="::1")["Location"] == "/"
    assert set(AuditEvent.objects.values_list("ip_address", flat=True)) == {"2001:db8::7", "2001:db8::8"}
