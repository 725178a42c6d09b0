"""Fixtures of the improvement-plan tests: Alpha's 2026 results, its plan on them, and the 2027 cycle that
judges it."""

import contextlib
from decimal import Decimal

import pytest

from assessments.models import Assessment
from reports.services.releases import ReleaseRefused, release_publish
from tests import factories as f

SUBMITTED = Assessment.Status.SUBMITTED
SLUGS = [slug for slug, _, _ in f.COMMITMENT_NAMES]

# Alpha's answers: 3 levels per commitment, in rubric order (None = not applicable).
ALPHA_LEVELS = {
    "engaged": [1, 2, 2],  # 1.67
    "safe": [3, 3, 3],  # 3.00
    "effective": [2, 2, 2],  # 2.00
    "efficient": [4, 4, 4],  # 4.00
    "fair": [1, 1, 2],  # 1.33
    "accessible": [3, 3, 3],
    "accountable": [3, 3, 3],
    "transparent": [3, None, 3],  # 3.00 (N/A left out)
    "secure": [3, 3, 3],
    "adaptive": [5, 5, 5],  # 5.00
}
# Overall: (5/3 + 3 + 2 + 4 + 4/3 + 3 + 3 + 3 + 3 + 5) / 10 = 2.90.


def levels(by_slug):
    return [level for slug in SLUGS for level in by_slug[slug]]


def uniform(level):
    return {slug: [level] * 3 for slug in SLUGS}


@pytest.fixture
def alpha_results(cycle, org_a):
    return f.answer_all(
        f.AssessmentFactory(organization=org_a, cycle=cycle), levels(ALPHA_LEVELS), status=SUBMITTED
    )


def add_peers(cycle, peer_levels):
    """Peers with submitted results, published as a release (peer figures come only from releases; too few
    organizations for a first release: none, and no peer figures)."""
    for level in peer_levels:
        f.answer_all(f.AssessmentFactory(cycle=cycle), levels(uniform(level)), status=SUBMITTED)
    with contextlib.suppress(ReleaseRefused):
        release_publish(cycle=cycle, inclusion="submitted")


@pytest.fixture
def cycle_2027(rubric):
    return f.AssessmentCycleFactory(name="2027", rubric=rubric)


@pytest.fixture
def alpha_plan_2026(cycle, org_a, alpha_results):
    """Targets on the 2026 results: engaged 2.50, effective 3.00, fair 2.00; actions on engaged and safe."""
    commitments = {c.slug: c for c in cycle.rubric.commitments.all()}
    for slug, level in (("engaged", "2.50"), ("effective", "3.00"), ("fair", "2.00")):
        f.CommitmentTargetFactory(
            organization=org_a, cycle=cycle, commitment=commitments[slug], target_level=Decimal(level)
        )
    f.ImprovementActionFactory(
        organization=org_a,
        cycle=cycle,
        commitment=commitments["engaged"],
        title="PFAC charter",
        status="done",
    )
    f.ImprovementActionFactory(
        organization=org_a,
        cycle=cycle,
        commitment=commitments["engaged"],
        title="Partner log",
        status="dropped",
    )
    f.ImprovementActionFactory(
        organization=org_a, cycle=cycle, commitment=commitments["safe"], title="Huddles", status="done"
    )
    return commitments
