import pytest

from assessments.models import Role
from tests import factories as f


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Argon2 is deliberately slow; the tests check behaviour, not the hash.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# --- the embedded broker --------------------------------------------------------------------------------


@pytest.fixture(autouse=True, scope="session")
def _embedded_broker_of_this_run(tmp_path_factory):
    # Without CELERY_BROKER_URL, tasks queued by the tests go to the embedded broker: into a folder of this
    # run, not var/celery-broker, where the worker of a `make run` would take them.
    from django.conf import settings

    from lhs_portal.celery import app

    if settings.CELERY_BROKER_EMBEDDED:
        folder = tmp_path_factory.mktemp("celery-broker")
        (folder / "queue").mkdir()
        app.conf.broker_transport_options = {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "control_folder": str(folder / "control"),
        }


@pytest.fixture
def rubric(db):
    return f.build_rubric()


@pytest.fixture
def cycle(rubric):
    return f.AssessmentCycleFactory(name="2026", rubric=rubric)


@pytest.fixture
def org_a(db):
    return f.OrganizationFactory(name="Alpha Regional Hospital", slug="alpha")


@pytest.fixture
def org_b(db):
    return f.OrganizationFactory(name="Bravo Community Clinic", slug="bravo")


def _member(org, role, username):
    return f.MembershipFactory(organization=org, role=role, user=f.UserFactory(username=username)).user


@pytest.fixture
def assessor_a(org_a):
    return _member(org_a, Role.ASSESSOR, "alice")


@pytest.fixture
def executive_a(org_a):
    return _member(org_a, Role.EXECUTIVE, "erin")


@pytest.fixture
def admin_a(org_a):
    return _member(org_a, Role.ORG_ADMIN, "adam")


@pytest.fixture
def assessor_b(org_b):
    return _member(org_b, Role.ASSESSOR, "bob")


@pytest.fixture
def nam_staff(db):
    return f.NamStaffFactory(username="nadia")


# --- performance (benchmark caches) ----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _empty_cache():
    # Peer statistics are cached (their keys carry a random token per refresh, so nothing stale is ever
    # served); an empty cache at the start of each test keeps query counts independent of earlier tests
    # (a full local-memory cache evicts entries at random).
    from django.core.cache import cache

    cache.clear()


# --- sign-in (second factor) -----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _second_factor_not_required(settings):
    # NAM staff and organization admins need a second factor before any page (MFA_REQUIRED_FOR=admins).
    # The tests whose subject that is (tests/test_mfa.py, the access matrix's enrolment test) set it back;
    # the others sign people in without one, as they did before.
    settings.MFA_REQUIRED_FOR = "none"
