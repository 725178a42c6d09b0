import pytest

from assessments.models import Assessment, AssessmentCycle
from tests import factories as f
from tests.test_access_matrix import world  # noqa: F401  (the access matrix's world, as a fixture here)


@pytest.fixture
def draft(cycle, org_a):
    return f.AssessmentFactory(organization=org_a, cycle=cycle)


@pytest.fixture
def complete(draft):
    """A draft with every indicator answered (level 3, no evidence)."""
    return f.answer_all(draft, 3)


@pytest.fixture
def submitted(complete):
    complete.status = Assessment.Status.SUBMITTED
    complete.save()
    return complete


@pytest.fixture
def last_year(rubric, org_a):
    """Org A's validated 2025 assessment: level 1 everywhere, with evidence."""
    cycle_2025 = f.AssessmentCycleFactory(name="2025", rubric=rubric, status=AssessmentCycle.Status.CLOSED)
    previous = f.AssessmentFactory(organization=org_a, cycle=cycle_2025)
    f.answer_all(previous, 1, status=Assessment.Status.VALIDATED)
    previous.responses.update(evidence_summary="Board minutes")
    return previous
