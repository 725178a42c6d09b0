"""Bad input gets a clear 400 or 404 JSON message (never a 500) and changes nothing."""

import pytest

from assessments.models import Response
from reports.api.models import ApiToken


@pytest.mark.parametrize(
    ("url", "status", "body"),
    [
        (
            "/api/v1/nam/cycles/2026/responses/?cursor=not-a-cursor",
            400,
            {"cursor": ["This cursor is not valid: follow the 'next' or 'previous' link of a page."]},
        ),
        (
            "/api/v1/nam/cycles/2026/responses/?org_type=castle",
            400,
            {"org_type": ['"castle" is not a valid choice.']},
        ),
        (
            "/api/v1/nam/cycles/2026/responses/?teaching=maybe&region=mars",
            400,
            {"region": ['"mars" is not a valid choice.'], "teaching": ['"maybe" is not a valid choice.']},
        ),
        (
            "/api/v1/nam/cycles/2026/responses/?name_contains=a%00b",
            400,
            {"name_contains": ["Null characters are not allowed."]},
        ),
        (
            "/api/v1/nam/cycles/1999/responses/",
            404,
            {"detail": "No assessment cycle is called '1999'."},
        ),
        (
            "/api/v1/nam/releases/999999/benchmarks/",
            404,
            {"detail": "No benchmark release has the id 999999: /api/v1/nam/cycles/ lists them."},
        ),
        (
            "/api/v1/nam/releases/{release}/benchmarks/?size_band=huge",
            400,
            {"size_band": ['"huge" is not a valid choice.']},
        ),
        ("/api/v1/nam/nothing/", 404, None),
    ],
)
def test_nam_bad_input(released, nam, url, status, body):
    before = (Response.objects.count(), ApiToken.objects.count())
    response = nam.get(url.format(release=released.pk))
    assert response.status_code == status
    if body is not None:
        assert response.json() == body
    assert (Response.objects.count(), ApiToken.objects.count()) == before


@pytest.mark.parametrize(
    ("url", "status", "body"),
    [
        (
            "/api/v1/orgs/alpha/assessments/2026/scores/?peer_group=friends",
            400,
            {"peer_group": ['"friends" is not a valid choice.']},
        ),
        ("/api/v1/orgs/alpha/assessments/1999/", 404, {"detail": "No assessment cycle is called '1999'."}),
        (
            "/api/v1/orgs/alpha/assessments/2025/scores/",
            404,
            {"detail": "Your organization has no submitted results for that cycle."},
        ),
        (
            "/api/v1/orgs/alpha/assessments/2025/",
            404,
            {"detail": "Your organization has no assessment in the 2025 cycle."},
        ),
        ("/api/v1/orgs/alpha/plans/1999/", 404, {"detail": "No assessment cycle is called '1999'."}),
        ("/api/v1/orgs/no-such-org/cycles/", 404, {"detail": "No such organization."}),
    ],
)
def test_member_bad_input(released, alice, url, status, body, rubric):
    from tests import factories as f

    f.AssessmentCycleFactory(name="2025", rubric=rubric)
    response = alice.get(url)
    assert response.status_code == status
    assert response.json() == body


def test_writes_are_refused(released, alice):
    before = Response.objects.count()
    response = alice.post("/api/v1/orgs/alpha/cycles/", {"x": 1}, format="json")
    assert (response.status_code, response.json()) == (405, {"detail": 'Method "POST" not allowed.'})
    assert Response.objects.count() == before


def test_page_size_is_capped(released, nam, settings):
    settings.API_PAGE_SIZE = 7
    assert len(nam.get("/api/v1/nam/cycles/2026/responses/?page_size=1000").json()["results"]) == 7
    assert len(nam.get("/api/v1/nam/cycles/2026/responses/?page_size=3").json()["results"]) == 3
    assert len(nam.get("/api/v1/nam/cycles/2026/responses/?page_size=zero").json()["results"]) == 7
