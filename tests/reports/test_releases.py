"""Benchmark releases: publishing, the refusal rule, the inclusion choice, the command, frozen figures."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from assessments.models import Assessment, Response
from reports.models import BenchmarkRelease, ReleasedResult
from reports.selectors import org_benchmark
from reports.services.releases import ReleaseRefused, release_preview, release_publish
from tests import factories as f
from tests.reports.conftest import publish


def relevel(assessment, level):
    """New answers for a result (as after a return and a re-submission)."""
    Response.objects.filter(assessment=assessment).update(level=level)


def result(cycle, level, *, status=Assessment.Status.VALIDATED, **org_fields):
    assessment = f.AssessmentFactory(organization=f.OrganizationFactory(**org_fields), cycle=cycle)
    return f.answer_all(assessment, [level] * 30, status=status)


def test_a_release_freezes_the_counted_results_with_their_attributes(cycle, nam_staff):
    for level in (1, 2, 3, 4, 5):
        result(cycle, level, is_rural=level == 5)
    result(cycle, 3, status=Assessment.Status.SUBMITTED)  # not validated: left out by default
    result(cycle, 3, status=Assessment.Status.DRAFT)

    release = release_publish(cycle=cycle, user=nam_staff)

    assert (release.number, release.inclusion, release.n_organizations, release.n_added) == (
        1,
        "validated",
        5,
        5,
    )
    assert release.published_by == nam_staff
    rows = sorted(ReleasedResult.objects.filter(release=release).values_list("scores__overall", "is_rural"))
    assert rows == [(1.0, False), (2.0, False), (3.0, False), (4.0, False), (5.0, True)]
    assert release.description.startswith("Peer figures: release 1 of the 2026 cycle, published ")
    assert release.description.endswith(", 5 organizations, validated results only")


def test_the_setting_is_the_default_of_the_inclusion_choice(cycle, settings):
    for level in (1, 2, 3, 4, 5):
        result(cycle, level, status=Assessment.Status.SUBMITTED)
    with pytest.raises(ReleaseRefused):
        release_publish(cycle=cycle)  # validated only: none
    settings.BENCHMARK_INCLUDE_SUBMITTED = True
    assert release_publish(cycle=cycle).inclusion == BenchmarkRelease.Inclusion.SUBMITTED


@pytest.mark.parametrize(("changed", "refused"), [(0, True), (4, True), (5, False)])
def test_a_release_needs_the_minimum_of_changed_results(cycle, changed, refused):
    results = [result(cycle, 2) for _ in range(8)]
    publish(cycle, inclusion="validated")
    for assessment in results[:changed]:
        relevel(assessment, 4)
    if refused:
        with pytest.raises(ReleaseRefused) as error:
            release_publish(cycle=cycle, inclusion="validated")
        assert error.value.messages == [
            f"Not published: only {changed} result{'s' if changed != 1 else ''} added, changed or withdrawn "
            f"since the previous release; at least 5 are needed ({5 - changed} more), so that no "
            "organization's result can be worked out by comparing two releases."
        ]
        assert BenchmarkRelease.objects.filter(cycle=cycle).count() == 1
    else:
        release = release_publish(cycle=cycle, inclusion="validated")
        assert (release.number, release.n_changed, release.n_added, release.n_withdrawn) == (2, 5, 0, 0)


def test_added_changed_and_withdrawn_all_count_and_are_previewed(cycle):
    results = [result(cycle, 2, name=f"Org {i}") for i in range(6)]
    publish(cycle, inclusion="validated")
    results[0].status = Assessment.Status.RETURNED  # withdrawn
    results[0].save()
    relevel(results[1], 5)  # changed
    result(cycle, 3, name="New A")  # added
    result(cycle, 3, name="New B")
    # An attribute that places a result in other groups is a change too.
    organization = results[2].organization
    organization.is_rural = True
    organization.save()

    preview = release_preview(cycle=cycle, inclusion="validated")

    assert preview.named(preview.changes.added) == ["New A", "New B"]
    assert preview.named(preview.changes.changed) == ["Org 1", "Org 2"]
    assert preview.named(preview.changes.withdrawn) == ["Org 0"]
    assert (preview.number, preview.refusal, preview.n_organizations) == (2, "", 7)


def test_a_first_release_needs_the_minimum_of_organizations(cycle):
    for level in (1, 2, 3, 4):
        result(cycle, level)
    with pytest.raises(ReleaseRefused) as error:
        release_publish(cycle=cycle)
    assert error.value.messages == [
        "Not published: a first release needs results of at least 5 organizations; "
        "there are 4, 1 more needed."
    ]


def test_peer_figures_stay_those_of_the_release_and_old_releases_stay_readable(cycle, all_figures):
    viewer = result(cycle, 3)
    peers = [result(cycle, 2) for _ in range(5)]
    first = publish(cycle, inclusion="validated")
    for assessment in peers:
        relevel(assessment, 4)
    # Results changed, nothing published: members still see release 1.
    assert org_benchmark(assessment=viewer, peer_group="all").overall.peer.median == Decimal("2.00")
    second = publish(cycle, inclusion="validated")
    latest = org_benchmark(assessment=viewer, peer_group="all")
    assert (latest.release, latest.overall.peer.median) == (second, Decimal("4.00"))
    old = org_benchmark(assessment=viewer, peer_group="all", release=first)
    assert (old.release, old.overall.peer.median) == (first, Decimal("2.00"))


def test_no_release_no_peer_figures(cycle):
    viewer = result(cycle, 3)
    for _ in range(6):
        result(cycle, 2)
    benchmark = org_benchmark(assessment=viewer, peer_group="all")
    assert (benchmark.release, benchmark.suppressed, benchmark.overall.peer) == (None, True, None)
    assert benchmark.hidden_reason == "No peer figures have been published for the 2026 cycle yet."


def test_affiliates_are_never_peers(cycle, all_figures):
    system = f.OrganizationFactory(name="Health System")
    viewer = result(cycle, 3, parent=system)
    result(cycle, 1, parent=system)  # a sister hospital
    f.answer_all(f.AssessmentFactory(organization=system, cycle=cycle), [1] * 30, status="validated")
    for _ in range(5):
        result(cycle, 4)
    publish(cycle, inclusion="validated")
    benchmark = org_benchmark(assessment=viewer, peer_group="all")
    assert (benchmark.n_peers, benchmark.overall.peer.median) == (5, Decimal("4.00"))


def test_the_command_publishes_and_says_why_it_refuses(cycle):
    for level in (1, 2, 3, 4, 5):
        result(cycle, level, status=Assessment.Status.SUBMITTED)
    with pytest.raises(CommandError, match="there are 0, 5 more needed"):
        call_command("publish_benchmarks", cycle="2026")
    with pytest.raises(CommandError, match=r"No cycle named 'nope'\. Cycles: 2026\."):
        call_command("publish_benchmarks", cycle="nope")
    call_command("publish_benchmarks", cycle="2026", include="submitted")
    release = BenchmarkRelease.objects.get(cycle=cycle)
    assert (release.number, release.inclusion, release.n_organizations) == (1, "submitted", 5)


@pytest.mark.parametrize(
    ("inclusion", "setting", "says", "never"),
    [
        ("validated", False, "self-ratings that NAM has validated", "still awaiting its review"),
        ("submitted", False, "validated by NAM or still awaiting its review", "that NAM has validated"),
        # The release's own rule, whatever the setting says now.
        ("validated", True, "self-ratings that NAM has validated", "still awaiting its review"),
    ],
)
def test_the_pdf_method_page_follows_the_releases_rule(cycle, settings, inclusion, setting, says, never):
    import datetime

    from reports.exporters import scorecard as scorecards

    viewer = result(cycle, 3)
    for level in (1, 2, 3, 4, 5):
        result(cycle, level)
    release = publish(cycle, inclusion=inclusion)
    settings.BENCHMARK_INCLUDE_SUBMITTED = setting
    document = scorecards.scorecard_document(assessment=viewer, peer_group="all")
    text = " ".join(
        scorecards.scorecard_html(document, chart_uris={}, produced_on=datetime.date(2026, 5, 14)).split()
    )
    method = text.split("How to read this scorecard")[1]
    assert says in method and never not in method
    assert release.description in method
    assert "at least 5 organizations besides yours and your affiliates" in method
    assert "quartiles, the middle half and percentile ranks need at least 10" in method
    assert "singled out" not in text and "never identify" not in text


@pytest.mark.parametrize(
    ("setting", "says"), [(False, "validated by NAM;"), (True, "still awaiting review;")]
)
def test_the_note_under_peer_charts_follows_the_release(
    client, executive_a, cycle, org_a, settings, setting, says
):
    from django.urls import reverse

    f.answer_all(f.AssessmentFactory(organization=org_a, cycle=cycle), 3, status=Assessment.Status.VALIDATED)
    for level in (1, 2, 3, 4, 5):
        result(cycle, level, status=Assessment.Status.VALIDATED)
    settings.BENCHMARK_INCLUDE_SUBMITTED = setting  # the default of the release's choice
    publish(cycle, inclusion=None)
    client.force_login(executive_a)
    page = " ".join(client.get(reverse("reports:org_dashboard", args=["alpha"])).content.decode().split())
    notes = page.split('data-testid="peer-method"')[1:]
    assert len(notes) == 2 and all(says in note for note in notes)
