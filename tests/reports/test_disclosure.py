"""The disclosure rules (reports/disclosure.py): a property test over random populations, affiliations and
releases, for every viewer, plus the settings check and the method text.

The property test runs the same functions the dashboard does (releases.group_of builds the groups,
disclosure.view_of_release decides for one viewer) and checks their output against sets computed here
independently, so a rule removed from the code makes it fail (see the report of issue 16 for how each rule
was removed and seen to fail)."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from reports import disclosure
from reports.disclosure import Rules
from reports.peer_groups import PEER_GROUP_FIELD, PeerGroup
from reports.releases import group_of

RULES = Rules(min_peers=5, min_quartiles=10, min_tails=20)
SLUGS = ("engaged", "overall")


@st.composite
def populations(draw):
    """Organizations with attributes from small domains (so groups overlap and nearly coincide), some in
    health systems (parent: an earlier organization), each with a released result or none."""
    n = draw(st.integers(min_value=0, max_value=45))
    rows = []
    for index in range(n):
        parent = draw(st.one_of(st.none(), st.integers(0, index - 1))) if index else None
        rows.append(
            {
                "organization_id": index + 1,
                "parent_id": None if parent is None else parent + 1,
                "org_type": draw(st.sampled_from(["hospital", "academic"])),
                "size_band": draw(st.sampled_from(["lt100", "100_299"])),
                "region": draw(st.sampled_from(["south", "west"])),
                "ownership": draw(st.sampled_from(["nonprofit", "public"])),
                "is_teaching": draw(st.booleans()),
                "is_rural": draw(st.booleans()),
                "released": draw(st.booleans() | st.just(True)),
                "scores": {
                    slug: draw(st.sampled_from([1.0, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0])) for slug in SLUGS
                },
            }
        )
    return rows


def affiliates_of(viewer, everyone) -> set[int]:
    """Independently of the code: the viewer, its parent, its children, its parent's other children."""
    ids = {viewer["organization_id"]}
    if viewer["parent_id"] is not None:
        ids.add(viewer["parent_id"])
        ids |= {o["organization_id"] for o in everyone if o["parent_id"] == viewer["parent_id"]}
    ids |= {o["organization_id"] for o in everyone if o["parent_id"] == viewer["organization_id"]}
    return ids


def expected_peers(viewer, released, everyone, group) -> set[int]:
    field = PEER_GROUP_FIELD[group]
    same = {r["organization_id"] for r in released if field is None or r[field] == viewer[field]}
    return same - affiliates_of(viewer, everyone)


@given(population=populations())
@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_every_viewer_sees_only_groups_and_figures_the_rules_allow(population):
    released = [r for r in population if r["released"]]
    # The release as the database holds it: affiliates found through released parents and live ones.
    affiliates_rows = {r["organization_id"]: SimpleNamespace(**r) for r in released}
    live_parents = [(o["organization_id"], o["parent_id"]) for o in population]
    for viewer in population:
        own = viewer["scores"]
        groups = {
            g: group_of(released, PEER_GROUP_FIELD[g], viewer.get(PEER_GROUP_FIELD[g])) for g in PeerGroup
        }
        shown_sets = {}
        for group in PeerGroup:
            view = disclosure.view_of_release(
                release=None,
                groups=groups,
                affiliates=affiliates_rows,
                live_parents=live_parents,
                viewer_id=viewer["organization_id"],
                viewer_parent_id=viewer["parent_id"],
                peer_group=group,
                own=own,
                rules=RULES,
            )
            peers = expected_peers(viewer, released, population, group)
            assert view.decision.n == len(peers)
            if not view.decision.shown:
                assert view.figures == {}
                assert view.decision.reason
                continue
            shown_sets[group] = peers
            # (a) at least the minimum of peers, the viewer and its affiliates not counted
            assert len(peers) >= RULES.min_peers
            for slug, figures in view.figures.items():
                assert figures.n == len(peers)
                # (d) quartiles, ranks and tails only above their minimums
                assert (figures.p25 is not None) == (figures.n >= RULES.min_quartiles)
                assert (figures.prank is not None) == (figures.n >= RULES.min_quartiles)
                assert (figures.p90 is not None) == (figures.n >= RULES.min_tails)
                assert (figures.p10 is not None) == (figures.n >= RULES.min_tails)
                expected_median = sorted(r["scores"][slug] for r in released if r["organization_id"] in peers)
                mid = (len(expected_median) - 1) / 2
                assert figures.median == pytest.approx(
                    (expected_median[int(mid)] + expected_median[-int(mid) - 1]) / 2
                )
        # (b) no two groups shown to one viewer differ by 1 to min - 1 organizations
        names = list(shown_sets)
        for i, first in enumerate(names):
            for second in names[i + 1 :]:
                difference = len(shown_sets[first] ^ shown_sets[second])
                assert difference == 0 or difference >= RULES.min_peers, (first, second, difference)
        # "all participants" is hidden only below the peer minimum
        everyone_peers = expected_peers(viewer, released, population, PeerGroup.ALL)
        assert (PeerGroup.ALL in shown_sets) == (len(everyone_peers) >= RULES.min_peers)


@given(
    states=st.lists(
        st.dictionaries(st.integers(1, 12), st.sampled_from([1.0, 2.0, 3.0, 4.0]), max_size=12),
        min_size=1,
        max_size=12,
    )
)
@hsettings(max_examples=200, deadline=None)
def test_no_two_consecutive_releases_differ_by_fewer_than_the_minimum(states):
    """(c) Publishing attempted after every change of the results: what gets published differs from the
    previous release by at least the minimum of results added, changed or withdrawn."""
    published = []
    for state in states:
        previous = published[-1] if published else {}
        changes = disclosure.release_changes(previous, state)
        refusal = disclosure.release_refusal(changes, RULES, first=not published)
        if not refusal:
            published.append(state)
        else:
            assert "more" in refusal
    for before, after in zip([{}, *published], published, strict=False):
        differing = {o for o in before.keys() | after.keys() if before.get(o) != after.get(o)}
        assert len(differing) >= RULES.min_peers


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"BENCHMARK_MIN_PEERS": 2}, "BENCHMARK_MIN_PEERS is 2: it must be at least 3."),
        ({"BENCHMARK_MIN_PEERS_QUARTILES": 4}, "BENCHMARK_MIN_PEERS_QUARTILES (4) must be at least"),
        ({"BENCHMARK_MIN_PEERS_TAILS": 9}, "BENCHMARK_MIN_PEERS_TAILS (9) must be at least"),
    ],
)
def test_wrong_minimums_refuse_to_start_with_a_clear_message(settings, values, message):
    for name, value in values.items():
        setattr(settings, name, value)
    with pytest.raises(ImproperlyConfigured) as refused:
        disclosure.validate_settings()
    assert message in str(refused.value)


def test_default_minimums_start():
    disclosure.validate_settings()
    assert disclosure.current_rules() == RULES


def test_close_groups_hide_the_smaller_never_all_participants():
    everyone = frozenset(range(1, 13))
    decisions = disclosure.decide_groups(
        {
            PeerGroup.ALL: everyone,
            PeerGroup.REGION: everyone - {1, 2},  # differs from all by 2: hidden
            PeerGroup.ORG_TYPE: frozenset(range(1, 7)),  # differs from all by 6: shown
            PeerGroup.TEACHING: frozenset(range(1, 7)),  # the same members as the type group: shown
        },
        RULES,
    )
    assert {g: d.shown for g, d in decisions.items()} == {
        PeerGroup.ALL: True,
        PeerGroup.REGION: False,
        PeerGroup.ORG_TYPE: True,
        PeerGroup.TEACHING: True,
    }
    assert decisions[PeerGroup.REGION].reason.startswith(
        'This group differs from "All participants" by fewer'
    )


def test_affiliates_are_the_parent_children_and_sisters():
    parents = [(2, 1), (3, 1), (4, 2), (5, None), (6, 9)]
    assert disclosure.excluded_organizations(viewer_id=2, viewer_parent_id=1, parents=parents) == {1, 2, 3, 4}
    assert disclosure.excluded_organizations(viewer_id=5, viewer_parent_id=None, parents=parents) == {5}
