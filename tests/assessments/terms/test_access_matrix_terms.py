"""The access matrix of the participation terms URLs (namespace "terms"), with tests/test_access_matrix.py's
machinery: every role, the exact outcome of a GET, and refused POSTs that change nothing."""

import pytest
from django.urls import get_resolver, reverse

from assessments.terms.models import Withdrawal
from tests.test_access_matrix import (
    LOGIN,
    NAM_ONLY,
    ORG_MEMBERS_ONLY,
    POST_ONLY,
    REFUSED_TO_ALL_BUT_NAM,
    _client_for,
    _describe,
    _matches,
    _resolve,
    _url,
    check_get,
    check_refused_posts,
    everyone,
    redirect_to,
    world,  # noqa: F401 (the fixture)
)

pytestmark = pytest.mark.django_db

ADMIN_POST_REFUSED = {
    "anonymous": LOGIN,
    "assessor_a": 403,
    "executive_a": 403,
    "assessor_b": 404,
    "nam_staff": 403,
}
ROWS = {
    "terms:list": {"kwargs": {}, "expect": everyone(200)},
    "terms:detail": {"kwargs": {"version": "2026.1"}, "expect": everyone(200)},
    "terms:organization": {"kwargs": {"slug": "alpha"}, "expect": ORG_MEMBERS_ONLY},
    "terms:accept": {
        "kwargs": {"slug": "alpha"},
        "expect": POST_ONLY,
        "post": ADMIN_POST_REFUSED,
        "data": {"version": "2026.1", "agree": "on"},
    },
    "terms:withdraw": {
        "kwargs": {"slug": "alpha"},
        "expect": POST_ONLY,
        "post": ADMIN_POST_REFUSED,
        "data": {"understood": "on", "reason": "Leaving"},
    },
    "terms:nam_terms": {"kwargs": {}, "expect": NAM_ONLY},
    "terms:nam_withdrawal_confirm": {
        "kwargs": {"pk": lambda w: w.withdrawal_b.pk},
        "expect": POST_ONLY,
        "post": REFUSED_TO_ALL_BUT_NAM,
        "snapshot": lambda w: list(Withdrawal.objects.values_list("pk", "confirmed_at")),
    },
}


@pytest.fixture
def terms_world(world, terms):  # noqa: F811
    from assessments.terms.services import withdrawal_request
    from tests import factories as f

    admin_b = f.MembershipFactory(organization=world.org_b, role="org_admin", user=f.UserFactory()).user
    world.withdrawal_b = withdrawal_request(organization=world.org_b, user=admin_b)
    world.terms = terms
    return world


def namespace_urls(namespace: str) -> list[str]:
    resolver = next(p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == namespace)
    return sorted(f"{namespace}:{p.name}" for p in resolver.url_patterns if p.name)


def test_every_terms_url_has_a_row():
    assert namespace_urls("terms") == sorted(ROWS)


@pytest.mark.parametrize("name", sorted(ROWS))
def test_get(name, client, terms_world):
    check_get(client, terms_world, name, ROWS[name])


@pytest.mark.parametrize("name", sorted(n for n in ROWS if "post" in ROWS[n]))
def test_refused_post_changes_nothing(name, client, terms_world):
    check_refused_posts(client, terms_world, name, ROWS[name])


@pytest.mark.parametrize(
    "name, role, target",
    [
        ("terms:accept", "admin_a", "/orgs/alpha/terms/"),
        ("terms:withdraw", "admin_a", "/orgs/alpha/terms/"),
        ("terms:nam_withdrawal_confirm", "nam_staff", "/nam/terms/"),
    ],
)
def test_allowed_post_redirects(name, role, target, client, terms_world):
    row = ROWS[name]
    url = _url(name, row, terms_world)
    response = _client_for(client, terms_world, role).post(url, _resolve(row.get("data", {}), terms_world))
    assert _matches(response, redirect_to(target), url, terms_world), _describe(response)
    assert reverse("terms:organization", args=["alpha"]) == "/orgs/alpha/terms/"


@pytest.mark.parametrize("name", sorted(ROWS))
def test_second_factor_required(name, client, terms_world, settings):
    settings.MFA_REQUIRED_FOR = "admins"
    url = _url(name, ROWS[name], terms_world)
    for role in ("admin_a", "nam_staff"):
        response = _client_for(client, terms_world, role).get(url)
        assert _matches(response, redirect_to("/accounts/2fa/"), url, terms_world), (
            f"{role}: {_describe(response)}"
        )
