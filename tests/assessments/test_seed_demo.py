import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from assessments.models import Assessment, AssessmentCycle, Membership, Organization, Response, Role, SizeBand
from assessments.permissions import is_nam_staff
from reports.peer_groups import PeerGroup
from reports.selectors import org_benchmark, org_results

LOGINS = [
    "  quality.officer  portal-demo-2026   Quality officer: fills in the assessment",
    "  executive        portal-demo-2026   Executive: reads results and scorecards",
    "  org.admin        portal-demo-2026   Organization admin: invites colleagues",
    "  nam.staff        portal-demo-2026   NAM staff: cycles, review, field dashboard",
]


def seed(**options) -> str:
    stdout = io.StringIO()
    call_command("seed_demo", stdout=stdout, **options)
    return stdout.getvalue()


def snapshot():
    organizations = list(
        Organization.objects.order_by("slug").values_list(
            "name", "slug", "org_type", "size_band", "state", "region", "ownership", "is_teaching"
        )
    )
    responses = sorted(
        Response.objects.values_list(
            "assessment__organization__slug",
            "assessment__cycle__name",
            "indicator__code",
            "level",
            "not_applicable",
        )
    )
    statuses = sorted(Assessment.objects.values_list("organization__slug", "cycle__name", "status"))
    users = sorted(get_user_model().objects.values_list("username", "first_name", "last_name"))
    return organizations, responses, statuses, users


def wipe():
    Response.objects.all().delete()
    Assessment.objects.all().delete()
    Membership.objects.all().delete()
    Organization.objects.all().delete()
    get_user_model().objects.all().delete()
    AssessmentCycle.objects.all().delete()


def test_same_seed_same_data_and_another_seed_differs(rubric):
    seed(orgs=25, cycles=3, seed=7)
    first = snapshot()
    wipe()
    seed(orgs=25, cycles=3, seed=7)
    assert snapshot() == first
    wipe()
    seed(orgs=25, cycles=3, seed=8)
    other = snapshot()
    assert other[0] != first[0] and other[1] != first[1]


def test_demo_organization_accounts_and_logins(rubric):
    output = seed(orgs=60, cycles=3, seed=1)

    assert output.splitlines()[-5:] == [
        "Demo sign-ins (demo organization: Riverside Regional Health):",
        *LOGINS,
    ]
    assert Organization.objects.count() == 60
    demo = Organization.objects.get(slug="riverside-regional-health")
    assert (demo.name, demo.org_type, demo.size_band, demo.state, demo.region, demo.is_teaching) == (
        "Riverside Regional Health",
        "health_system",
        SizeBand.FROM_300,
        "OH",
        "midwest",
        True,
    )
    roles = dict(Membership.objects.filter(organization=demo).values_list("user__username", "role"))
    assert roles == {
        "quality.officer": Role.ASSESSOR,
        "executive": Role.EXECUTIVE,
        "org.admin": Role.ORG_ADMIN,
    }
    assert is_nam_staff(get_user_model().objects.get(username="nam.staff"))
    users = get_user_model().objects.filter(
        username__in=["quality.officer", "executive", "org.admin", "nam.staff"]
    )
    assert [u.check_password("portal-demo-2026") for u in users] == [True] * 4

    cycles = list(AssessmentCycle.objects.order_by("opens_on").values_list("name", "status"))
    year = int(cycles[-1][0])
    assert cycles == [(str(year - 2), "closed"), (str(year - 1), "closed"), (str(year), "open")]
    statuses = list(
        Assessment.objects.filter(organization=demo)
        .order_by("cycle__opens_on")
        .values_list("status", flat=True)
    )
    assert statuses == ["validated", "validated", "draft"]
    latest = Assessment.objects.get(organization=demo, cycle__name=str(year))
    assert latest.responses.count() == 15  # half of the 30 indicators: work for the quality officer

    # Peer figures come from releases: `make run` publishes a first release of each cycle after seeding.
    call_command("publish_benchmarks", all_cycles=True, if_none=True, stdout=io.StringIO())
    # Every peer group of the demo organization has enough peers in its latest results; a group is hidden
    # only when it is within 5 organizations of another group the demo organization may open.
    results = org_results(demo)
    for group in PeerGroup.values:
        benchmark = org_benchmark(assessment=results[0], peer_group=group, org_assessments=results)
        assert benchmark.n_peers >= 5, group
        assert not benchmark.suppressed or "differs from" in benchmark.hidden_reason, group
    everyone = org_benchmark(assessment=results[0], peer_group="all", org_assessments=results)
    assert everyone.release.number == 1 and not everyone.suppressed

    # Plausible: most assessments submitted or validated, some returned and drafts in the open cycle,
    # some N/A with a justification.
    latest_statuses = set(Assessment.objects.filter(cycle__name=str(year)).values_list("status", flat=True))
    assert {"validated", "submitted", "draft"} <= latest_statuses
    na = Response.objects.filter(not_applicable=True)
    assert na.exists() and not na.filter(na_justification="").exists()
    assert (
        Assessment.objects.filter(status__in=["submitted", "validated"]).count()
        > 0.75 * Assessment.objects.count()
    )


def test_if_empty_skips_and_still_prints_logins(rubric):
    seed(orgs=12, cycles=2, seed=1)
    output = seed(orgs=12, cycles=2, seed=1, if_empty=True)
    assert output.splitlines()[0] == "Organizations exist already: no demo data added (--if-empty)."
    assert output.splitlines()[-4:] == LOGINS
    assert Organization.objects.count() == 12


def test_sizes_follow_types(rubric):
    seed(orgs=200, cycles=1, seed=3)
    clinics = Organization.objects.filter(org_type__in=["chc", "ambulatory"])
    assert clinics.filter(size_band=SizeBand.NOT_APPLICABLE).count() >= 0.8 * clinics.count()
    assert not Organization.objects.filter(org_type="academic", is_teaching=False).exists()
    assert Organization.objects.values("name").distinct().count() == 200


def test_needs_a_published_rubric(db):
    with pytest.raises(CommandError, match="There is no published rubric: load one first"):
        seed(orgs=5, cycles=1, seed=1)
