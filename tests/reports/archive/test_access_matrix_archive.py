"""The access matrix of the data archive URLs (namespace "archive"): only the organization's admins."""

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from reports.archive.models import DataArchive
from tests.assessments.terms.test_access_matrix_terms import namespace_urls
from tests.test_access_matrix import (
    LOGIN,
    POST_ONLY,
    _client_for,
    _describe,
    _matches,
    _model_counts,
    _url,
    check_get,
    world,  # noqa: F401 (the fixture)
)

pytestmark = pytest.mark.django_db

ADMINS_OF_A = {
    "anonymous": LOGIN,
    "assessor_a": 403,
    "executive_a": 403,
    "admin_a": 200,
    "assessor_b": 404,
    "nam_staff": 403,
}
ROWS = {
    "archive:organization": {"kwargs": {"slug": "alpha"}, "expect": ADMINS_OF_A},
    "archive:request": {
        "kwargs": {"slug": "alpha"},
        "expect": POST_ONLY,
        "post": {k: v for k, v in ADMINS_OF_A.items() if k != "admin_a"},
    },
    "archive:download": {"kwargs": {"slug": "alpha", "pk": lambda w: w.archive_a.pk}, "expect": ADMINS_OF_A},
}


@pytest.fixture
def archive_world(world):  # noqa: F811
    archive = DataArchive(
        organization=world.org_a,
        status="ready",
        sections_total=7,
        sections_done=7,
        finished_at=timezone.now(),
        expires_at=timezone.now() + timezone.timedelta(hours=1),
    )
    archive.file.save("alpha-matrix.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18), save=True)
    world.archive_a = archive
    return world


def test_every_archive_url_has_a_row():
    assert namespace_urls("archive") == sorted(ROWS)


@pytest.mark.parametrize("name", sorted(ROWS))
def test_get(name, client, archive_world):
    check_get(client, archive_world, name, ROWS[name])


def test_refused_requests_change_nothing(client, archive_world):
    row = ROWS["archive:request"]
    url = _url("archive:request", row, archive_world)
    wrong = []
    for role, expected in row["post"].items():
        before = _model_counts()
        response = _client_for(client, archive_world, role).post(url, {})
        if not _matches(response, expected, url, archive_world) or _model_counts() != before:
            wrong.append(f"{role}: got {_describe(response)}")
    assert wrong == []


def test_the_admin_requests_an_archive(client, archive_world, django_capture_on_commit_callbacks):
    url = _url("archive:request", ROWS["archive:request"], archive_world)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _client_for(client, archive_world, "admin_a").post(url, {})
    assert (response.status_code, response["Location"]) == (302, "/orgs/alpha/data/")
    assert len(callbacks) == 1
    assert DataArchive.objects.filter(organization=archive_world.org_a, status="queued").count() == 1
