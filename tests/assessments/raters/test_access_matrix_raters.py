"""The access matrix of rating rounds: every raters: URL, the six roles of tests/test_access_matrix.py and a
seventh, the rater (a browser holding a rater session, no account); and every other URL of the portal
refused to a rater with a message. The machinery (outcomes, clients, "nothing changed") is the main matrix's.
"""

import datetime

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from assessments.raters import services
from assessments.raters.models import ConsensusDecision, Rater, Rating, RatingRound
from tests.test_access_matrix import (  # noqa: F401  (world is a fixture)
    LOGIN,
    ROWS,
    _describe,
    _matches,
    _model_counts,
    _resolve,
    _url,
    redirect_to,
    world,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "assessor_a", "executive_a", "admin_a", "assessor_b", "nam_staff", "rater"]
RATE = "/rate/"
ASSESSORS_ONLY = {
    "anonymous": LOGIN,
    "assessor_a": 200,
    "executive_a": 403,
    "admin_a": 200,
    "assessor_b": 404,
    "nam_staff": 403,
    "rater": redirect_to(RATE),
}
POST_ONLY = {**dict.fromkeys(ROLES, 405), "anonymous": LOGIN, "rater": redirect_to(RATE)}
REFUSED_POST = {k: v for k, v in ASSESSORS_ONLY.items() if k not in ("assessor_a", "admin_a")}


def _snapshot(w):
    return (
        sorted(RatingRound.objects.values_list("pk", "status", "closes_on")),
        sorted(Rater.objects.values_list("pk", "email", "group_id", "reminded_at")),
        sorted(Rating.objects.values_list("rater_id", "indicator_id", "level", "dont_know")),
        ConsensusDecision.objects.count(),
    )


def _round(w):
    return {"slug": "alpha", "pk": w.round_a.pk}


def _later(w):
    return {"closes_on": (timezone.localdate() + datetime.timedelta(days=30)).isoformat()}


ROWS_RATERS = {
    "raters:rounds": {
        "kwargs": {"slug": "alpha", "cycle_slug": "2026"},
        "expect": ASSESSORS_ONLY,
        "post": REFUSED_POST,
        "data": _later,
    },
    "raters:round": {"kwargs": _round, "expect": ASSESSORS_ONLY},
    "raters:consensus": {
        "kwargs": _round,
        "expect": ASSESSORS_ONLY,
        "post": REFUSED_POST,
        "data": lambda w: {"indicator": w.eng1.pk, "version": 0, "level": 3, "note": "Agreed."},
    },
    "raters:groups": {
        "kwargs": {"slug": "alpha"},
        "expect": ASSESSORS_ONLY,
        "post": REFUSED_POST,
        "data": {"name": "Data staff"},
    },
    "raters:invite": {
        "kwargs": _round,
        "expect": POST_ONLY,
        "post": REFUSED_POST,
        "data": lambda w: {"email": "new@example.org", "group": w.leadership.pk},
    },
    "raters:remind": {"kwargs": _round, "expect": POST_ONLY, "post": REFUSED_POST},
    "raters:close": {"kwargs": _round, "expect": POST_ONLY, "post": REFUSED_POST},
    "raters:reopen": {"kwargs": _round, "expect": POST_ONLY, "post": REFUSED_POST, "data": _later},
    # The rater's pages: nobody but the rater's session; a signed-in user is not the rater.
    "raters:rate": {
        "expect": {**dict.fromkeys(ROLES, 403), "rater": 200},
        "post": {role: 403 for role in ROLES if role != "rater"},
        "data": lambda w: {f"rating-{w.eng1.pk}": "2"},
    },
    "raters:leave": {"expect": dict.fromkeys(ROLES, 405)},
    "raters:link": {
        "kwargs": {"token": lambda w: services.rater_token(w.rater)},
        "expect": {**dict.fromkeys(ROLES, 403), "anonymous": redirect_to(RATE), "rater": redirect_to(RATE)},
    },
}


@pytest.fixture
def raters_world(world):  # noqa: F811
    w = world
    w.round_a = services.round_open(
        assessment=w.assessment_a,
        user=w.users["assessor_a"],
        closes_on=timezone.localdate() + datetime.timedelta(days=7),
        commitments=[w.engaged],
    )
    w.leadership = w.org_a.rater_groups.get(name="Leadership")
    w.rater = services.rater_invite(
        rating_round=w.round_a, email="rita@example.org", group=w.leadership, user=None
    )
    w.eng1 = w.engaged.indicators.get(code="ENG-1")
    services.ratings_save(rater=w.rater, choices={w.eng1.pk: 4})
    services.round_close(rating_round=w.round_a, user=None)  # closed: the consensus page shows
    return w


def _client_for(client, w, role):
    client.logout()
    if role == "rater":
        response = client.get(reverse("raters:link", args=[services.rater_token(w.rater)]))
        assert response.status_code == 302
    elif w.users[role] is not None:
        client.force_login(w.users[role], backend="assessments.backends.PortalBackend")
    return client


def _raters_url_names() -> list[str]:
    names = []

    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
            elif isinstance(p, URLPattern) and p.name and namespace == "raters:":
                names.append(f"raters:{p.name}")

    walk(get_resolver().url_patterns, "")
    return sorted(names)


def _kwargs_url(name, row, w):
    kwargs = row.get("kwargs", {})
    kwargs = kwargs(w) if callable(kwargs) else {k: _resolve(v, w) for k, v in kwargs.items()}
    return reverse(name, kwargs=kwargs)


def test_every_raters_url_has_a_row_for_every_role():
    assert sorted(ROWS_RATERS) == _raters_url_names()
    assert {n: sorted(set(ROLES) - set(r["expect"])) for n, r in ROWS_RATERS.items()} == {
        n: [] for n in ROWS_RATERS
    }


@pytest.mark.parametrize("name", sorted(ROWS_RATERS))
def test_get(name, client, raters_world):
    row = ROWS_RATERS[name]
    url = _kwargs_url(name, row, raters_world)
    wrong = []
    for role in ROLES:
        response = _client_for(client, raters_world, role).get(url)
        if not _matches(response, row["expect"][role], url, raters_world):
            wrong.append(f"{role}: expected {row['expect'][role]!r}, got {_describe(response)}")
    assert wrong == [], f"GET {url}"


@pytest.mark.parametrize("name", sorted(n for n, r in ROWS_RATERS.items() if "post" in r))
def test_refused_post_changes_nothing(name, client, raters_world):
    row = ROWS_RATERS[name]
    url = _kwargs_url(name, row, raters_world)
    wrong = []
    for role, expected in row["post"].items():
        data = _resolve(row.get("data", {}), raters_world)
        _client_for(client, raters_world, role)
        before = (_model_counts(), _snapshot(raters_world))
        response = client.post(url, data)
        if not _matches(response, expected, url, raters_world):
            wrong.append(f"{role}: expected {expected!r}, got {_describe(response)}")
        if (_model_counts(), _snapshot(raters_world)) != before:
            wrong.append(f"{role}: the POST changed the database")
    assert wrong == [], f"POST {url}"


@pytest.mark.parametrize("name", sorted(ROWS))
def test_a_rater_reaches_no_other_page(name, client, raters_world):
    """Every URL of the main matrix, GET and POST: back to the rating page with a message; no change."""
    url = _url(name, ROWS[name], raters_world)
    _client_for(client, raters_world, "rater")
    before = (_model_counts(), _snapshot(raters_world))
    for method in (client.get, client.post):
        response = method(url, follow=True)
        expected_chain = [] if name == "healthz" else [(RATE, 302)]
        if name == "healthz":
            continue
        assert response.redirect_chain == expected_chain, f"{method.__name__} {url}"
        assert "only your rating page is open to you" in response.content.decode()
    assert (_model_counts(), _snapshot(raters_world)) == before
