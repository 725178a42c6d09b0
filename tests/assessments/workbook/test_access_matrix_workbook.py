"""The workbook's URLs in the access matrix: every kind of user, the exact outcome; refused writes change
nothing (the machinery and the world of tests/test_access_matrix.py)."""

import pytest

from tests.test_access_matrix import (
    ROLES,
    _client_for,
    _describe,
    _matches,
    _model_counts,
    _resolve,
    _url,
    world,  # noqa: F401 (the fixture)
)

from .access_rows import ROWS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", sorted(ROWS))
def test_get(name, client, world):  # noqa: F811
    row = ROWS[name]
    url = _url(name, row, world)
    wrong = []
    for role in ROLES:
        expected = row["expect"][role]
        response = _client_for(client, world, role).get(url)
        if not _matches(response, expected, url, world):
            wrong.append(f"{role}: expected {expected!r}, got {_describe(response)}")
    assert wrong == [], f"GET {url} ({name})"


@pytest.mark.parametrize("name", sorted(n for n, row in ROWS.items() if "post" in row))
def test_refused_post_changes_nothing(name, client, world):  # noqa: F811
    row = ROWS[name]
    url = _url(name, row, world)
    wrong = []
    for role, expected in row["post"].items():
        before = _model_counts()
        response = _client_for(client, world, role).post(url, _resolve(row["data"], world))
        if not _matches(response, expected, url, world):
            wrong.append(f"{role}: expected {expected!r}, got {_describe(response)}")
        if _model_counts() != before:
            wrong.append(f"{role}: the POST changed the database")
    assert wrong == [], f"POST {url} ({name})"


def test_every_workbook_url_has_a_row():
    from tests.test_access_matrix import named_urls

    assert sorted(n for n in named_urls() if ":workbook_" in n) == sorted(ROWS)
