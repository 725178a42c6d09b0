"""tests/load/cache_hits.py: the hit rates a correct cache could have under the load test's mixed journey.

Each commitment page is read 2.5 times per save of it (page 2.5 + save 1.67 views to 1.67 saves), so a version
serves 2.5 views, the first a miss: 60%. An overview is read 0.5 times per save of its assessment: a third.
Neither depends on the rate.
"""

from cache_hits import hit_rates
from mix import MIX


def test_the_mix_is_the_old_load_tests_fifty_users_as_shares():
    assert [(kind, round(weight, 3)) for kind, weight in MIX] == [
        ("commitment page", 2.5),
        ("commitment save", 1.667),
        ("assessment overview", 0.833),
        ("org dashboard", 3),
        ("NAM dashboard", 1),
    ]


def test_a_correct_cache_serves_at_most_three_fifths_of_the_commitment_pages():
    rates = hit_rates(rate=160, seconds=600, assessments=60, commitments=10)
    assert {kind: round(share, 2) for kind, share in rates.items()} == {
        "commitment page": 0.6,
        "assessment overview": 0.34,
    }


def test_the_hit_rates_do_not_depend_on_the_rate():
    slow = hit_rates(rate=46, seconds=2000, assessments=60, commitments=10)
    assert round(slow["commitment page"], 2) == 0.6
    assert round(slow["assessment overview"], 1) == 0.3


def test_without_saves_every_view_after_the_first_hits():
    reads_only = [(kind, 0 if kind == "commitment save" else weight) for kind, weight in MIX]
    rates = hit_rates(rate=160, seconds=600, assessments=60, commitments=10, mix=reads_only)
    assert rates == {"commitment page": 1.0, "assessment overview": 1.0}
