"""assessments/backends.py: the user and the NAM staff flag in one query."""

import pytest

from assessments import permissions
from assessments.backends import PortalBackend

pytestmark = pytest.mark.django_db


def test_the_user_comes_with_the_nam_staff_flag(nam_staff, assessor_a, django_assert_num_queries):
    backend = PortalBackend()
    with django_assert_num_queries(2):
        staff, assessor = backend.get_user(nam_staff.pk), backend.get_user(assessor_a.pk)
    with django_assert_num_queries(0):
        assert (permissions.is_nam_staff(staff), permissions.is_nam_staff(assessor)) == (True, False)
    assert (staff.username, assessor.username) == (nam_staff.username, assessor_a.username)


def test_an_inactive_or_unknown_user_is_nobody(assessor_a):
    assessor_a.is_active = False
    assessor_a.save()
    assert PortalBackend().get_user(assessor_a.pk) is None
    assert PortalBackend().get_user(10**9) is None


def test_a_superuser_counts_as_nam_staff(assessor_a):
    assessor_a.is_superuser = True
    assessor_a.save()
    assert permissions.is_nam_staff(PortalBackend().get_user(assessor_a.pk)) is True
