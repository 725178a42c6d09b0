"""The best hit rates any cache that stays correct could have under the load test's mixed journey.

Why this exists: the capacity target (mixed journey >= 50% of the floor, README "Capacity ratio") would need
nearly every page served from a cache, and the journey's own saves change the assessments it reads. This
replays the generator's arrivals (its MIX, one assessor per assessment as in the load-test database) and
counts, for a cache keyed on the data's version, how many page views find the version they need already
rendered: commitment pages keyed per (assessment, commitment), the overview per assessment. Each save makes
a new version, so the next view of it misses. Dashboards are left out: their data does not change in the
journey, so they would always hit.

Usage: python tests/load/cache_hits.py [--rate 160] [--seconds 600]. Not collected by pytest.
"""

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from mix import MIX  # tests/load/mix.py: tests/load is not a package, this runs as a script

PAGE_KINDS = {"commitment page", "commitment save"}


def hit_rates(
    rate: float, seconds: float, assessments: int, commitments: int, seed: int = 1, mix=MIX
) -> dict:
    """{kind: share of hits} over the second half of the run (the first half fills the cache)."""
    rng = random.Random(seed)
    kinds, weights = [k for k, _ in mix], [w for _, w in mix]
    page_version, assessment_version = {}, {}
    rendered = set()
    counts = {"commitment page": [0, 0], "assessment overview": [0, 0]}
    arrivals = int(rate * seconds)
    for n in range(arrivals):
        kind = rng.choices(kinds, weights=weights)[0]
        assessment, commitment = rng.randrange(assessments), rng.randrange(commitments)
        if kind in PAGE_KINDS:
            key = ("page", assessment, commitment, page_version.get((assessment, commitment), 0))
            counted = "commitment page"
        elif kind == "assessment overview":
            key = ("overview", assessment, assessment_version.get(assessment, 0))
            counted = kind
        else:
            continue
        if n >= arrivals // 2:
            counts[counted][0] += key in rendered
            counts[counted][1] += 1
        rendered.add(key)
        if kind == "commitment save":  # the page is read, then saved: a new version of both keys
            page_version[(assessment, commitment)] = page_version.get((assessment, commitment), 0) + 1
            assessment_version[assessment] = assessment_version.get(assessment, 0) + 1
    return {kind: hits / total for kind, (hits, total) in counts.items() if total}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=160.0, help="mixed arrivals a second")
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument("--assessments", type=int, default=60)
    parser.add_argument("--commitments", type=int, default=10)
    args = parser.parse_args()
    rates = hit_rates(args.rate, args.seconds, args.assessments, args.commitments)
    print(f"{args.rate:.0f} arrivals/s, {args.assessments} assessments x {args.commitments} commitments:")
    for kind, share in rates.items():
        print(f"  {kind:<20} {100 * share:3.0f}% hits")


if __name__ == "__main__":
    main()
