"""Which peer figures a member may see: every rule of anonymity, written once and tested once.

Every place that shows peer figures to a member organization goes through here: the dashboard, the scorecard
PDF, improvement plans (through selectors.org_benchmark) and the how-scores-work page (which states these
rules from the same settings). Peer figures come only from a published benchmark release (a frozen snapshot,
reports/services/releases.py), never from live results, so reading the same page twice cannot be differenced.

The rules, and why each one:
1. Peers exclude the viewer and its affiliates (the parent system, the children, the sister organizations of
   the same parent): sisters share results, so counting them would leave fewer unknown peers than shown.
2. A group is shown only with at least BENCHMARK_MIN_PEERS such peers.
3. Quartiles, the middle half and the percentile rank need BENCHMARK_MIN_PEERS_QUARTILES peers, the 10th
   and 90th percentiles BENCHMARK_MIN_PEERS_TAILS: with five peers the quartiles ARE the 2nd and 4th peers'
   scores, and the rank says how many peers sit below the viewer. Below that, the median alone.
4. Complementary suppression: of all the groups one viewer may open for one release, no two shown may differ
   in membership by 1 to BENCHMARK_MIN_PEERS - 1 organizations (else two ranks or medians, compared, tell how
   that handful scored). Groups are considered largest first and "all participants" first of all, so the
   smaller of two close groups is the one hidden, and "all participants" never is (only below rule 2).
5. Two consecutive releases of a cycle differ by at least BENCHMARK_MIN_PEERS results (added, changed or
   withdrawn): enforced when publishing (release_refusal below).

The functions on plain data (excluded_organizations, decide_groups, figures, release_changes, release_refusal)
are the rules; viewer_figures() applies them to a release read from the database and the cache.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from math import fsum

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .peer_groups import PEER_GROUP_FIELD, PeerGroup
from .stats import interpolate

# Scores are means of small whole numbers: two scores closer than this are the same score (a tie).
TIE = 1e-9


@dataclass(frozen=True)
class Rules:
    min_peers: int
    min_quartiles: int
    min_tails: int


def current_rules() -> Rules:
    return Rules(
        min_peers=settings.BENCHMARK_MIN_PEERS,
        min_quartiles=settings.BENCHMARK_MIN_PEERS_QUARTILES,
        min_tails=settings.BENCHMARK_MIN_PEERS_TAILS,
    )


def rule_problems(rules: Rules) -> list[str]:
    problems = []
    if rules.min_peers < 3:
        problems.append(f"BENCHMARK_MIN_PEERS is {rules.min_peers}: it must be at least 3.")
    if rules.min_quartiles < rules.min_peers:
        problems.append(
            f"BENCHMARK_MIN_PEERS_QUARTILES ({rules.min_quartiles}) must be at least BENCHMARK_MIN_PEERS "
            f"({rules.min_peers}): quartiles say more about a group than its median."
        )
    if rules.min_tails < rules.min_quartiles:
        problems.append(
            f"BENCHMARK_MIN_PEERS_TAILS ({rules.min_tails}) must be at least BENCHMARK_MIN_PEERS_QUARTILES "
            f"({rules.min_quartiles}): the 10th and 90th percentiles sit closer to single peers."
        )
    return problems


def validate_settings() -> None:
    """Refuse to start with minimums that would break the rules above (called from ReportsConfig.ready)."""
    problems = rule_problems(current_rules())
    if problems:
        raise ImproperlyConfigured("Peer figure settings are not valid: " + " ".join(problems))


# ---------------------------------------------------------------------------------------------------------
# Rule 1: affiliates


def excluded_organizations(
    *, viewer_id: int, viewer_parent_id: int | None, parents: Iterable[tuple[int, int | None]]
) -> set[int]:
    """The viewer and its affiliates: its parent, its children and its parent's other children.
    parents: (organization id, parent id) of the organizations in the release (and of the live affiliates)."""
    family = {viewer_id} if viewer_parent_id is None else {viewer_id, viewer_parent_id}
    return family | {org for org, parent in parents if parent is not None and parent in family}


# ---------------------------------------------------------------------------------------------------------
# Rules 2 and 4: which groups a viewer is shown


@dataclass(frozen=True)
class GroupDecision:
    peer_group: str
    n: int  # peers in the group, the viewer and its affiliates not counted
    shown: bool
    reason: str = ""  # why hidden, as a sentence for the member

    @property
    def label(self) -> str:
        return PeerGroup(self.peer_group).label


def decide_groups(peer_sets: Mapping[str, frozenset | set], rules: Rules) -> dict[str, GroupDecision]:
    """Every group one viewer may open for one release -> shown or hidden, and why.

    peer_sets: the peers of each group, the viewer and its affiliates already taken out."""
    order = sorted(peer_sets, key=lambda g: (g != PeerGroup.ALL, -len(peer_sets[g]), str(g)))
    decisions: dict[str, GroupDecision] = {}
    shown: list[str] = []
    for group in order:
        peers = peer_sets[group]
        reason = ""
        if len(peers) < rules.min_peers:
            reason = (
                f"Fewer than {rules.min_peers} organizations besides yours and your affiliates have results "
                "in this group, so no peer figure is shown for it."
            )
        elif group != PeerGroup.ALL:
            close = next((h for h in shown if 0 < len(peers ^ peer_sets[h]) < rules.min_peers), None)
            if close is not None:
                reason = (
                    f'This group differs from "{PeerGroup(close).label}" by fewer than {rules.min_peers} '
                    "organizations: showing both would let anyone work out how those few scored, so it is "
                    "hidden."
                )
        if not reason:
            shown.append(group)
        decisions[group] = GroupDecision(peer_group=str(group), n=len(peers), shown=not reason, reason=reason)
    return decisions


# ---------------------------------------------------------------------------------------------------------
# Rule 3: which figures of a shown group


@dataclass(frozen=True)
class PeerFigures:
    """A peer group's figures on one score as a member may see them (None: hidden)."""

    n: int
    median: float
    mean: float | None
    p25: float | None
    p75: float | None
    p10: float | None
    p90: float | None
    prank: float | None  # the viewer's percentile rank among these peers

    @property
    def quartiles_shown(self) -> bool:
        return self.p25 is not None


def figures(peers: Sequence[float], *, own: float | None, rules: Rules) -> PeerFigures | None:
    """The figures of these peers' sorted scores (the viewer's and its affiliates' already taken out), with
    the viewer's percentile rank: 100 * (lower + 0.5 * equal) / n. None below the peer minimum."""
    n = len(peers)
    if n < rules.min_peers:
        return None
    quartiles = n >= rules.min_quartiles
    tails = n >= rules.min_tails
    prank = None
    if own is not None and quartiles:
        lower = bisect_left(peers, own - TIE)
        equal = bisect_right(peers, own + TIE) - lower
        prank = 100.0 * (lower + 0.5 * equal) / n
    return PeerFigures(
        n=n,
        median=interpolate(peers, 0.5),
        mean=fsum(peers) / n if quartiles else None,
        p25=interpolate(peers, 0.25) if quartiles else None,
        p75=interpolate(peers, 0.75) if quartiles else None,
        p10=interpolate(peers, 0.10) if tails else None,
        p90=interpolate(peers, 0.90) if tails else None,
        prank=prank,
    )


def detail_note(n: int, rules: Rules) -> str:
    """The sentence saying which figures of a shown group are hidden and why ("" when none are)."""
    if n < rules.min_quartiles:
        return (
            f"Only the median is shown: quartiles, the middle half and percentile ranks need at least "
            f"{rules.min_quartiles} peers, and this group has {n}."
        )
    if n < rules.min_tails:
        return f"The 10th and 90th percentiles need at least {rules.min_tails} peers; this group has {n}."
    return ""


def without(scores: Sequence[float], values: Iterable[float]) -> list[float]:
    """Sorted scores with one occurrence of each value taken out (an excluded organization's score)."""
    result = list(scores)
    for value in values:
        index = bisect_left(result, value)
        if index < len(result) and result[index] == value:
            del result[index]
    return result


# ---------------------------------------------------------------------------------------------------------
# Rule 5: consecutive releases


@dataclass(frozen=True)
class Changes:
    added: list[int]
    changed: list[int]
    withdrawn: list[int]

    @property
    def total(self) -> int:
        return len(self.added) + len(self.changed) + len(self.withdrawn)


def release_changes(previous: Mapping[int, object], current: Mapping[int, object]) -> Changes:
    """Organizations added, changed (scores or the attributes their groups follow) and withdrawn between
    two states {organization id: comparable result}."""
    return Changes(
        added=sorted(current.keys() - previous.keys()),
        changed=sorted(o for o in current.keys() & previous.keys() if current[o] != previous[o]),
        withdrawn=sorted(previous.keys() - current.keys()),
    )


def release_refusal(changes: Changes, rules: Rules, *, first: bool) -> str:
    """Why a release with these changes may not be published ("" when it may)."""
    if changes.total >= rules.min_peers:
        return ""
    needed = rules.min_peers - changes.total
    if first:
        return (
            f"Not published: a first release needs results of at least {rules.min_peers} organizations; "
            f"there are {changes.total}, {needed} more needed."
        )
    return (
        f"Not published: only {changes.total} result{'s' if changes.total != 1 else ''} added, changed or "
        f"withdrawn since the previous release; at least {rules.min_peers} are needed ({needed} more), so "
        "that no organization's result can be worked out by comparing two releases."
    )


# ---------------------------------------------------------------------------------------------------------
# Applied to a release


def group_value(peer_group: str, attributes) -> object:
    """The value a peer group matches on, read from an organization or a released result."""
    field_name = PEER_GROUP_FIELD[PeerGroup(peer_group)]
    return None if field_name is None else getattr(attributes, field_name)


@dataclass(frozen=True)
class ViewerFigures:
    """What one viewer may see of one release under one peer group."""

    release: object  # reports.models.BenchmarkRelease
    decisions: dict[str, GroupDecision]
    decision: GroupDecision  # of the peer group asked for
    figures: dict[str, PeerFigures]  # score slug -> figures; empty when the group is hidden
    note: str  # which figures are hidden and why ("" when none)


def viewer_figures(
    *, organization, releases: Mapping[int, object], peer_group: str, own_scores: Mapping[int, Mapping]
) -> dict[int, ViewerFigures]:
    """{cycle_id: ViewerFigures} of this organization in each release given ({cycle_id: release}).

    own_scores: {cycle_id: {slug: the organization's live score}} for the percentile ranks; the slugs asked
    for are its keys (the trend asks for "overall" only). Reads the releases' groups from the cache (one round
    trip) and the viewer's affiliates (two small queries)."""
    from . import releases as release_data  # the database side; these rules above import nothing of it

    if not releases:
        return {}
    rules = current_rules()
    groups = list(PeerGroup)
    keys = {
        (cycle_id, group): (release, PEER_GROUP_FIELD[group], group_value(group, organization))
        for cycle_id, release in releases.items()
        for group in groups
    }
    data = release_data.group_data(keys)
    affiliates, live_parents = release_data.affiliate_results(organization, list(releases.values()))
    return {
        cycle_id: view_of_release(
            release=release,
            groups={g: data[(cycle_id, g)] for g in groups},
            affiliates=affiliates.get(release.pk, {}),
            live_parents=live_parents,
            viewer_id=organization.pk,
            viewer_parent_id=organization.parent_id,
            peer_group=peer_group,
            own=own_scores.get(cycle_id, {}),
            rules=rules,
        )
        for cycle_id, release in releases.items()
    }


def view_of_release(
    *, release, groups, affiliates, live_parents, viewer_id, viewer_parent_id, peer_group, own, rules
) -> ViewerFigures:
    """Rules 1-4 for one viewer and one release, on plain data.

    groups: every peer group -> its GroupData in the release (members, sorted scores) for the viewer's
    values; affiliates: {organization id: released result with .parent_id and .scores} of the viewer and
    the organizations that may be its affiliates; live_parents: (id, parent id) of its live affiliates."""
    excluded = excluded_organizations(
        viewer_id=viewer_id,
        viewer_parent_id=viewer_parent_id,
        parents=[(o, row.parent_id) for o, row in affiliates.items()] + list(live_parents),
    )
    peer_sets = {g: data.members - excluded for g, data in groups.items()}
    decisions = decide_groups(peer_sets, rules)
    decision = decisions[PeerGroup(peer_group)]
    shown: dict[str, PeerFigures] = {}
    if decision.shown:
        group = groups[PeerGroup(peer_group)]
        removed = [affiliates[o].scores for o in excluded if o in group.members and o in affiliates]
        for slug, own_score in own.items():
            scores = group.scores.get(slug)
            if scores is None:
                continue
            peers = without(scores, [r[slug] for r in removed if slug in r])
            peer_figures = figures(peers, own=own_score, rules=rules)
            if peer_figures is not None:
                shown[slug] = peer_figures
    return ViewerFigures(
        release=release,
        decisions=decisions,
        decision=decision,
        figures=shown,
        note=detail_note(decision.n, rules) if decision.shown else "",
    )


def method_context(release=None) -> dict:
    """What every method text says (how-scores-work, the note under peer charts, the PDF's method page),
    from the settings and the release in effect: no number in those texts is written by hand."""
    from .models import BenchmarkRelease
    from .services.releases import default_inclusion

    rules = current_rules()
    inclusion = release.inclusion if release is not None else default_inclusion()
    return {
        "rules": rules,
        "min_peers": rules.min_peers,
        "release": release,
        "include_submitted": inclusion == BenchmarkRelease.Inclusion.SUBMITTED,
        "inclusion_label": BenchmarkRelease.Inclusion(inclusion).label,
        "peer_groups": PeerGroup.choices,
        # Lazy (a query only where a text says it): the releases published before an organization withdrew,
        # which stay as published (this release, or all of them on the how-scores-work page).
        "releases_before_withdrawal": lambda: releases_before_withdrawal(release),
    }


def releases_before_withdrawal(release=None) -> list:
    from assessments.terms.models import Withdrawal

    from .models import BenchmarkRelease

    latest = Withdrawal.objects.filter(confirmed_at__isnull=False).order_by("-confirmed_at").first()
    if latest is None:
        return []
    if release is not None:
        return [release] if release.published_at < latest.confirmed_at else []
    earlier = BenchmarkRelease.objects.filter(published_at__lt=latest.confirmed_at).select_related("cycle")
    return list(earlier.order_by("cycle__opens_on", "number"))


def members_would_see(n: int, rules: Rules) -> str:
    """For NAM's identified views: what members are shown of a group of n organizations with results, at
    best (a member of the group sees n - 1 peers, fewer with affiliates; rule 4 may hide it for some)."""
    peers = n - 1
    if peers < rules.min_peers:
        return "no"
    if peers < rules.min_quartiles:
        return "median only"
    if peers < rules.min_tails:
        return "no 10th/90th"
    return "yes"
