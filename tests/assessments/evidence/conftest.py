"""Evidence files are stored in a real folder (a tmp dir per test) through the "evidence" storage."""

import pytest

from tests import factories as f

from .samples import EvidenceFiles


@pytest.fixture(autouse=True)
def evidence_root(settings, tmp_path):
    root = tmp_path / "evidence-store"
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": root}},
    }
    settings.CLAMD_SOCKET = ""
    return root


@pytest.fixture
def stored(evidence_root):
    return EvidenceFiles(evidence_root)


@pytest.fixture
def draft(cycle, org_a):
    return f.AssessmentFactory(organization=org_a, cycle=cycle)


@pytest.fixture
def eng(rubric):
    """The three indicators of the "engaged" commitment, {code: Indicator}."""
    return {i.code: i for i in rubric.commitments.get(slug="engaged").indicators.all()}
