"""`manage.py bench`: the consensus page of a closed round of 60 raters x the rubric, seeded in bulk."""

import datetime
import random
import secrets
from collections.abc import Callable

from django.urls import reverse
from django.utils import timezone

from ..models import Assessment
from .models import Rater, Rating, RatingRound
from .selectors import round_indicator_ids
from .services import rater_groups_ensure

BENCH_RATERS = 60


def consensus_page_runner(
    *, client, assessment: Assessment, raters: int = BENCH_RATERS, seed: int = 1
) -> Callable:
    """Seed a closed round on `assessment` (whole rubric, `raters` raters spread over the four default
    groups, each rating every indicator, one in ten "don't know") and return a function that GETs its
    consensus page with `client` (an assessor of the organization)."""
    groups = rater_groups_ensure(organization=assessment.organization)
    rating_round = RatingRound.objects.create(
        assessment=assessment, closes_on=timezone.localdate() + datetime.timedelta(days=7)
    )
    people = Rater.objects.bulk_create(
        Rater(
            round=rating_round,
            email=f"bench.rater{n}@example.org",
            group=groups[n % len(groups)],
            nonce=secrets.token_hex(16),
        )
        for n in range(raters)
    )
    indicators = round_indicator_ids(rating_round)
    rng = random.Random(seed)
    ratings = []
    for rater in people:
        for pk in indicators:
            dont_know = rng.random() < 0.1
            ratings.append(
                Rating(
                    rater=rater,
                    indicator_id=pk,
                    level=None if dont_know else rng.randint(1, 5),
                    dont_know=dont_know,
                )
            )
    Rating.objects.bulk_create(ratings, batch_size=2000)
    RatingRound.objects.filter(pk=rating_round.pk).update(
        status=RatingRound.Status.CLOSED, closed_at=timezone.now()
    )
    url = reverse("raters:consensus", args=[assessment.organization.slug, rating_round.pk])
    size = f"{raters} raters x {len(indicators)} indicators"

    def consensus_page():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} ({size}) answered {response.status_code}")

    consensus_page.size = size
    return consensus_page
