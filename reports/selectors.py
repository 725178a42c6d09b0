"""Peer statistics and benchmarks.

Where peer figures come from: the cycle's latest benchmark release (reports/services/releases.py), a frozen
snapshot; never live results. What a member may see of them is decided by reports/disclosure.py alone (the
viewer and its affiliates are never their own peers; small groups, close groups, quartiles and tails below
their minimums are hidden). The organization's own scores are live (reports.scores).

NAM staff's field statistics come from the same release, identified (no exclusion, no suppression), with a
mark of what members would not see (disclosure.members_would_see). Both are cached under the release
(lhs_portal/cache.py): a published release never changes.

Percentile rank: the share of peers whose score is lower than the organization's, counting peers with the
same score as half: 100 * (lower + 0.5 * equal) / n. 50 means the middle of the group.
"""

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from math import fsum

from django.conf import settings
from django.db.models import Avg, Count, Exists, FloatField, OuterRef
from django.db.models.functions import Cast

from assessments.models import (
    Assessment,
    AssessmentCycle,
    Organization,
    OrgType,
    Ownership,
    Region,
    Response,
    SizeBand,
)
from assessments.raters.models import RatingRound
from commitments.models import level_label
from lhs_portal.cache import get_or_compute, release_version

from . import disclosure
from .models import BenchmarkRelease, ReleasedResult
from .peer_groups import PeerGroup
from .releases import latest_releases
from .scores import OVERALL, AssessmentScores, level_for_score, scores_for_assessments, to_decimal
from .stats import interpolate

# The Organization fields NAM staff may filter and group by.
ORG_FIELDS = ("org_type", "size_band", "region", "is_teaching", "ownership", "is_rural")
# NAM staff's filter on part of the organization's name (case-insensitive): filters only, never a grouping.
NAME_CONTAINS = "name_contains"
PERCENTILES = (("p10", 0.10), ("p25", 0.25), ("median", 0.50), ("p75", 0.75), ("p90", 0.90))


@dataclass(frozen=True)
class PeerStats:
    """Peer figures of one score; None where hidden from the member (reports/disclosure.py, rule 3)."""

    n: int
    mean: Decimal | None
    p25: Decimal | None
    median: Decimal
    p75: Decimal | None
    p90: Decimal | None
    p10: Decimal | None = None


@dataclass(frozen=True)
class CommitmentBenchmark:
    slug: str
    name: str
    order: int
    score: Decimal | None
    level_label: str
    peer: PeerStats | None  # None: hidden (reports/disclosure.py) or no release
    percentile_rank: Decimal | None
    # Score minus the peer median, or minus the organization's own overall score when peers are hidden.
    difference: Decimal | None = None


@dataclass(frozen=True)
class TrendPoint:
    cycle_slug: str
    cycle_name: str
    overall: Decimal | None
    commitments: dict[str, Decimal | None]  # commitment slug -> score
    peer_median: Decimal | None = None  # the overall peer median, None when hidden
    n_peers: int = 0
    is_current: bool = False
    overall_exact: Fraction | None = field(default=None, compare=False, repr=False)  # before rounding


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
    previous_scores: AssessmentScores | None = None  # the previous result's, for changes in levels
    release: BenchmarkRelease | None = None  # where the peer figures come from (None: nothing published)
    hidden_reason: str = ""  # why the peer figures are hidden, a sentence ("" when shown)
    detail_note: str = ""  # which figures of a shown group are hidden and why
    group_decisions: dict = field(default_factory=dict)  # every peer group -> disclosure.GroupDecision

    @property
    def difference_basis(self) -> str:
        return "your overall score" if self.suppressed else "the peer median"

    @property
    def quartiles_shown(self) -> bool:
        return not self.suppressed and self.overall.peer is not None and self.overall.peer.p25 is not None

    @property
    def release_line(self) -> str:
        if self.release is None:
            return f"Peer figures: none published for the {self.cycle.name} cycle yet."
        return self.release.description


# ---------------------------------------------------------------------------------------------------------
# Statistics of a release (NAM staff's identified view and the exports)


def _decimal_stats(figures: dict) -> PeerStats:
    return PeerStats(
        n=figures["n"],
        mean=to_decimal(figures["mean"]),
        p25=to_decimal(figures["p25"]),
        median=to_decimal(figures["median"]),
        p75=to_decimal(figures["p75"]),
        p90=to_decimal(figures["p90"]),
        p10=to_decimal(figures["p10"]),
    )


def release_statistics(
    *, release: BenchmarkRelease, filters: dict | None = None, group_by: str | None = None
):
    """Rows of {grp, cid, n, mean, p10, p25, median, p75, p90} over every result of the release (no exclusion:
    NAM staff's view), cached under the release."""
    filters = dict(filters or {})
    for name in [*filters, *([group_by] if group_by else [])]:
        if name not in ORG_FIELDS and not (name == NAME_CONTAINS and name != group_by):
            raise ValueError(f"Cannot filter or group peers by {name!r}.")

    def compute():
        groups: dict[tuple, list[float]] = {}
        results = ReleasedResult.objects.filter(release=release)
        for name, value in filters.items():
            if name == NAME_CONTAINS:  # a released result keeps the organization's id, not its name
                ids = Organization.objects.filter(name__icontains=value).values("id")
                results = results.filter(organization_id__in=ids)
            else:
                results = results.filter(**{name: value})
        for row in results.values("scores", *([group_by] if group_by else [])):
            grp = row[group_by] if group_by else None
            for slug, score in row["scores"].items():
                groups.setdefault((grp, slug), []).append(score)
        rows = []
        for (grp, slug), scores in groups.items():
            scores.sort()
            rows.append(
                {
                    "grp": grp,
                    "cid": slug,
                    "n": len(scores),
                    "mean": fsum(scores) / len(scores),
                    **{name: interpolate(scores, fraction) for name, fraction in PERCENTILES},
                }
            )
        return rows

    rows = get_or_compute(
        "release-stats", release_version(release), sorted(filters.items()), group_by, compute=compute
    )
    return [dict(row) for row in rows]  # copies: callers may sort or change them


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
    if group == PeerGroup.OWNERSHIP:
        return f"{Ownership(organization.ownership).label} organizations"
    if group == PeerGroup.RURAL:
        return (
            "Rural or critical access organizations" if organization.is_rural else "Non-rural organizations"
        )
    return "Teaching organizations" if organization.is_teaching else "Non-teaching organizations"


# ---------------------------------------------------------------------------------------------------------
# An organization's benchmark


def org_assessments(organization) -> list[Assessment]:
    """Every assessment of the organization, latest cycle first, in one query; each says whether it has had
    a rating round (`has_rating_round`: the dashboard reads the perception gap only then)."""
    assessments = list(
        Assessment.objects.filter(organization=organization)
        .select_related("cycle")
        .annotate(has_rating_round=Exists(RatingRound.objects.filter(assessment=OuterRef("pk"))))
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
    score: Decimal | None, name, slug, order, figures, suppressed, basis, exact=None
) -> CommitmentBenchmark:
    """exact: the score before rounding (a Fraction); basis: the exact overall score, when peers are
    suppressed. A difference is computed from exact values and rounded once: 11/3 against a median of 10/3
    is +0.33, where the rounded 3.67 - 3.33 would say +0.34."""
    peer = None
    rank = None
    if figures is not None and not suppressed:
        peer = _decimal_stats(vars(figures))
        rank = to_decimal(figures.prank, Decimal("1")) if figures.prank is not None else None
    if score is None:
        difference = None
    elif peer is not None:
        difference = to_decimal(Fraction(exact if exact is not None else score) - Fraction(figures.median))
    elif suppressed and basis is not None:
        difference = to_decimal(Fraction(exact if exact is not None else score) - Fraction(basis))
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


def org_benchmark(
    *,
    assessment,
    peer_group: str,
    org_assessments: list | None = None,
    release: BenchmarkRelease | None = None,
) -> OrgBenchmark:
    """The organization's live scores against one predefined peer group of the cycle's latest release (or of
    `release`, e.g. the one a scorecard recorded), through the disclosure rules (reports/disclosure.py).

    org_assessments: the organization's assessments with results (org_results()), if the caller has them.
    """
    peer_group = PeerGroup(peer_group).value
    organization = assessment.organization
    cycle = assessment.cycle
    if org_assessments is None:
        org_assessments = org_results(organization)
    # The trend: this assessment and the organization's earlier results.
    history = [a for a in org_assessments if a.cycle.opens_on < cycle.opens_on]
    trend_assessments = sorted([assessment, *history], key=lambda a: a.cycle.opens_on)
    scores = scores_for_assessments(trend_assessments)
    releases = latest_releases(a.cycle_id for a in trend_assessments)  # one query for all of them
    if release is not None:
        releases[cycle.pk] = release
    # Every score of the shown assessment; for the trend only the overall one.
    own = {}
    for a in trend_assessments:
        values = scores[a.pk].benchmark_values()
        own[a.cycle_id] = (
            values if a.pk == assessment.pk else {k: v for k, v in values.items() if k == OVERALL}
        )
    views = disclosure.viewer_figures(
        organization=organization, releases=releases, peer_group=peer_group, own_scores=own
    )

    current = scores[assessment.pk]
    view = views.get(cycle.pk)
    suppressed = view is None or not view.decision.shown
    figures = {} if view is None else view.figures
    commitments = [
        _benchmark_of(
            c.score,
            c.name,
            c.slug,
            c.order,
            figures.get(c.slug),
            suppressed,
            current.overall_exact,
            exact=c.exact,
        )
        for c in current.commitments
    ]
    overall = _benchmark_of(
        current.overall,
        "Overall",
        OVERALL,
        0,
        figures.get(OVERALL),
        suppressed,
        None,
        exact=current.overall_exact,
    )
    scored = [c for c in commitments if c.difference is not None]
    # A zero difference is neither a strength nor a gap (issue 17 item 20: "+0.00" listed as a strength).
    strongest = sorted(
        (c for c in scored if c.difference > 0), key=lambda c: (-c.difference, -c.score, c.order)
    )[:3]
    gaps = sorted((c for c in scored if c.difference < 0), key=lambda c: (c.difference, c.score, c.order))[:3]

    trend = []
    for a in trend_assessments:
        a_scores = scores[a.pk]
        a_view = views.get(a.cycle_id)
        median = None
        peers = 0
        if a_view is not None:
            peers = a_view.decision.n
            if OVERALL in a_view.figures:
                median = to_decimal(a_view.figures[OVERALL].median)
        trend.append(
            TrendPoint(
                cycle_slug=a.cycle.slug,
                cycle_name=a.cycle.name,
                overall=a_scores.overall,
                commitments={c.slug: c.score for c in a_scores.commitments},
                peer_median=median,
                n_peers=peers,
                is_current=a.pk == assessment.pk,
                overall_exact=a_scores.overall_exact,
            )
        )
    if view is None:
        hidden_reason = f"No peer figures have been published for the {cycle.name} cycle yet."
    else:
        hidden_reason = view.decision.reason
    return OrgBenchmark(
        organization=organization,
        cycle=cycle,
        assessment=assessment,
        peer_group=peer_group,
        peer_group_label=PeerGroup(peer_group).label,
        peer_group_value=peer_group_value_label(organization, peer_group),
        n_peers=0 if view is None else view.decision.n,
        suppressed=suppressed,
        min_peers=settings.BENCHMARK_MIN_PEERS,
        commitments=commitments,
        overall=overall,
        strongest=strongest,
        gaps=gaps,
        trend=trend,
        previous_overall=trend[-2].overall if len(trend) > 1 else None,
        scores=current,
        previous_scores=scores[trend_assessments[-2].pk] if len(trend_assessments) > 1 else None,
        release=None if view is None else view.release,
        hidden_reason=hidden_reason,
        detail_note="" if view is None else view.note,
        group_decisions={} if view is None else view.decisions,
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
    """Statistics of every organization in the cycle's latest release (no exclusion):
    {(group, slug): PeerStats}; empty when nothing is published."""
    return field_statistics_by(cycle=cycle, filters=filters, group_bys=[group_by])[group_by]


def field_statistics_by(
    *, cycle, filters: dict | None = None, group_bys, release: BenchmarkRelease | None = None
) -> dict:
    """{group_by: field_statistics} for several groupings at once, of `release` or the cycle's latest."""
    if release is None:
        release = latest_releases([cycle.pk]).get(cycle.pk)
    if release is None:
        return {g: {} for g in group_bys}
    return {
        g: {
            (row["grp"], row["cid"]): _decimal_stats(row)
            for row in release_statistics(release=release, filters=filters, group_by=g)
        }
        for g in group_bys
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
