"""The benchmark table: every result's scores, kept ready for peer statistics, and the caches built on it.

Why: peer statistics used to aggregate every response of a cycle (180,000 rows at 6,000 organizations) on
every dashboard view, 1-3.5 s a page. Scores change only when an assessment's results do, so they are
materialized here, ~11 rows per assessment (its commitments and "overall"), computed by reports.scores (the
one module that defines a score: BenchmarkScore rows are AssessmentScores.benchmark_values(), nothing else).

When: assessments.signals.assessment_results_changed (sent by writes that bypass Model.save(): seed_demo's
bulk loads) and post_save/post_delete of Assessment. Every status change of the workflow (submit, return,
validate) goes through Assessment.save(), and so do the admin and the tests' factories, so the post_save
receiver is the one net that cannot be forgotten; responses only change while an assessment is editable
(draft or returned), which never counts in benchmarks. The refresh runs in the writer's transaction: the
scores commit or roll back with the change that caused them. `manage.py refresh_benchmarks` rebuilds all.

Caches: each refresh gives the touched cycles a new random token (BenchmarkVersion); every cache key holds
its cycle's token, so a cached statistic dies with the data it came from, in every process, without any
cache-wide invalidation. What is cached is a peer GROUP's sorted scores (never a page or a viewer's view):
each viewer's statistics are then derived exactly by taking the viewer's own score out (peer_view()).
"""

import hashlib
import uuid
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from math import fsum

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from assessments.models import Assessment, Organization
from assessments.signals import assessment_results_changed

from .models import BenchmarkScore, BenchmarkVersion
from .scores import scores_for_assessments
from .stats import interpolate, prepare_connection

RESULT_STATUSES = (Assessment.Status.SUBMITTED, Assessment.Status.VALIDATED)
RESULTS_SET = frozenset(RESULT_STATUSES)
PERCENTILES = (("p10", 0.10), ("p25", 0.25), ("median", 0.50), ("p75", 0.75), ("p90", 0.90))
# Scores are means of small whole numbers: two scores closer than this are the same score (a tie).
TIE = 1e-9
CHUNK = 2000  # assessments per refresh step (bounded SQL parameter lists, bounded memory)
CACHE_SECONDS = 6 * 3600  # a token change retires an entry at once; this only frees memory


# ---------------------------------------------------------------------------------------------------------
# Refreshing the table


def refresh_benchmark_scores(assessment_ids) -> int:
    """Recompute the benchmark rows of these assessments (rows go when an assessment has no results any
    more) and retire the cached statistics of their cycles. Returns the number of rows written."""
    ids = sorted(set(assessment_ids))
    written = 0
    cycle_ids: set[int] = set()
    with transaction.atomic():
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            assessments = list(Assessment.objects.filter(pk__in=chunk).select_related("cycle").order_by("pk"))
            cycle_ids |= {a.cycle_id for a in assessments}
            cycle_ids |= set(
                BenchmarkScore.objects.filter(assessment_id__in=chunk).values_list("cycle_id", flat=True)
            )
            BenchmarkScore.objects.filter(assessment_id__in=chunk).delete()
            results = [a for a in assessments if a.status in RESULTS_SET]
            scores = scores_for_assessments(results)
            rows = [
                (a.pk, a.cycle_id, a.organization_id, a.status == Assessment.Status.VALIDATED, slug, value)
                for a in results
                for slug, value in scores[a.pk].benchmark_values().items()
            ]
            _insert(rows)
            written += len(rows)
        bump_versions(cycle_ids)
    if len(ids) >= CHUNK and connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh planner statistics after a bulk load
            cursor.execute(f"ANALYZE {connection.ops.quote_name(BenchmarkScore._meta.db_table)}")
    return written


_COLUMNS = ("assessment_id", "cycle_id", "organization_id", "validated", "commitment", "score")


def _insert(rows) -> None:
    if connection.vendor == "postgresql" and len(rows) > 200:
        # COPY: a demo seed writes ~150,000 rows, several times faster than INSERT batches.
        table = connection.ops.quote_name(BenchmarkScore._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(c) for c in _COLUMNS)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    BenchmarkScore.objects.bulk_create(
        [BenchmarkScore(**dict(zip(_COLUMNS, row, strict=True))) for row in rows], batch_size=5000
    )


def refresh_all() -> int:
    """Rebuild the whole table (after a restore, or an edit made outside the portal's writes)."""
    with transaction.atomic():
        BenchmarkScore.objects.all().delete()
        ids = list(Assessment.objects.filter(status__in=RESULT_STATUSES).values_list("pk", flat=True))
        written = refresh_benchmark_scores(ids)
        bump_versions(BenchmarkVersion.objects.values_list("cycle_id", flat=True))
    return written


def bump_versions(cycle_ids) -> None:
    cycle_ids = sorted(set(cycle_ids))
    if cycle_ids:
        BenchmarkVersion.objects.bulk_create(
            [BenchmarkVersion(cycle_id=c, token=uuid.uuid4().hex) for c in cycle_ids],
            update_conflicts=True,
            unique_fields=["cycle"],
            update_fields=["token"],
        )


@receiver(assessment_results_changed, dispatch_uid="reports.benchmark_scores.results_changed")
def _on_results_changed(sender, assessment_ids, **kwargs):
    refresh_benchmark_scores(assessment_ids)


@receiver(post_save, sender=Assessment, dispatch_uid="reports.benchmark_scores.assessment_saved")
def _on_assessment_saved(sender, instance, created, raw=False, **kwargs):
    if raw or (created and instance.status not in RESULTS_SET):
        return  # a fixture load, or a new draft: nothing to score yet
    refresh_benchmark_scores([instance.pk])


@receiver(post_delete, sender=Assessment, dispatch_uid="reports.benchmark_scores.assessment_deleted")
def _on_assessment_deleted(sender, instance, **kwargs):
    bump_versions([instance.cycle_id])  # its rows went with it (CASCADE)


@receiver(post_save, sender=Organization, dispatch_uid="reports.benchmark_scores.organization_saved")
def _on_organization_saved(sender, instance, created, raw=False, **kwargs):
    # Peer groups are the organization's type, size, region, teaching status: a change moves its scores
    # to other groups. Rare (the admin), so every cycle it has results in gets a new token.
    if raw or created:
        return
    bump_versions(
        BenchmarkScore.objects.filter(organization_id=instance.pk)
        .values_list("cycle_id", flat=True)
        .distinct()
    )


# ---------------------------------------------------------------------------------------------------------
# Reading: tokens, group score lists, statistics


def versions(cycle_ids) -> dict[int, str]:
    """The current token of each cycle (one query); a cycle never refreshed has none and is never cached."""
    return dict(
        BenchmarkVersion.objects.filter(cycle_id__in=list(cycle_ids)).values_list("cycle_id", "token")
    )


def counted_statuses() -> tuple[str, ...]:
    if settings.BENCHMARK_INCLUDE_SUBMITTED:
        return RESULT_STATUSES
    return (Assessment.Status.VALIDATED,)


def cache_key(kind: str, cycle_id: int, token: str, *what) -> str:
    """A cache key of the cycle's current token and the setting that decides who counts; what else it
    depends on (a peer group, NAM staff's filters) is hashed, so the key suits any cache backend."""
    detail = hashlib.sha256(repr(what).encode()).hexdigest()[:32]
    return f"bench:{kind}:{cycle_id}:{token}:{int(settings.BENCHMARK_INCLUDE_SUBMITTED)}:{detail}"


def _group_key(cycle_id, token, field_name, value) -> str:
    return cache_key("group", cycle_id, token, field_name, value)


def group_scores(*, cycle_ids, field_name: str | None, value, tokens: dict[int, str]) -> dict:
    """{cycle_id: {slug: sorted array of the group's scores}}: the counted assessments of each cycle whose
    organization has `field_name` == value (everyone when field_name is None). Cached per cycle token;
    the misses in one query."""
    result, missing = {}, []
    keys = {c: _group_key(c, tokens[c], field_name, value) for c in cycle_ids if c in tokens}
    cached = cache.get_many(list(keys.values())) if keys else {}
    for cycle_id in cycle_ids:
        key = keys.get(cycle_id)
        if key is not None and key in cached:
            result[cycle_id] = cached[key]
        else:
            missing.append(cycle_id)
    if missing:
        fetched = _fetch_group_scores(missing, field_name, value)
        to_cache = {}
        for cycle_id in missing:
            result[cycle_id] = fetched.get(cycle_id, {})
            if cycle_id in keys:
                to_cache[keys[cycle_id]] = result[cycle_id]
        if to_cache:
            cache.set_many(to_cache, CACHE_SECONDS)
    return result


def _fetch_group_scores(cycle_ids, field_name, value) -> dict:
    queryset = BenchmarkScore.objects.filter(cycle_id__in=cycle_ids)
    if not settings.BENCHMARK_INCLUDE_SUBMITTED:
        queryset = queryset.filter(validated=True)
    if field_name is not None:
        queryset = queryset.filter(**{f"organization__{field_name}": value})
    out: dict[int, dict[str, array]] = {}
    connection = prepare_connection()
    if connection.vendor == "postgresql":
        # One row per (cycle, commitment) with the scores already sorted: 33 rows instead of 165,000.
        from django.contrib.postgres.aggregates import ArrayAgg

        rows = queryset.values("cycle_id", "commitment").annotate(scores=ArrayAgg("score", order_by="score"))
        for row in rows.order_by():
            out.setdefault(row["cycle_id"], {})[row["commitment"]] = array("d", row["scores"])
        return out
    for cycle_id, slug, score in queryset.order_by("cycle_id", "commitment", "score").values_list(
        "cycle_id", "commitment", "score"
    ):
        out.setdefault(cycle_id, {}).setdefault(slug, array("d")).append(score)
    return out


@dataclass(frozen=True)
class GroupStats:
    n: int
    mean: float
    p10: float
    p25: float
    median: float
    p75: float
    p90: float
    prank: float | None  # the viewer's percentile rank among these peers


def peer_view(scores: array, *, own: float | None, own_counted: bool) -> GroupStats | None:
    """The statistics of a group's sorted scores without the viewer's own (own_counted: whether the
    viewer's score is one of them), and the viewer's percentile rank among the rest.

    Exact: the same numbers as percentile_cont and AVG over the peers' rows (the mean with fsum, as
    statistics.fmean), computed on the list with that one value taken out."""
    peers = scores
    if own is not None and own_counted:
        index = bisect_left(scores, own)
        if index < len(scores) and scores[index] == own:
            peers = scores[:index] + scores[index + 1 :]
    n = len(peers)
    if n == 0:
        return None
    prank = None
    if own is not None:
        lower = bisect_left(peers, own - TIE)
        equal = bisect_right(peers, own + TIE) - lower
        prank = 100.0 * (lower + 0.5 * equal) / n
    return GroupStats(
        n=n,
        mean=fsum(peers) / n,
        prank=prank,
        **{name: interpolate(peers, fraction) for name, fraction in PERCENTILES},
    )
