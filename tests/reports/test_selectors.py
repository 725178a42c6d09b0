"""Peer statistics of a release against values computed independently with Python's statistics module.

Tests of the statistics themselves use `all_figures` (quartiles and tails from the peer minimum up); the
disclosure minimums are tested in test_disclosure.py."""

import random
import statistics
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest

from assessments.models import Assessment, OrgType
from reports.selectors import field_statistics, org_benchmark
from tests import factories as f
from tests.reports.conftest import publish

SLUGS = [slug for slug, _, _ in f.COMMITMENT_NAMES]


def q2(value) -> Decimal:
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    else:
        value = Decimal(repr(float(value)))
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def random_levels(rng: random.Random, base: int) -> list[int | None]:
    """30 levels around a base, with an occasional N/A (never a whole commitment)."""
    levels = []
    for i in range(30):
        if i % 3 == 2 and rng.random() < 0.15:
            levels.append(None)
        else:
            levels.append(max(1, min(5, base + rng.choice([-1, 0, 0, 1]))))
    return levels


def org_scores(levels) -> dict[str, Fraction]:
    """Commitment scores and overall, computed in plain Python from the 30 levels."""
    scores = {}
    for index, slug in enumerate(SLUGS):
        answered = [lv for lv in levels[index * 3 : index * 3 + 3] if lv is not None]
        scores[slug] = Fraction(sum(answered), len(answered))
    scores["overall"] = sum(scores[s] for s in SLUGS) / len(SLUGS)
    return scores


def expected_stats(values):
    values = [float(v) for v in values]
    quartiles = statistics.quantiles(values, n=4, method="inclusive")
    deciles = statistics.quantiles(values, n=10, method="inclusive")
    return {
        "n": len(values),
        "mean": q2(statistics.fmean(values)),
        "p25": q2(quartiles[0]),
        "median": q2(quartiles[1]),
        "p75": q2(quartiles[2]),
        "p90": q2(deciles[8]),
    }


def make_org(cycle, levels, *, status=Assessment.Status.VALIDATED, **org_fields):
    organization = f.OrganizationFactory(**org_fields)
    assessment = f.AssessmentFactory(organization=organization, cycle=cycle)
    f.answer_all(assessment, levels, status=status)
    return assessment


@pytest.fixture
def field(cycle):
    """A viewer and 11 peers with random levels, plus assessments that must not count."""
    rng = random.Random(20261128)
    viewer = make_org(cycle, random_levels(rng, 3), name="Viewer Hospital")
    peers = []
    for i in range(11):
        status = Assessment.Status.SUBMITTED if i % 4 == 0 else Assessment.Status.VALIDATED
        peers.append(make_org(cycle, random_levels(rng, rng.choice([2, 3, 4])), status=status))
    make_org(cycle, [5] * 30, status=Assessment.Status.DRAFT)
    make_org(cycle, [5] * 30, status=Assessment.Status.RETURNED)
    return viewer, peers


def levels_of(assessment) -> list[int | None]:
    return [
        r.level for r in assessment.responses.order_by("indicator__commitment__order", "indicator__order")
    ]


def test_peer_statistics_match_python_statistics(field, cycle, all_figures):
    viewer, peers = field
    by_org = [org_scores(levels_of(a)) for a in peers]
    publish(cycle)

    benchmark = org_benchmark(assessment=viewer, peer_group="all")
    stats = {c.slug: c.peer for c in [*benchmark.commitments, benchmark.overall]}

    assert sorted(stats) == sorted([*SLUGS, "overall"])
    for key in [*SLUGS, "overall"]:
        expected = expected_stats([scores[key] for scores in by_org])
        got = stats[key]
        assert {
            "n": got.n,
            "mean": got.mean,
            "p25": got.p25,
            "median": got.median,
            "p75": got.p75,
            "p90": got.p90,
        } == expected, key


def test_statistics_without_exclusion_count_everyone_who_submitted(field, cycle):
    viewer, peers = field
    by_org = [org_scores(levels_of(a)) for a in [viewer, *peers]]
    publish(cycle)
    stats = {slug: s for (_, slug), s in field_statistics(cycle=cycle).items()}
    assert stats["overall"].n == 12
    assert stats["overall"].median == expected_stats([s["overall"] for s in by_org])["median"]


def test_validated_only_when_submitted_are_not_counted(field, cycle, settings):
    settings.BENCHMARK_INCLUDE_SUBMITTED = False
    viewer, peers = field
    validated = [a for a in peers if a.status == Assessment.Status.VALIDATED]
    publish(cycle, inclusion=None)  # the setting's default: validated only
    stats = {c.slug: c.peer for c in [org_benchmark(assessment=viewer, peer_group="all").overall]}
    assert stats["overall"].n == len(validated) == 8
    expected = expected_stats([org_scores(levels_of(a))["overall"] for a in validated])
    assert stats["overall"].median == expected["median"]


def test_percentile_rank_counts_lower_peers_and_half_of_ties(cycle, all_figures):
    # Overall scores: viewer 3; peers 1, 2, 3, 3, 4, 5 -> (2 lower + 0.5 * 2 equal) / 6 = 50.
    viewer = make_org(cycle, [3] * 30)
    for level in [1, 2, 3, 3, 4, 5]:
        make_org(cycle, [level] * 30)
    publish(cycle)
    benchmark = org_benchmark(assessment=viewer, peer_group="all")
    assert benchmark.n_peers == 6
    assert benchmark.overall.percentile_rank == Decimal("50")
    assert benchmark.overall.peer.median == Decimal("3.00")
    # Engaged: viewer's indicators 3, 3, 3 against the same peers.
    engaged = benchmark.commitments[0]
    assert (engaged.slug, engaged.percentile_rank) == ("engaged", Decimal("50"))


def test_percentile_rank_top_and_bottom(cycle, all_figures):
    viewer = make_org(cycle, [5] * 30)
    for level in [1, 2, 3, 4, 4]:
        make_org(cycle, [level] * 30)
    bottom = make_org(cycle, [1, 1, 1] * 10)
    publish(cycle)
    # Peers of the top organization: 1, 2, 3, 4, 4, 1 -> all lower.
    assert org_benchmark(assessment=viewer, peer_group="all").overall.percentile_rank == Decimal("100")
    # Peers of the bottom organization: 5, 1, 2, 3, 4, 4 -> 0 lower, 1 tie -> 100 * 0.5 / 6 = 8.33 -> 8.
    assert org_benchmark(assessment=bottom, peer_group="all").overall.percentile_rank == Decimal("8")


@pytest.mark.parametrize(("n_peers", "suppressed"), [(4, True), (5, False), (6, False)])
def test_suppression_below_min_peers(cycle, n_peers, suppressed, all_figures):
    viewer = make_org(cycle, [3] * 30, org_type=OrgType.ACADEMIC)
    for _ in range(n_peers):
        make_org(cycle, [4] * 30, org_type=OrgType.ACADEMIC)
    # Other types: not peers in org_type, and enough of them that "all participants" is never within
    # BENCHMARK_MIN_PEERS organizations of the type group (which would hide the type group).
    for _ in range(5):
        make_org(cycle, [2] * 30, org_type=OrgType.HOSPITAL)
    publish(cycle)

    benchmark = org_benchmark(assessment=viewer, peer_group="org_type")

    assert (benchmark.n_peers, benchmark.suppressed, benchmark.min_peers) == (n_peers, suppressed, 5)
    if suppressed:
        assert benchmark.overall.peer is None
        assert benchmark.overall.percentile_rank is None
        assert all(c.peer is None and c.percentile_rank is None for c in benchmark.commitments)
        assert benchmark.trend[-1].peer_median is None
        # Gaps and strengths are measured against the organization's own overall score.
        assert benchmark.commitments[0].difference == Decimal("0.00")
    else:
        assert benchmark.overall.peer.median == Decimal("4.00")
        assert benchmark.overall.percentile_rank == Decimal("0")
        assert benchmark.commitments[0].difference == Decimal("-1.00")


def test_min_peers_setting_is_used(cycle, settings):
    settings.BENCHMARK_MIN_PEERS = 3
    viewer = make_org(cycle, [3] * 30)
    for _ in range(3):
        make_org(cycle, [4] * 30)
    publish(cycle)
    benchmark = org_benchmark(assessment=viewer, peer_group="all")
    assert (benchmark.suppressed, benchmark.min_peers, benchmark.n_peers) == (False, 3, 3)


def test_own_organization_is_never_its_own_peer(cycle, all_figures):
    viewer = make_org(cycle, [5] * 30)
    for _ in range(5):
        make_org(cycle, [2] * 30)
    publish(cycle)
    benchmark = org_benchmark(assessment=viewer, peer_group="all")
    # Were the viewer counted, n would be 6 and the mean 2.5.
    assert (benchmark.n_peers, benchmark.overall.peer.mean, benchmark.overall.peer.p90) == (
        5,
        Decimal("2.00"),
        Decimal("2.00"),
    )
    assert {c.peer.n for c in benchmark.commitments} == {5}


def test_peer_groups_match_on_the_organizations_attributes(cycle):
    viewer = make_org(cycle, [3] * 30, state="OH", is_teaching=True, size_band="300_499")
    for state in ["IL", "MI", "WI", "MN", "IN"]:  # Midwest, like Ohio
        make_org(cycle, [4] * 30, state=state)
    for state in ["TX", "CA"]:
        make_org(cycle, [2] * 30, state=state, is_teaching=True)
    publish(cycle)
    region = org_benchmark(assessment=viewer, peer_group="region")
    # 5 Midwest peers, but "all participants" (7) differs from them by only 2 organizations: comparing the
    # two would tell how the Texan and the Californian scored, so the smaller group is hidden.
    assert (region.n_peers, region.peer_group_value, region.suppressed, region.overall.peer) == (
        5,
        "Midwest census region",
        True,
        None,
    )
    assert "differs from" in region.hidden_reason
    teaching = org_benchmark(assessment=viewer, peer_group="teaching")
    assert (teaching.n_peers, teaching.suppressed, teaching.peer_group_value) == (
        2,
        True,
        "Teaching organizations",
    )
    everyone = org_benchmark(assessment=viewer, peer_group="all")
    assert everyone.n_peers == 7


def test_strongest_and_gaps_against_peer_median(cycle):
    levels = [3] * 30
    levels[0:3] = [5, 5, 5]  # engaged far above
    levels[3:6] = [4, 4, 4]  # safe above
    levels[27:30] = [1, 1, 1]  # adaptive far below
    levels[24:27] = [2, 2, 2]  # secure below
    viewer = make_org(cycle, levels)
    for _ in range(5):
        make_org(cycle, [3] * 30)
    publish(cycle)
    benchmark = org_benchmark(assessment=viewer, peer_group="all")
    # Effective and the others sit at the median (+0.00): neither a strength nor a gap.
    assert [c.slug for c in benchmark.strongest] == ["engaged", "safe"]
    assert [c.slug for c in benchmark.gaps] == ["adaptive", "secure"]
    assert benchmark.strongest[0].difference == Decimal("2.00")


def test_trend_spans_cycles_and_previous_overall(rubric):
    earlier = f.AssessmentCycleFactory(name="2025", rubric=rubric, status="closed")
    later = f.AssessmentCycleFactory(name="2026", rubric=rubric)
    organization = f.OrganizationFactory()
    first = f.AssessmentFactory(organization=organization, cycle=earlier)
    f.answer_all(first, 2, status=Assessment.Status.VALIDATED)
    second = f.AssessmentFactory(organization=organization, cycle=later)
    f.answer_all(second, 4, status=Assessment.Status.SUBMITTED)
    for _ in range(5):
        make_org(earlier, [3] * 30)
    publish(earlier)
    benchmark = org_benchmark(assessment=second, peer_group="all")
    assert [(p.cycle_name, p.overall, p.peer_median, p.n_peers) for p in benchmark.trend] == [
        ("2025", Decimal("2.00"), Decimal("3.00"), 5),
        ("2026", Decimal("4.00"), None, 0),
    ]
    assert benchmark.previous_overall == Decimal("2.00")
    assert benchmark.suppressed is True


def test_participation_per_cycle_type_and_region(rubric):
    from reports.selectors import participation

    old = f.AssessmentCycleFactory(name="2025", rubric=rubric, status="closed")
    new = f.AssessmentCycleFactory(name="2026", rubric=rubric)
    hospital_oh = f.OrganizationFactory(org_type=OrgType.HOSPITAL, state="OH")  # midwest
    hospital_tx = f.OrganizationFactory(org_type=OrgType.HOSPITAL, state="TX")  # south
    academic_ca = f.OrganizationFactory(org_type=OrgType.ACADEMIC, state="CA")  # west
    f.OrganizationFactory(org_type=OrgType.ACADEMIC, state="NY", is_active=False)  # never counted
    for organization in (hospital_oh, hospital_tx):
        f.MembershipFactory(organization=organization)
    f.MembershipFactory(organization=hospital_oh)  # a second member: still one organization invited
    statuses = {
        (hospital_oh, old): Assessment.Status.VALIDATED,
        (hospital_oh, new): Assessment.Status.SUBMITTED,
        (hospital_tx, new): Assessment.Status.RETURNED,
        (academic_ca, old): Assessment.Status.SUBMITTED,
        (academic_ca, new): Assessment.Status.DRAFT,
    }
    for (organization, cycle), status in statuses.items():
        f.AssessmentFactory(organization=organization, cycle=cycle, status=status)

    table = participation(cycles=[new, old], cycle=new)

    def counts(rows):
        return {r.key: (r.invited, r.started, r.submitted, r.validated) for r in rows}

    assert counts(table["per_cycle"]) == {"2026": (2, 3, 2, 0), "2025": (2, 2, 2, 1)}
    assert [r.label for r in table["per_cycle"]] == ["2026", "2025"]
    by_type = counts(table["by_type"])
    assert (by_type["hospital"], by_type["academic"], by_type["chc"]) == (
        (2, 2, 2, 0),
        (0, 1, 0, 0),
        (0,) * 4,
    )
    assert len(by_type) == len(OrgType.choices)
    assert counts(table["by_region"]) == {
        "northeast": (0, 0, 0, 0),
        "midwest": (1, 1, 1, 0),
        "south": (1, 1, 1, 0),
        "west": (0, 1, 0, 0),
    }
    filtered = participation(cycles=[new, old], cycle=new, filters={"org_type": OrgType.ACADEMIC})
    assert counts(filtered["per_cycle"]) == {"2026": (0, 1, 0, 0), "2025": (0, 1, 1, 0)}
