"""Peer statistics and benchmarks, computed in the database.

Who counts: the assessments of the cycle returned by Assessment.objects.for_benchmarks() (submitted and
validated, or validated only when BENCHMARK_INCLUDE_SUBMITTED is off). The viewer's own organization is
never one of its peers.

How: one SQL statement builds (assessment, commitment, score) rows, the score being the mean level of the
commitment's answered indicators (N/A excluded), adds an "overall" row per assessment (the mean of its
commitment scores), and then computes per commitment n, mean, percentiles (percentile_cont, linear
interpolation) and the viewer's percentile rank. No response is ever loaded into Python.

Percentile rank: the share of peers whose score is lower than the organization's, counting peers with the
same score as half: 100 * (lower + 0.5 * equal) / n. 50 means the middle of the group.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Avg, Count, F, FloatField, Q
from django.db.models.functions import Cast

from assessments.models import Assessment, AssessmentCycle, Organization, OrgType, Region, Response, SizeBand
from commitments.models import level_label

from .peer_groups import PEER_GROUP_FIELD, PeerGroup
from .scores import AssessmentScores, level_for_score, scores_for_assessments, to_decimal
from .stats import percentile_sql, prepare_connection

OVERALL = "overall"
# Scores are means of small whole numbers: two scores closer than this are the same score (a tie).
_TIE = 1e-9
PERCENTILES = (("p10", 0.10), ("p25", 0.25), ("median", 0.50), ("p75", 0.75), ("p90", 0.90))
# The Organization fields NAM staff may filter and group by.
ORG_FIELDS = ("org_type", "size_band", "region", "is_teaching")


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
# The statistics query


def _score_rows(*, cycle_ids, include_assessment_id=None):
    """SQL of (aid, oid, cyc, cid, score) rows: one per assessment and commitment slug."""
    counted = Q(assessment__in=Assessment.objects.for_benchmarks().filter(cycle_id__in=cycle_ids))
    if include_assessment_id is not None:
        counted |= Q(assessment_id=include_assessment_id)
    queryset = (
        Response.objects.filter(counted, level__isnull=False)
        .values(
            aid=F("assessment_id"),
            oid=F("assessment__organization_id"),
            cyc=F("assessment__cycle_id"),
            cid=F("indicator__commitment__slug"),
        )
        .annotate(score=Avg(Cast("level", FloatField())))
        .order_by()
    )
    return queryset.query.sql_with_params()


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
    """
    connection = prepare_connection()
    qn = connection.ops.quote_name
    inner_sql, inner_params = _score_rows(cycle_ids=list(cycle_ids), include_assessment_id=own_assessment_id)
    org_table = qn(Organization._meta.db_table)
    where = ["1 = 1"]
    params: list = list(inner_params)
    where_params: list = []
    if exclude_organization_id is not None:
        where.append("s.oid <> %s")
        where_params.append(exclude_organization_id)
    if own_assessment_id is not None:
        if exclude_organization_id is None:
            raise ValueError("A percentile rank is computed among the peers of the excluded organization.")
        me_sql = "me AS (SELECT cyc, cid, score FROM s WHERE oid = %s)"
        params.append(exclude_organization_id)
        rank_sql = (
            "100.0 * SUM(CASE WHEN me.score IS NULL THEN NULL"
            f" WHEN s.score < me.score - {_TIE} THEN 1.0"
            f" WHEN s.score <= me.score + {_TIE} THEN 0.5 ELSE 0.0 END) / COUNT(*)"
        )
        join_me = "LEFT JOIN me ON me.cyc = s.cyc AND me.cid = s.cid"
    else:
        me_sql = "me AS (SELECT cyc, cid, score FROM s WHERE 1 = 0)"
        rank_sql = "NULL"
        join_me = ""
    for name, value in (filters or {}).items():
        if name not in ORG_FIELDS:
            raise ValueError(f"Cannot filter peers by {name!r}.")
        where.append(f"o.{qn(name)} = %s")
        where_params.append(value)
    if group_by is not None and group_by not in ORG_FIELDS:
        raise ValueError(f"Cannot group peers by {group_by!r}.")
    group_sql = f"o.{qn(group_by)}" if group_by else "NULL"
    percentiles = ", ".join(
        f"{percentile_sql('s.score', fraction, connection)} AS {name}" for name, fraction in PERCENTILES
    )
    # Only identifiers and constants are formatted into the text; every value is a parameter.
    sql = f"""
        WITH cs AS ({inner_sql}),
        s AS (
            SELECT aid, oid, cyc, cid, score FROM cs
            UNION ALL
            SELECT aid, oid, cyc, '{OVERALL}' AS cid, AVG(score) AS score FROM cs GROUP BY aid, oid, cyc
        ),
        {me_sql}
        SELECT s.cyc, s.cid, {group_sql} AS grp, COUNT(*) AS n, AVG(s.score) AS mean, {percentiles},
               {rank_sql} AS prank
        FROM s JOIN {org_table} o ON o.id = s.oid {join_me}
        WHERE {" AND ".join(where)}
        GROUP BY s.cyc, s.cid{", " + group_sql if group_by else ""}
    """  # noqa: S608
    params += where_params
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


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


def org_benchmark(*, assessment, peer_group: str, org_assessments: list | None = None) -> OrgBenchmark:
    """The organization's scores against one predefined peer group, with the anonymity rule applied.

    org_assessments: the organization's assessments with results (org_results()), if the caller has them.
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
    rows = peer_statistics_rows(
        cycle_ids=[a.cycle_id for a in trend_assessments],
        filters=peer_group_filters(organization, peer_group),
        exclude_organization_id=organization.pk,
        own_assessment_id=assessment.pk,
    )
    by_cycle: dict[int, dict[str, dict]] = {}
    for row in rows:
        by_cycle.setdefault(row["cyc"], {})[row["cid"]] = row

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

    def tally(predicate_invited, predicate_assessment, label, key=""):
        invited = sum(r["n"] for r in invited_rows if predicate_invited(r))
        rows = [r for r in assessment_rows if predicate_assessment(r)]
        return ParticipationRow(
            label=label,
            key=key,
            invited=invited,
            started=sum(r["n"] for r in rows),
            submitted=sum(r["n"] for r in rows if r["status"] in sent),
            validated=sum(r["n"] for r in rows if r["status"] == Assessment.Status.VALIDATED),
        )

    per_cycle = [tally(lambda r: True, lambda r, c=c: r["cycle_id"] == c.pk, c.name, c.slug) for c in cycles]
    by_type = [
        tally(
            lambda r, t=t: r["org_type"] == t,
            lambda r, t=t: r["cycle_id"] == cycle.pk and r["organization__org_type"] == t,
            label,
            t,
        )
        for t, label in OrgType.choices
    ]
    by_region = [
        tally(
            lambda r, g=g: r["region"] == g,
            lambda r, g=g: r["cycle_id"] == cycle.pk and r["organization__region"] == g,
            label,
            g,
        )
        for g, label in Region.choices
    ]
    return {"per_cycle": per_cycle, "by_type": by_type, "by_region": by_region}


def field_statistics(*, cycle, filters: dict | None = None, group_by: str | None = None) -> dict:
    """Statistics of every organization counted in the cycle (no exclusion): {(group, slug): PeerStats}."""
    rows = peer_statistics_rows(cycle_ids=[cycle.pk], filters=filters, group_by=group_by)
    return {(row["grp"], row["cid"]): _peer_stats(row) for row in rows}


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
