"""The workbook's URLs in the access matrix: every kind of user, the exact outcome; refused writes change
nothing (the machinery and the world of tests/test_access_matrix.py)."""

import pytest

from tests.test_access_matrix import check_get, check_refused_posts, world  # noqa: F401 (the fixture)

from .access_rows import ROWS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", sorted(ROWS))
def test_get(name, client, world):  # noqa: F811
    check_get(client, world, name, ROWS[name])


@pytest.mark.parametrize("name", sorted(n for n, row in ROWS.items() if "post" in row))
def test_refused_post_changes_nothing(name, client, world):  # noqa: F811
    check_refused_posts(client, world, name, ROWS[name])


def test_every_workbook_url_has_a_row():
    from tests.test_access_matrix import named_urls

    assert sorted(n for n in named_urls() if ":workbook_" in n) == sorted(ROWS)
