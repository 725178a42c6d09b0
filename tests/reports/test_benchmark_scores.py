"""The benchmark table (reports/benchmark_scores.py): refreshed by every change of results, equal to
reports.scores, and the caches built on it: exact, per viewer, and retired by any change."""

import random
import statistics
from fractions import Fraction

import pytest
from django.core.cache import cache
from django.core.management import call_command

from assessments.models import Assessment, OrgType
from assessments.services import workflow
from reports import benchmark_scores as bs
from reports.models import BenchmarkScore, BenchmarkVersion
from reports.scores import OVERALL, scores_for_assessments
from reports.selectors import field_statistics, org_benchmark, peer_group_statistics
from tests import factories as f

SLUGS = [slug for slug, _, _ in f.COMMITMENT_NAMES]


def table(assessment) -> dict[str, float]:
    return dict(BenchmarkScore.objects.filter(assessment=assessment).values_list("commitment", "score"))


def expected(levels) -> dict[str, float]:
    """Scores computed here, independently: the mean level per commitment (N/A left out), then the mean."""
    scores = {}
    for index, slug in enumerate(SLUGS):
        answered = [lv for lv in levels[index * 3 : index * 3 + 3] if lv is not None]
        if answered:
            scores[slug] = Fraction(sum(answered), len(answered))
    if scores:
        scores[OVERALL] = sum(scores.values()) / len(scores)
    return {slug: float(value) for slug, value in scores.items()}


def make_org(cycle, levels, *, status=Assessment.Status.VALIDATED, **fields):
    assessment = f.AssessmentFactory(organization=f.OrganizationFactory(**fields), cycle=cycle)
    return f.answer_all(assessment, levels, status=status)


# ---------------------------------------------------------------------------------------------------------
# Refreshing


def test_workflow_submit_return_validate_refresh_the_table(cycle, org_a, assessor_a, nam_staff):
    draft = f.answer_all(f.AssessmentFactory(organization=org_a, cycle=cycle), [4, 4, 2] + [3] * 27)
    assert table(draft) == {}  # a draft has no results
    token = BenchmarkVersion.objects.filter(cycle=cycle).values_list("token", flat=True).first()

    workflow.assessment_submit(
        assessment=draft, user=assessor_a, affirmed_name="Ada Lovelace", affirmed_title="CEO", affirmed=True
    )
    submitted_rows = table(draft)
    assert submitted_rows == {
        **dict.fromkeys(SLUGS, 3.0),
        "engaged": 10 / 3,
        OVERALL: float(Fraction(91, 30)),
    }
    assert BenchmarkScore.objects.filter(assessment=draft, validated=False).count() == 11
    token_submitted = BenchmarkVersion.objects.get(cycle=cycle).token
    assert token_submitted != token

    workflow.assessment_return(assessment=draft, user=nam_staff, comment="Add evidence for ENG-3.")
    assert table(draft) == {}
    assert BenchmarkVersion.objects.get(cycle=cycle).token != token_submitted

    draft.refresh_from_db()
    workflow.assessment_submit(
        assessment=draft, user=assessor_a, affirmed_name="Ada Lovelace", affirmed_title="CEO", affirmed=True
    )
    workflow.assessment_validate(assessment=draft, user=nam_staff)
    assert table(draft) == submitted_rows
    assert BenchmarkScore.objects.filter(assessment=draft, validated=True).count() == 11


def test_seed_demo_fills_the_table_as_scores_computes(db):
    call_command("load_rubric", "fixtures/rubric/2026.1.yaml", publish=True, verbosity=0)
    call_command("seed_demo", orgs=15, cycles=2, seed=3, verbosity=0)
    results = list(Assessment.objects.filter(status__in=["submitted", "validated"]).select_related("cycle"))
    scores = scores_for_assessments(results)
    stored = {}
    for aid, slug, score in BenchmarkScore.objects.values_list("assessment_id", "commitment", "score"):
        stored.setdefault(aid, {})[slug] = score
    assert len(results) > 20
    assert stored == {a.pk: scores[a.pk].benchmark_values() for a in results}
    assert BenchmarkVersion.objects.count() == 2  # both cycles have a token
    assert bs.refresh_all() == BenchmarkScore.objects.count()  # a rebuild gives the same rows
    assert {
        aid: dict(BenchmarkScore.objects.filter(assessment_id=aid).values_list("commitment", "score"))
        for aid in stored
    } == stored


@pytest.mark.parametrize("seed", range(5))
def test_table_agrees_with_scores_on_random_data(cycle, seed):
    rng = random.Random(seed)
    assessments = []
    for _ in range(8):
        levels = [None if rng.random() < 0.2 else rng.randint(1, 5) for _ in range(30)]
        status = rng.choice(["draft", "returned", "submitted", "validated"])
        assessments.append((make_org(cycle, levels, status=status), levels))
    for assessment, levels in assessments:
        counted = assessment.status in ("submitted", "validated")
        assert table(assessment) == (expected(levels) if counted else {})
        if counted:
            computed = scores_for_assessments([assessment])[assessment.pk]
            assert table(assessment) == computed.benchmark_values()


def test_organization_change_retires_the_cached_statistics(cycle):
    viewer = make_org(cycle, [3] * 30)
    for level in (1, 2, 4, 5, 5):
        make_org(cycle, [level] * 30)
    before = BenchmarkVersion.objects.get(cycle=cycle).token
    organization = viewer.organization
    organization.org_type = OrgType.ACADEMIC
    organization.save()
    assert BenchmarkVersion.objects.get(cycle=cycle).token != before


# ---------------------------------------------------------------------------------------------------------
# Statistics from the table, exact and per viewer


@pytest.mark.parametrize("seed", range(20))
def test_peer_view_equals_python_statistics(seed):
    rng = random.Random(seed)
    values = sorted(float(Fraction(rng.randint(10, 50), rng.choice([1, 2, 3, 6, 10, 30]))) for _ in range(40))
    own = values[rng.randrange(len(values))]
    peers = list(values)
    peers.remove(own)
    got = bs.peer_view(bs.array("d", values), own=own, own_counted=True)
    quartiles = statistics.quantiles(peers, n=4, method="inclusive")
    assert got.n == len(peers) == 39
    assert round(got.mean, 9) == round(statistics.fmean(peers), 9)
    assert [round(v, 9) for v in (got.p25, got.median, got.p75)] == [round(q, 9) for q in quartiles]
    lower = sum(1 for p in peers if p < own - 1e-9)
    ties = sum(1 for p in peers if abs(p - own) <= 1e-9)
    assert got.prank == pytest.approx(100 * (lower + 0.5 * ties) / len(peers))


def test_cache_never_serves_one_organizations_view_to_another(cycle):
    # Overall scores: alpha 1, bravo 5, peers 2, 3, 3, 4, 4.
    alpha = make_org(cycle, [1] * 30, name="Alpha")
    bravo = make_org(cycle, [5] * 30, name="Bravo")
    for level in (2, 3, 3, 4, 4):
        make_org(cycle, [level] * 30)

    first = org_benchmark(assessment=alpha, peer_group="all")  # fills the cache with the group's scores
    second = org_benchmark(assessment=bravo, peer_group="all")  # served from it

    assert (first.n_peers, first.overall.peer.median, first.overall.peer.p90) == (6, 3.5, 4.5)
    assert first.overall.percentile_rank == 0
    assert (second.n_peers, second.overall.peer.median, second.overall.peer.p90) == (6, 3, 4)
    assert second.overall.percentile_rank == 100
    # Same numbers as straight SQL over the table, for each of them.
    for viewer, benchmark in ((alpha, first), (bravo, second)):
        sql = peer_group_statistics(cycle=cycle, peer_group="all", exclude_organization=viewer.organization)
        assert benchmark.overall.peer == sql[OVERALL]


def test_a_validation_retires_the_cached_statistics(cycle, settings, nam_staff):
    settings.BENCHMARK_INCLUDE_SUBMITTED = False
    viewer = make_org(cycle, [3] * 30)
    for level in (1, 2, 4, 5, 5):
        make_org(cycle, [level] * 30)
    waiting = make_org(cycle, [5] * 30, status=Assessment.Status.SUBMITTED)
    before = org_benchmark(assessment=viewer, peer_group="all")
    nam_before = field_statistics(cycle=cycle)[(None, OVERALL)]
    assert (before.n_peers, before.overall.peer.median, nam_before.n) == (5, 4, 6)

    workflow.assessment_validate(assessment=waiting, user=nam_staff)

    after = org_benchmark(assessment=viewer, peer_group="all")
    assert (after.n_peers, after.overall.peer.median) == (6, 4.5)
    assert field_statistics(cycle=cycle)[(None, OVERALL)].n == 7


def test_cached_statistics_are_keyed_by_the_setting(cycle, settings):
    viewer = make_org(cycle, [3] * 30)
    for level in (1, 2, 4, 5, 5):
        make_org(cycle, [level] * 30)
    make_org(cycle, [5] * 30, status=Assessment.Status.SUBMITTED)
    settings.BENCHMARK_INCLUDE_SUBMITTED = True
    assert org_benchmark(assessment=viewer, peer_group="all").n_peers == 6
    settings.BENCHMARK_INCLUDE_SUBMITTED = False
    assert org_benchmark(assessment=viewer, peer_group="all").n_peers == 5


def test_cache_entries_hold_group_scores_only(cycle):
    viewer = make_org(cycle, [3] * 30, org_type=OrgType.ACADEMIC)
    for level in (1, 2, 4, 5, 5):
        make_org(cycle, [level] * 30, org_type=OrgType.ACADEMIC)
    cache.clear()
    org_benchmark(assessment=viewer, peer_group="org_type")
    token = BenchmarkVersion.objects.get(cycle=cycle).token
    entry = cache.get(bs._group_key(cycle.pk, token, "org_type", OrgType.ACADEMIC))
    # The whole group, the viewer included, sorted: no organization, no identity, no derived view.
    assert {slug: list(values) for slug, values in entry.items()}[OVERALL] == [1.0, 2.0, 3.0, 4.0, 5.0, 5.0]
