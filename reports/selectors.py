"""Peer statistics and benchmarks.

Who counts: the assessments of the cycle returned by Assessment.objects.for_benchmarks() (submitted and
validated, or validated only when BENCHMARK_INCLUDE_SUBMITTED is off). The viewer's own organization is
never one of its peers.

How: every result's scores (commitments and "overall", as reports.scores defines them) are kept in the
benchmark table (reports/benchmark_scores.py), refreshed when a result changes. Statistics for NAM staff
and the exports are one SQL statement over that table (n, mean, percentile_cont with linear
interpolation), cached per cycle version. An organization's view excludes the organization itself: the
peer group's sorted scores are read once (cached per cycle version) and the statistics without the
viewer's own score are derived exactly in Python (benchmark_scores.peer_view). No response is ever
loaded into Python for statistics.

Percentile rank: the share of peers whose score is lower than the organization's, counting peers with the
same score as half: 100 * (lower + 0.5 * equal) / n. 50 means the middle of the group.
"""

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import Avg, Count, FloatField
from django.db.models.functions import Cast

from assessments.models import Assessment, AssessmentCycle, Organization, OrgType, Region, Response, SizeBand
from commitments.models import level_label

from . import benchmark_scores
from .benchmark_scores import PERCENTILES
from .benchmark_scores import TIE as _TIE
from .models import BenchmarkScore
from .peer_groups import PEER_GROUP_FIELD, PeerGroup
from .scores import OVERALL, AssessmentScores, level_for_score, scores_for_assessments, to_decimal
from .stats import percentile_sql, prepare_connection

# The Organization fields NAM staff may filter and group by.
ORG_FIELDS = ("org_type", "size_band", "region", "is_teaching")
# NAM staff's filter on part of the organization's name (case-insensitive): filters only, never a grouping.
NAME_CONTAINS = "name_contains"


@dataclass(frozen=True)
class PeerStats:
    n: int
    mean: Decimal
    p25: Decimal
    median: Decimal
    p75: Decimal
    p90: Decimal
    p10: Decimal | None = None


@dataclass(frozen=True)
class CommitmentBenchmark:
    slug: str
    name: str
    order: int
    score: Decimal | None
    level_label: str
    peer: PeerStats | None  # None: suppressed (too few peers) or no peer data
    percentile_rank: Decimal | None
    # Score minus the peer median, or minus the organization's own overall score when peers are suppressed.
    difference: Decimal | None = None


@dataclass(frozen=True)
class TrendPoint:
    cycle_slug: str
    cycle_name: str
    overall: Decimal | None
    commitments: dict[str, Decimal | None]  # commitment slug -> score
    peer_median: Decimal | None = None  # the overall peer median, None when suppressed
    n_peers: int = 0
    is_current: bool = False


@dataclass(frozen=True)
class OrgBenchmark:
    organization: Organization
    cycle: AssessmentCycle
    assessment: Assessment
    peer_group: str
    peer_group_label: str
    peer_group_value: str
    n_peers: int
    suppressed: bool
    min_peers: int
    commitments: list[CommitmentBenchmark]
    overall: CommitmentBenchmark
    strongest: list[CommitmentBenchmark]
    gaps: list[CommitmentBenchmark]
    trend: list[TrendPoint] = field(default_factory=list)
    previous_overall: Decimal | None = None
    scores: AssessmentScores | None = None  # the assessment's scores with answered/applicable counts

    @property
    def difference_basis(self) -> str:
        return "your overall score" if self.suppressed else "the peer median"


# ---------------------------------------------------------------------------------------------------------
# The statistics query (over the benchmark table, see reports/benchmark_scores.py)


def peer_statistics_rows(
    *,
    cycle_ids,
    filters: dict | None = None,
    group_by: str | None = None,
    exclude_organization_id: int | None = None,
    own_assessment_id: int | None = None,
) -> list[dict]:
    """Rows of {cyc, cid, grp, n, mean, p10, p25, median, p75, p90, prank} in one query.

    filters: Organization field -> value (fields from ORG_FIELDS); group_by: one of ORG_FIELDS or None;
    own_assessment_id: the assessment whose percentile rank is computed (its organization is excluded).
    Reads the benchmark table (~11 rows per counted assessment), never the responses; the index
    benchmark_score_cycle serves the cycle filter in (commitment, score) order.
    """
    cycle_ids = list(cycle_ids)
    if not cycle_ids:
        return []
    connection = prepare_connection()
    qn = connection.ops.quote_name
    table = qn(BenchmarkScore._meta.db_table)
    org_table = qn(Organization._meta.db_table)
    join_params: list = []
    where = [f"s.cycle_id IN ({', '.join(['%s'] * len(cycle_ids))})"]
    where_params: list = list(cycle_ids)
    if not settings.BENCHMARK_INCLUDE_SUBMITTED:
        where.append("s.validated = %s")
        where_params.append(True)
    if exclude_organization_id is not None:
        where.append("s.organization_id <> %s")
        where_params.append(exclude_organization_id)
    if own_assessment_id is not None:
        if exclude_organization_id is None:
            raise ValueError("A percentile rank is computed among the peers of the excluded organization.")
        join_me = (
            f"LEFT JOIN {table} me ON me.assessment_id = %s"
            " AND me.cycle_id = s.cycle_id AND me.commitment = s.commitment"
        )
        join_params.append(own_assessment_id)
        rank_sql = (
            "100.0 * SUM(CASE WHEN me.score IS NULL THEN NULL"
            f" WHEN s.score < me.score - {_TIE} THEN 1.0"
            f" WHEN s.score <= me.score + {_TIE} THEN 0.5 ELSE 0.0 END) / COUNT(*)"
        )
    else:
        join_me = ""
        rank_sql = "NULL"
    for name, value in (filters or {}).items():
        if name == NAME_CONTAINS:  # Django's icontains, as a subquery: the same match as the lists
            ids_sql, ids_params = (
                Organization.objects.filter(name__icontains=value).values("id").query.sql_with_params()
            )
            where.append(f"s.organization_id IN ({ids_sql})")
            where_params.extend(ids_params)
            continue
        if name not in ORG_FIELDS:
            raise ValueError(f"Cannot filter peers by {name!r}.")
        where.append(f"o.{qn(name)} = %s")
        where_params.append(value)
    if group_by is not None and group_by not in ORG_FIELDS:
        raise ValueError(f"Cannot group peers by {group_by!r}.")
    group_sql = f"o.{qn(group_by)}" if group_by else "NULL"
    # The organization is joined only when its fields filter or group the peers.
    join_org = f"JOIN {org_table} o ON o.id = s.organization_id" if (filters or group_by) else ""
    percentiles = ", ".join(
        f"{percentile_sql('s.score', fraction, connection)} AS {name}" for name, fraction in PERCENTILES
    )
    # Only identifiers and constants are formatted into the text; every value is a parameter.
    sql = f"""
        SELECT s.cycle_id AS cyc, s.commitment AS cid, {group_sql} AS grp, COUNT(*) AS n,
               AVG(s.score) AS mean, {percentiles}, {rank_sql} AS prank
        FROM {table} s {join_org} {join_me}
        WHERE {" AND ".join(where)}
        GROUP BY s.cycle_id, s.commitment{", " + group_sql if group_by else ""}
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, join_params + where_params)
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def statistics_rows(*, cycle, filters: dict | None = None, group_by: str | None = None) -> list[dict]:
    """peer_statistics_rows of one cycle without exclusion (NAM staff's view, the exports), cached until
    the cycle's benchmark scores change."""
    return statistics_rows_by(cycle=cycle, filters=filters, group_bys=[group_by])[group_by]


def statistics_rows_by(*, cycle, filters: dict | None = None, group_bys, tokens: dict | None = None) -> dict:
    """{group_by: statistics_rows} for several groupings of one cycle: one query for the cycle's version
    (none when the caller passes the tokens it read, benchmark_scores.versions()), then one statistics query
    per grouping not cached yet (none once cached)."""
    group_bys = list(dict.fromkeys(group_bys))
    if tokens is None:
        tokens = benchmark_scores.versions([cycle.pk])
    token = tokens.get(cycle.pk)
    if token is None:  # never refreshed (no results yet): nothing to key a cache entry on
        return {g: peer_statistics_rows(cycle_ids=[cycle.pk], filters=filters, group_by=g) for g in group_bys}
    keys = {
        g: benchmark_scores.cache_key("stats", cycle.pk, token, sorted((filters or {}).items()), g)
        for g in group_bys
    }
    cached = cache.get_many(list(keys.values()))
    result, to_cache = {}, {}
    for group_by, key in keys.items():
        rows = cached.get(key)
        if rows is None:
            rows = to_cache[key] = peer_statistics_rows(
                cycle_ids=[cycle.pk], filters=filters, group_by=group_by
            )
        result[group_by] = [dict(row) for row in rows]  # copies: callers may sort or change them
    if to_cache:
        cache.set_many(to_cache, benchmark_scores.CACHE_SECONDS)
    return result


def _peer_stats(row) -> PeerStats:
    return PeerStats(
        n=row["n"],
        mean=to_decimal(row["mean"]),
        p25=to_decimal(row["p25"]),
        median=to_decimal(row["median"]),
        p75=to_decimal(row["p75"]),
        p90=to_decimal(row["p90"]),
        p10=to_decimal(row["p10"]),
    )


def peer_group_filters(organization: Organization, peer_group: str) -> dict:
    field_name = PEER_GROUP_FIELD[PeerGroup(peer_group)]
    return {} if field_name is None else {field_name: getattr(organization, field_name)}


def peer_group_statistics(
    *, cycle, peer_group: str, value=None, exclude_organization=None
) -> dict[str, PeerStats]:
    """Statistics of one peer group in a cycle: commitment slug (and "overall") -> PeerStats.

    value: the group's value (e.g. "hospital" for org_type); by default the excluded organization's own.
    Nothing is suppressed here: callers showing statistics to organizations apply the anonymity rule.
    """
    field_name = PEER_GROUP_FIELD[PeerGroup(peer_group)]
    filters = {}
    if field_name is not None:
        if value is None:
            if exclude_organization is None:
                raise ValueError("Say which group: a value or the organization whose group it is.")
            value = getattr(exclude_organization, field_name)
        filters[field_name] = value
    rows = peer_statistics_rows(
        cycle_ids=[cycle.pk],
        filters=filters,
        exclude_organization_id=exclude_organization.pk if exclude_organization else None,
    )
    return {row["cid"]: _peer_stats(row) for row in rows}


def peer_group_value_label(organization: Organization, peer_group: str) -> str:
    group = PeerGroup(peer_group)
    if group == PeerGroup.ALL:
        return "All participating organizations"
    if group == PeerGroup.ORG_TYPE:
        return OrgType(organization.org_type).label
    if group == PeerGroup.SIZE_BAND:
        return SizeBand(organization.size_band).label
    if group == PeerGroup.REGION:
        return f"{Region(organization.region).label} census region"
    return "Teaching organizations" if organization.is_teaching else "Non-teaching organizations"


# ---------------------------------------------------------------------------------------------------------
# An organization's benchmark


def org_assessments(organization) -> list[Assessment]:
    """Every assessment of the organization, latest cycle first, in one query."""
    assessments = list(
        Assessment.objects.filter(organization=organization)
        .select_related("cycle")
        .order_by("-cycle__opens_on")
    )
    for assessment in assessments:
        assessment.organization = organization  # already loaded: spare a query per use
    return assessments


def org_results(organization, assessments: list | None = None) -> list[Assessment]:
    """The organization's assessments that have results (submitted or validated), latest cycle first."""
    results_statuses = {Assessment.Status.SUBMITTED, Assessment.Status.VALIDATED}
    if assessments is None:
        assessments = org_assessments(organization)
    return [a for a in assessments if a.status in results_statuses]


def _benchmark_of(
    score: Decimal | None, name, slug, order, row, min_peers, suppressed, basis
) -> CommitmentBenchmark:
    peer = None
    rank = None
    if row is not None and not suppressed and row["n"] >= min_peers:
        peer = _peer_stats(row)
        rank = to_decimal(row["prank"], Decimal("1"))
    if score is None:
        difference = None
    elif peer is not None:
        difference = score - peer.median
    elif suppressed and basis is not None:
        difference = score - basis
    else:
        difference = None
    return CommitmentBenchmark(
        slug=slug,
        name=name,
        order=order,
        score=score,
        level_label=_level_label(score),
        peer=peer,
        percentile_rank=rank if score is not None else None,
        difference=difference,
    )


def _level_label(score):
    level = level_for_score(score)
    return "No score" if level is None else level_label(level)


def _peer_rows(
    organization, peer_group: str, assessments: list, scores: dict, current, tokens: dict | None = None
) -> dict[int, dict[str, dict]]:
    """{cycle_id: {slug: statistics row}} of the organization's peers in each assessment's cycle, with
    the organization's percentile rank: two small queries (the cycles' tokens, then the group's sorted
    scores unless cached), the organization's own score taken out of its group in Python. Every
    commitment's row for the `current` assessment; for the others only the overall one, which the trend
    shows (each row costs a copy and a sum of the group's scores)."""
    field_name = PEER_GROUP_FIELD[PeerGroup(peer_group)]
    value = getattr(organization, field_name) if field_name else None
    cycle_ids = [a.cycle_id for a in assessments]
    if tokens is None:
        tokens = benchmark_scores.versions(cycle_ids)
    groups = benchmark_scores.group_scores(
        cycle_ids=cycle_ids, field_name=field_name, value=value, tokens=tokens
    )
    counted = benchmark_scores.counted_statuses()
    by_cycle: dict[int, dict[str, dict]] = {}
    for a in assessments:
        own_values = scores[a.pk].benchmark_values()
        group = groups.get(a.cycle_id, {})
        rows = {}
        for slug in group.keys() if a.pk == current.pk else group.keys() & {OVERALL}:
            own = own_values.get(slug)
            stats = benchmark_scores.peer_view(group[slug], own=own, own_counted=a.status in counted)
            if stats is not None:
                # vars(), not asdict(): GroupStats holds plain numbers, and asdict() deep-copies them.
                rows[slug] = {"cyc": a.cycle_id, "cid": slug, **vars(stats)}
        by_cycle[a.cycle_id] = rows
    return by_cycle


def org_benchmark(
    *, assessment, peer_group: str, org_assessments: list | None = None, tokens: dict | None = None
) -> OrgBenchmark:
    """The organization's scores against one predefined peer group, with the anonymity rule applied.

    org_assessments: the organization's assessments with results (org_results()), if the caller has them;
    tokens: the benchmark tokens of their cycles (benchmark_scores.versions()), if the caller read them.
    """
    peer_group = PeerGroup(peer_group).value
    organization = assessment.organization
    cycle = assessment.cycle
    min_peers = settings.BENCHMARK_MIN_PEERS
    if org_assessments is None:
        org_assessments = org_results(organization)
    # The trend: this assessment and the organization's earlier results.
    history = [a for a in org_assessments if a.cycle.opens_on < cycle.opens_on]
    trend_assessments = sorted([assessment, *history], key=lambda a: a.cycle.opens_on)
    scores = scores_for_assessments(trend_assessments)
    by_cycle = _peer_rows(organization, peer_group, trend_assessments, scores, assessment, tokens)

    current = scores[assessment.pk]
    current_rows = by_cycle.get(cycle.pk, {})
    n_peers = current_rows[OVERALL]["n"] if OVERALL in current_rows else 0
    suppressed = n_peers < min_peers
    commitments = [
        _benchmark_of(
            c.score, c.name, c.slug, c.order, current_rows.get(c.slug), min_peers, suppressed, current.overall
        )
        for c in current.commitments
    ]
    overall = _benchmark_of(
        current.overall, "Overall", OVERALL, 0, current_rows.get(OVERALL), min_peers, suppressed, None
    )
    scored = [c for c in commitments if c.difference is not None]
    strongest = sorted(scored, key=lambda c: (-c.difference, -c.score, c.order))[:3]
    gaps = sorted(scored, key=lambda c: (c.difference, c.score, c.order))[:3]

    trend = []
    for a in trend_assessments:
        a_scores = scores[a.pk]
        overall_row = by_cycle.get(a.cycle_id, {}).get(OVERALL)
        peers = overall_row["n"] if overall_row else 0
        trend.append(
            TrendPoint(
                cycle_slug=a.cycle.slug,
                cycle_name=a.cycle.name,
                overall=a_scores.overall,
                commitments={c.slug: c.score for c in a_scores.commitments},
                peer_median=to_decimal(overall_row["median"]) if peers >= min_peers else None,
                n_peers=peers,
                is_current=a.pk == assessment.pk,
            )
        )
    return OrgBenchmark(
        organization=organization,
        cycle=cycle,
        assessment=assessment,
        peer_group=peer_group,
        peer_group_label=PeerGroup(peer_group).label,
        peer_group_value=peer_group_value_label(organization, peer_group),
        n_peers=n_peers,
        suppressed=suppressed,
        min_peers=min_peers,
        commitments=commitments,
        overall=overall,
        strongest=strongest,
        gaps=gaps,
        trend=trend,
        previous_overall=trend[-2].overall if len(trend) > 1 else None,
        scores=current,
    )


# ---------------------------------------------------------------------------------------------------------
# NAM staff: the field


def organizations_filtered(filters: dict | None = None):
    """Active organizations matching NAM staff's filters (fields from ORG_FIELDS)."""
    queryset = Organization.objects.active()
    for name, value in (filters or {}).items():
        if name == NAME_CONTAINS:
            queryset = queryset.filter(name__icontains=value)
            continue
        if name not in ORG_FIELDS:
            raise ValueError(f"Cannot filter organizations by {name!r}.")
        queryset = queryset.filter(**{name: value})
    return queryset


@dataclass(frozen=True)
class ParticipationRow:
    label: str
    invited: int
    started: int
    submitted: int
    validated: int
    key: str = ""


def participation(*, cycles, cycle, filters: dict | None = None) -> dict:
    """Participation per cycle, and by organization type and by region for one cycle, in two queries.

    invited: active organizations with at least one member; started: with an assessment in the cycle;
    submitted: sent to NAM (submitted, returned for changes, or validated); validated: validated by NAM.
    """
    organizations = organizations_filtered(filters)
    invited_rows = list(
        organizations.filter(memberships__isnull=False)
        .values("org_type", "region")
        .annotate(n=Count("id", distinct=True))
        .order_by()
    )
    assessment_rows = list(
        Assessment.objects.filter(organization__in=organizations)
        .values("cycle_id", "status", "organization__org_type", "organization__region")
        .annotate(n=Count("id"))
        .order_by()
    )
    sent = {Assessment.Status.SUBMITTED, Assessment.Status.RETURNED, Assessment.Status.VALIDATED}

    # One pass over each query's rows (a few hundred) into the table rows they count towards.
    invited = Counter()
    for r in invited_rows:
        invited["all"] += r["n"]
        invited["type", r["org_type"]] += r["n"]
        invited["region", r["region"]] += r["n"]
    started, submitted, validated = Counter(), Counter(), Counter()
    for r in assessment_rows:
        keys = [("cycle", r["cycle_id"])]
        if r["cycle_id"] == cycle.pk:
            keys += [("type", r["organization__org_type"]), ("region", r["organization__region"])]
        for key in keys:
            started[key] += r["n"]
            if r["status"] in sent:
                submitted[key] += r["n"]
            if r["status"] == Assessment.Status.VALIDATED:
                validated[key] += r["n"]

    def row(label, key, invited_key, count_key):
        return ParticipationRow(
            label=label,
            key=key,
            invited=invited[invited_key],
            started=started[count_key],
            submitted=submitted[count_key],
            validated=validated[count_key],
        )

    per_cycle = [row(c.name, c.slug, "all", ("cycle", c.pk)) for c in cycles]
    by_type = [row(label, t, ("type", t), ("type", t)) for t, label in OrgType.choices]
    by_region = [row(label, g, ("region", g), ("region", g)) for g, label in Region.choices]
    return {"per_cycle": per_cycle, "by_type": by_type, "by_region": by_region}


def field_statistics(*, cycle, filters: dict | None = None, group_by: str | None = None) -> dict:
    """Statistics of every organization counted in the cycle (no exclusion): {(group, slug): PeerStats}."""
    return field_statistics_by(cycle=cycle, filters=filters, group_bys=[group_by])[group_by]


def field_statistics_by(*, cycle, filters: dict | None = None, group_bys, tokens: dict | None = None) -> dict:
    """{group_by: field_statistics} for several groupings at once (see statistics_rows_by)."""
    by_group = statistics_rows_by(cycle=cycle, filters=filters, group_bys=group_bys, tokens=tokens)
    return {
        group_by: {(row["grp"], row["cid"]): _peer_stats(row) for row in rows}
        for group_by, rows in by_group.items()
    }


def overall_scores(*, cycle, organization_ids) -> dict[int, Decimal]:
    """The overall score of each listed organization's assessment in the cycle (a page of a list)."""
    per_commitment: dict[int, list[float]] = {}
    for row in (
        Response.objects.filter(
            assessment__cycle=cycle, assessment__organization_id__in=organization_ids, level__isnull=False
        )
        .values("assessment__organization_id", "indicator__commitment_id")
        .annotate(score=Avg(Cast("level", FloatField())))
        .order_by()
    ):
        per_commitment.setdefault(row["assessment__organization_id"], []).append(row["score"])
    return {oid: to_decimal(sum(s) / len(s)) for oid, s in per_commitment.items()}
