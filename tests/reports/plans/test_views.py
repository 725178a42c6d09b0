import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessments.models import Assessment, AuditEvent
from commitments.models import Indicator
from reports.plans.models import ActionNote, CommitmentTarget, ImprovementAction
from reports.services.releases import release_publish
from tests import factories as f

pytestmark = pytest.mark.django_db

SUBMITTED = Assessment.Status.SUBMITTED
SLUGS = [slug for slug, _, _ in f.COMMITMENT_NAMES]
TODAY = timezone.localdate()


def levels(overrides, default=3):
    by_slug = {slug: [default] * 3 for slug in SLUGS} | overrides
    return [level for slug in SLUGS for level in by_slug[slug]]


@pytest.fixture
def results(cycle, org_a):
    """Alpha's 2026 results (fair 1.33, engaged 1.67, the rest 3.00) and five peers at 3.00."""
    assessment = f.answer_all(
        f.AssessmentFactory(organization=org_a, cycle=cycle),
        levels({"fair": [1, 1, 2], "engaged": [1, 2, 2]}),
        status=SUBMITTED,
    )
    for _ in range(5):
        f.answer_all(f.AssessmentFactory(cycle=cycle), 3, status=SUBMITTED)
    release_publish(cycle=cycle, inclusion="submitted")  # peer figures come only from releases
    return assessment


@pytest.fixture
def commitments(cycle):
    return {c.slug: c for c in cycle.rubric.commitments.all()}


@pytest.fixture
def indicators(cycle):
    return {i.code: i for i in Indicator.objects.of_rubric(cycle.rubric)}


def login(client, user):
    client.force_login(user, backend="assessments.backends.PortalBackend")
    return client


def plan_url(slug="alpha", **query):
    url = reverse("reports:plan", args=[slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def text(response):
    return response.content.decode()


def squashed_text(page: str) -> str:
    """The page with every run of white space made one space, to assert on what a reader sees."""
    return re.sub(r"\s+", " ", page)


def squashed(response):
    return squashed_text(response.content.decode())


def plan_state():
    """Everything a plan write could change."""
    return (
        sorted(
            CommitmentTarget.objects.values_list("organization__slug", "commitment__slug", "target_level")
        ),
        sorted(
            ImprovementAction.objects.values_list(
                "organization__slug", "commitment__slug", "title", "owner__username", "status", "due_date"
            )
        ),
        sorted(
            ImprovementAction.indicators.through.objects.values_list("improvementaction_id", "indicator_id")
        ),
        sorted(ActionNote.objects.values_list("action_id", "text")),
    )


# ---------------------------------------------------------------------------------------------------------
# Each step of the loop


def test_empty_plan_invites_to_build_from_results(client, assessor_a, results):
    response = login(client, assessor_a).get(plan_url())
    assert response.status_code == 200
    page = text(response)
    assert "No plan for 2026 yet" in page
    assert reverse("reports:plan_build", args=["alpha"]) + "?cycle=2026" in page


def test_build_from_results_lists_biggest_gaps_first(client, assessor_a, results):
    response = login(client, assessor_a).get(reverse("reports:plan_build", args=["alpha"]) + "?cycle=2026")
    page = squashed(response)
    assert response.status_code == 200
    assert page.index("1. Fair") < page.index("2. Engaged") < page.index("3. Safe")
    assert "peer median 3.00 · <strong>1.67 below</strong>" in page
    assert "<strong>2 Developing:</strong> FAI-1 at level 2." in page
    assert "Set target 2.00 (2 Developing)" in page


def test_build_from_results_starts_the_plan(client, assessor_a, results):
    url = reverse("reports:plan_build", args=["alpha"]) + "?cycle=2026"
    response = login(client, assessor_a).post(url, {"commitment": ["fair", "engaged"]})
    assert response.status_code == 302
    assert response["Location"] == plan_url(cycle="2026")
    assert plan_state()[0] == [("alpha", "engaged", Decimal("2.00")), ("alpha", "fair", Decimal("2.00"))]
    assert sorted(ImprovementAction.objects.values_list("title", "description", "owner", "status")) == [
        ("ENG-1: reach level 2 Developing", "ENG-1 at level 2.", None, "planned"),
        ("FAI-1: reach level 2 Developing", "FAI-1 at level 2.", None, "planned"),
        ("FAI-2: reach level 2 Developing", "FAI-2 at level 2.", None, "planned"),
    ]
    page = text(client.get(response["Location"]))
    assert "Plan started: 2 target(s) set, 3 action(s) added." in page
    assert page.count("No owner yet</span>") == 3


def test_build_without_a_ticked_commitment_changes_nothing(client, assessor_a, results):
    url = reverse("reports:plan_build", args=["alpha"]) + "?cycle=2026"
    response = login(client, assessor_a).post(url, {"commitment": ["nonsense"]})
    assert response.status_code == 200
    assert "Tick at least one commitment to start the plan with." in text(response)
    assert plan_state() == ([], [], [], [])


def test_one_click_target_from_the_suggestions(client, assessor_a, results, commitments):
    build = reverse("reports:plan_build", args=["alpha"]) + "?cycle=2026"
    response = login(client, assessor_a).post(
        reverse("reports:plan_target", args=["alpha"]),
        {
            "cycle": "2026",
            "commitment": commitments["fair"].pk,
            "target_level": "2.00",
            "next": build + "#fair",
        },
    )
    assert response["Location"] == build + "#fair"
    assert plan_state()[0] == [("alpha", "fair", Decimal("2.00"))]
    assert "Target set: <strong>2.00</strong>" in text(client.get(build))


def test_one_click_action_from_the_suggestions(client, assessor_a, results, commitments, indicators):
    build = reverse("reports:plan_build", args=["alpha"]) + "?cycle=2026"
    response = login(client, assessor_a).post(
        reverse("reports:plan_action_new", args=["alpha"]) + "?cycle=2026",
        {
            "commitment": commitments["fair"].pk,
            "indicators": indicators["FAI-3"].pk,
            "title": "FAI-3: reach level 3 Defined",
            "description": "FAI-3 at level 3.",
            "status": "planned",
            "next": build + "#fair",
        },
    )
    assert response["Location"] == build + "#fair"
    action = ImprovementAction.objects.get()
    assert (action.organization.slug, action.cycle.slug, action.title) == (
        "alpha",
        "2026",
        "FAI-3: reach level 3 Defined",
    )
    assert list(action.indicators.values_list("code", flat=True)) == ["FAI-3"]
    assert "✓ In the plan" in text(client.get(build))


@pytest.mark.parametrize(
    ("level", "message"),
    [("6", "Ensure this value is less than or equal to 5."), ("abc", "Enter a number.")],
)
def test_bad_target_is_refused_with_a_message(client, assessor_a, results, commitments, level, message):
    response = login(client, assessor_a).post(
        reverse("reports:plan_target", args=["alpha"]),
        {"cycle": "2026", "commitment": commitments["fair"].pk, "target_level": level},
    )
    assert response.status_code == 400
    assert message in text(response)
    assert plan_state() == ([], [], [], [])


def test_add_action_with_owner(client, assessor_a, admin_a, results, commitments, indicators):
    response = login(client, assessor_a).post(
        reverse("reports:plan_action_new", args=["alpha"]) + "?cycle=2026",
        {
            "commitment": commitments["fair"].pk,
            "indicators": [indicators["FAI-1"].pk, indicators["FAI-2"].pk],
            "title": "Equity dashboard",
            "description": "Outcomes by race, ethnicity and language.",
            "owner": admin_a.pk,
            "due_date": "2026-09-30",
            "status": "planned",
        },
    )
    assert response["Location"] == plan_url(cycle="2026") + "#fair"
    assert plan_state()[1] == [
        ("alpha", "fair", "Equity dashboard", "adam", "planned", datetime.date(2026, 9, 30))
    ]
    page = text(client.get(response["Location"]))
    assert "Action “Equity dashboard” added to the plan." in page
    assert "Equity dashboard</a>" in page
    assert "FAI-1, FAI-2" in page
    assert "Sep 30, 2026" in page


def test_new_action_form_preselects_the_commitment(client, assessor_a, results, commitments):
    url = (
        reverse("reports:plan_action_new", args=["alpha"])
        + f"?cycle=2026&commitment={commitments['safe'].pk}"
    )
    page = text(login(client, assessor_a).get(url))
    assert f'<option value="{commitments["safe"].pk}" selected>Safe</option>' in page
    assert "New action for the 2026 plan" in page


def test_forged_owner_and_indicator_are_rejected(
    client, assessor_a, assessor_b, results, commitments, indicators
):
    other_rubric = f.build_rubric("2027.1")
    foreign_indicator = Indicator.objects.of_rubric(other_rubric).get(code="FAI-1")
    base = {"commitment": commitments["fair"].pk, "title": "Sneaky", "status": "planned"}
    url = reverse("reports:plan_action_new", args=["alpha"]) + "?cycle=2026"
    login(client, assessor_a)
    response = client.post(url, base | {"owner": assessor_b.pk})
    assert response.status_code == 200
    assert "Choose an owner among the members of Alpha Regional Hospital." in text(response)
    response = client.post(url, base | {"indicators": foreign_indicator.pk})
    assert "Choose indicators of this cycle&#x27;s rubric only." in text(response)
    response = client.post(url, base | {"indicators": indicators["SAF-1"].pk})
    assert "SAF-1 is not part of Fair: choose that commitment&#x27;s indicators only." in text(response)
    assert plan_state() == ([], [], [], [])


def test_edit_action_and_status_change_are_noted(
    client, assessor_a, admin_a, results, org_a, cycle, commitments
):
    action = f.ImprovementActionFactory(
        organization=org_a, cycle=cycle, commitment=commitments["fair"], title="Dashboard"
    )
    url = reverse("reports:plan_action_edit", args=["alpha", action.pk])
    login(client, assessor_a)
    assert 'value="Dashboard"' in text(client.get(url))
    response = client.post(
        url,
        {
            "commitment": commitments["fair"].pk,
            "title": "Equity dashboard",
            "owner": admin_a.pk,
            "due_date": "2026-10-01",
            "status": "in_progress",
        },
    )
    assert response["Location"] == plan_url(cycle="2026") + "#fair"
    assert plan_state()[1] == [
        ("alpha", "fair", "Equity dashboard", "adam", "in_progress", datetime.date(2026, 10, 1))
    ]
    assert "Status changed from Planned to In progress." in text(client.get(url))


def test_add_a_progress_note(client, assessor_a, results, org_a, cycle):
    action = f.ImprovementActionFactory(organization=org_a, cycle=cycle, title="Dashboard")
    response = login(client, assessor_a).post(
        reverse("reports:plan_action_note", args=["alpha", action.pk]),
        {"text": "Extract ready; payer field missing.", "noted_on": "2026-03-02"},
    )
    assert response["Location"] == reverse("reports:plan_action_edit", args=["alpha", action.pk])
    assert list(ActionNote.objects.values_list("text", "noted_on", "author__username")) == [
        ("Extract ready; payer field missing.", datetime.date(2026, 3, 2), "alice")
    ]
    page = text(client.get(plan_url(cycle="2026")))
    assert f"Latest note (Mar 2, {assessor_a.get_full_name()}): Extract ready; payer field missing." in page


def test_bad_note_is_refused_with_a_message(client, assessor_a, results, org_a, cycle):
    action = f.ImprovementActionFactory(organization=org_a, cycle=cycle)
    response = login(client, assessor_a).post(
        reverse("reports:plan_action_note", args=["alpha", action.pk]), {"text": "x" * 2001}
    )
    assert response.status_code == 400
    assert "Ensure this value has at most 2000 characters (it has 2001)." in text(response)
    assert ActionNote.objects.count() == 0


def test_quick_status_change(client, assessor_a, results, org_a, cycle, commitments):
    action = f.ImprovementActionFactory(
        organization=org_a, cycle=cycle, commitment=commitments["safe"], title="Huddles"
    )
    response = login(client, assessor_a).post(
        reverse("reports:plan_action_status", args=["alpha", action.pk]), {"status": "done"}
    )
    assert response["Location"] == plan_url(cycle="2026") + "#safe"
    action.refresh_from_db()
    assert action.status == "done"
    assert list(action.notes.values_list("text", flat=True)) == ["Status changed from Planned to Done."]
    assert "“Huddles”: Planned → Done." in text(client.get(response["Location"]))
    response = client.post(
        reverse("reports:plan_action_status", args=["alpha", action.pk]), {"status": "finished"}
    )
    action.refresh_from_db()
    assert action.status == "done"
    assert "Choose a status among planned, in progress, done and dropped." in text(
        client.get(response["Location"])
    )


def test_overdue_is_said_in_words(client, executive_a, results, org_a, cycle):
    f.ImprovementActionFactory(
        organization=org_a, cycle=cycle, title="Late one", due_date=TODAY - datetime.timedelta(days=3)
    )
    f.ImprovementActionFactory(
        organization=org_a,
        cycle=cycle,
        title="Late but done",
        status="done",
        due_date=TODAY - datetime.timedelta(days=9),
    )
    page = text(login(client, executive_a).get(plan_url()))
    assert page.count("Overdue by") == 1
    assert "Overdue by 3 days" in page
    overdue_card = (
        '<div class="plan-stat-value">1</div><div class="small"><a href="?cycle=2026&amp;status=overdue'
    )
    assert overdue_card in page


def test_filters_by_owner_and_status(client, assessor_a, admin_a, results, org_a, cycle):
    f.ImprovementActionFactory(organization=org_a, cycle=cycle, title="Alice open", owner=assessor_a)
    f.ImprovementActionFactory(
        organization=org_a, cycle=cycle, title="Alice done", owner=assessor_a, status="done"
    )
    f.ImprovementActionFactory(organization=org_a, cycle=cycle, title="Adam open", owner=admin_a)
    f.ImprovementActionFactory(organization=org_a, cycle=cycle, title="Nobody's")
    login(client, assessor_a)

    def shown(**query):
        page = text(client.get(plan_url(cycle="2026", **query)))
        return sorted(
            t for t in ["Alice open", "Alice done", "Adam open", "Nobody&#x27;s"] if f"{t}</a>" in page
        )

    assert shown() == ["Adam open", "Alice done", "Alice open", "Nobody&#x27;s"]
    assert shown(owner=assessor_a.pk) == ["Alice done", "Alice open"]
    assert shown(owner=assessor_a.pk, status="planned") == ["Alice open"]
    assert shown(status="done") == ["Alice done"]
    assert shown(owner=0) == ["Nobody&#x27;s"]
    assert shown(owner="junk", status="junk") == ["Adam open", "Alice done", "Alice open", "Nobody&#x27;s"]
    assert "Showing 1 of 4 actions." in text(client.get(plan_url(cycle="2026", status="done")))


def test_last_cycles_targets_against_what_was_achieved(
    client, executive_a, org_a, cycle, commitments, rubric
):
    f.answer_all(f.AssessmentFactory(organization=org_a, cycle=cycle), 2, status=SUBMITTED)
    f.CommitmentTargetFactory(
        organization=org_a, cycle=cycle, commitment=commitments["fair"], target_level=Decimal("2.50")
    )
    f.CommitmentTargetFactory(
        organization=org_a, cycle=cycle, commitment=commitments["safe"], target_level=Decimal("3.00")
    )
    f.ImprovementActionFactory(organization=org_a, cycle=cycle, commitment=commitments["fair"], status="done")
    cycle_2027 = f.AssessmentCycleFactory(name="2027", rubric=rubric)
    f.answer_all(
        f.AssessmentFactory(organization=org_a, cycle=cycle_2027),
        levels({"fair": [3, 3, 2], "safe": [2, 3, 3]}),
        status=SUBMITTED,
    )
    page = text(login(client, executive_a).get(plan_url(cycle="2027")))
    assert "How the 2026 plan went" in page
    assert "1 of 2 targets met; 1 of 1 action done." in page
    rows = squashed_text(page)
    assert '<th scope="row">Fair</th> <td class="num">2.50</td> <td class="num">2.67</td> <td>' in rows
    assert '<span class="plan-outcome plan-outcome-met">✓ Met</span>' in rows
    assert '<th scope="row">Safe</th> <td class="num">3.00</td> <td class="num">2.67</td> <td>' in rows
    assert 'plan-outcome-not_met">✗ Not met</span> <span class="small">(-0.33)</span>' in rows


# ---------------------------------------------------------------------------------------------------------
# Exports


@pytest.fixture
def small_plan(org_a, cycle, commitments, indicators, assessor_a):
    f.CommitmentTargetFactory(
        organization=org_a, cycle=cycle, commitment=commitments["fair"], target_level=Decimal("2.50")
    )
    f.CommitmentTargetFactory(
        organization=org_a, cycle=cycle, commitment=commitments["safe"], target_level=Decimal("3.50")
    )
    action = f.ImprovementActionFactory(
        organization=org_a,
        cycle=cycle,
        commitment=commitments["fair"],
        title="=Equity dashboard",
        owner=assessor_a,
        due_date=datetime.date(2026, 3, 1),
        status="in_progress",
        description="By race and language",
        indicators=[indicators["FAI-1"], indicators["FAI-2"]],
    )
    ActionNote.objects.create(
        action=action, noted_on=datetime.date(2026, 2, 1), text="Kick-off", author=assessor_a
    )
    ActionNote.objects.create(
        action=action, noted_on=datetime.date(2026, 2, 20), text="Extract ready", author=assessor_a
    )
    f.ImprovementActionFactory(
        organization=org_a, cycle=cycle, commitment=commitments["engaged"], title="PFAC", status="done"
    )
    assessor_a.first_name, assessor_a.last_name = "Alice", "Nguyen"
    assessor_a.save()


def test_plan_export_csv(client, executive_a, small_plan):
    response = login(client, executive_a).get(
        reverse("reports:plan_export", args=["alpha", "csv"]) + "?cycle=2026"
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="improvement-plan-alpha-2026.csv"'
    overdue = "Overdue" if datetime.date(2026, 3, 1) < TODAY else ""
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        [
            "Commitment",
            "Target level",
            "Action",
            "Indicators",
            "Owner",
            "Due date",
            "Status",
            "Overdue",
            "Description",
            "Latest note date",
            "Latest note",
        ],
        ["Engaged", "", "PFAC", "", "", "", "Done", "", "", "", ""],
        ["Safe", "3.50", "", "", "", "", "", "", "", "", ""],
        [
            "Fair",
            "2.50",
            "'=Equity dashboard",
            "FAI-1 FAI-2",
            "Alice Nguyen",
            "2026-03-01",
            "In progress",
            overdue,
            "By race and language",
            "2026-02-20",
            "Extract ready",
        ],
    ]
    assert list(
        AuditEvent.objects.filter(kind="export").values_list(
            "kind", "actor__username", "organization__slug", "detail"
        )
    ) == [("export", "erin", "alpha", "improvement plan 2026 as csv")]


def test_plan_export_xlsx(client, assessor_a, small_plan):
    response = login(client, assessor_a).get(
        reverse("reports:plan_export", args=["alpha", "xlsx"]) + "?cycle=2026"
    )
    assert response["Content-Disposition"] == 'attachment; filename="improvement-plan-alpha-2026.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["Commitment", "Target level", "Action"]
    assert [row[:3] for row in values[1:]] == [
        ["Engaged", None, "PFAC"],
        ["Safe", 3.5, None],
        ["Fair", 2.5, "'=Equity dashboard"],
    ]
    assert AuditEvent.objects.filter(kind="export", detail="improvement plan 2026 as xlsx").count() == 1


def test_plan_export_unknown_format_is_404(client, assessor_a, small_plan):
    response = login(client, assessor_a).get(
        reverse("reports:plan_export", args=["alpha", "pdf"]) + "?cycle=2026"
    )
    assert response.status_code == 404
    assert AuditEvent.objects.filter(kind="export").count() == 0


# ---------------------------------------------------------------------------------------------------------
# NAM staff: the field


@pytest.fixture
def field(cycle, rubric, commitments):
    """Three organizations with plans on the 2026 results, judged by their 2027 results."""
    cycle_2027 = f.AssessmentCycleFactory(name="2027", rubric=rubric)
    for n, reached in enumerate([3, 2, 3]):
        org = f.OrganizationFactory()
        f.answer_all(f.AssessmentFactory(organization=org, cycle=cycle), 2, status=SUBMITTED)
        f.answer_all(f.AssessmentFactory(organization=org, cycle=cycle_2027), reached, status=SUBMITTED)
        f.CommitmentTargetFactory(
            organization=org, cycle=cycle, commitment=commitments["fair"], target_level=3
        )
        f.ImprovementActionFactory(
            organization=org, cycle=cycle, commitment=commitments["fair"], status="done"
        )
        if n:
            f.ImprovementActionFactory(organization=org, cycle=cycle, commitment=commitments["safe"])
    f.answer_all(f.AssessmentFactory(cycle=cycle), 2, status=SUBMITTED)  # results, no plan
    return cycle_2027


def test_nam_plans_page(client, nam_staff, field):
    page = text(login(client, nam_staff).get(reverse("reports:nam_plans") + "?cycle=2026"))
    page = squashed_text(page)
    assert '"plan-stat-value">3</div> <div class="small">organizations with a plan, of 4 with 2026' in page
    assert (
        '"plan-stat-value">2 / 3</div> <div class="small">targets met in 2027 · 1 not met · 0 without' in page
    )
    assert '<div class="plan-stat-value">3 / 5</div>' in page
    assert "<li>Fair: 100.0% done (3 of 3)</li>" in page
    assert "Safe: 0.0% done" not in page  # a zero is not ranked among the most completed


def test_nam_plans_export(client, nam_staff, field):
    response = login(client, nam_staff).get(reverse("reports:nam_plans_export") + "?cycle=2026")
    assert response["Content-Disposition"] == 'attachment; filename="improvement-plans-field-2026.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Commitment",
        "Organizations with a target",
        "Targets met",
        "Targets not met",
        "Targets without a result yet",
        "Actions",
        "Actions done",
        "Actions dropped",
        "Actions done (%)",
    ]
    assert rows[2] == ["Safe", "0", "0", "0", "0", "2", "0", "0", "0.0"]
    assert rows[5] == ["Fair", "3", "2", "1", "0", "3", "3", "0", "100.0"]
    assert rows[1] == ["Engaged", "0", "0", "0", "0", "0", "0", "0", ""]
    assert len(rows) == 11
    assert list(
        AuditEvent.objects.filter(kind="export").values_list("kind", "actor__username", "detail")
    ) == [("export", "nadia", "field improvement plans 2026 as csv")]


# ---------------------------------------------------------------------------------------------------------
# Who may do what


@pytest.fixture
def plan_a(org_a, cycle, commitments, assessor_a, results):
    f.CommitmentTargetFactory(organization=org_a, cycle=cycle, commitment=commitments["fair"], target_level=2)
    return f.ImprovementActionFactory(
        organization=org_a, cycle=cycle, commitment=commitments["fair"], title="Alpha's action"
    )


def _writes(action, commitments, owner_pk):
    """Every plan write as (url, valid data)."""
    return [
        (
            reverse("reports:plan_target", args=["alpha"]),
            {"cycle": "2026", "commitment": commitments["safe"].pk, "target_level": "4"},
        ),
        (
            reverse("reports:plan_action_new", args=["alpha"]) + "?cycle=2026",
            {"commitment": commitments["safe"].pk, "title": "New", "status": "planned"},
        ),
        (
            reverse("reports:plan_action_edit", args=["alpha", action.pk]),
            {"commitment": commitments["fair"].pk, "title": "Changed", "status": "done", "owner": owner_pk},
        ),
        (reverse("reports:plan_action_note", args=["alpha", action.pk]), {"text": "A note"}),
        (reverse("reports:plan_action_status", args=["alpha", action.pk]), {"status": "done"}),
        (reverse("reports:plan_build", args=["alpha"]) + "?cycle=2026", {"commitment": ["engaged"]}),
    ]


@pytest.mark.parametrize("who", ["executive_a", "nam_staff"])
def test_readers_see_the_plan_but_every_write_is_403(client, request, who, plan_a, commitments, assessor_a):
    user = request.getfixturevalue(who)
    login(client, user)
    page = text(client.get(plan_url()))
    assert "Alpha&#x27;s action</a>" in page
    assert "Build from results" not in page
    assert 'name="status"' not in page.split("plan-filters")[-1].split("</form>", 1)[-1]
    detail = client.get(reverse("reports:plan_action_edit", args=["alpha", plan_a.pk]))
    assert detail.status_code == 200
    assert "About this action" in text(detail)
    before = plan_state()
    for url, data in _writes(plan_a, commitments, assessor_a.pk):
        assert client.post(url, data).status_code == 403, url
    assert client.get(reverse("reports:plan_action_new", args=["alpha"])).status_code == 403
    assert client.get(reverse("reports:plan_build", args=["alpha"])).status_code == 403
    assert plan_state() == before


def test_other_organization_gets_404_on_every_plan_url(client, assessor_b, plan_a, commitments):
    login(client, assessor_b)
    before = plan_state()
    gets = [
        plan_url(),
        reverse("reports:plan_build", args=["alpha"]),
        reverse("reports:plan_action_new", args=["alpha"]),
        reverse("reports:plan_action_edit", args=["alpha", plan_a.pk]),
        reverse("reports:plan_export", args=["alpha", "csv"]),
        reverse("reports:plan_export", args=["alpha", "xlsx"]),
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url, data in _writes(plan_a, commitments, assessor_b.pk):
        assert client.post(url, data).status_code == 404, url
    assert plan_state() == before


def test_an_action_of_another_organization_is_404_through_ones_own_url(
    client, assessor_b, org_b, plan_a, commitments
):
    """Bob edits through bravo's URL with alpha's action id: not found, nothing changed."""
    login(client, assessor_b)
    before = plan_state()
    for name in ("plan_action_edit", "plan_action_note", "plan_action_status"):
        url = reverse(f"reports:{name}", args=["bravo", plan_a.pk])
        assert (
            client.post(
                url, {"status": "done", "text": "x", "title": "x", "commitment": commitments["fair"].pk}
            ).status_code
            == 404
        )
    assert client.get(reverse("reports:plan_action_edit", args=["bravo", plan_a.pk])).status_code == 404
    assert plan_state() == before


def test_org_admin_edits(client, admin_a, plan_a):
    response = login(client, admin_a).post(
        reverse("reports:plan_action_status", args=["alpha", plan_a.pk]), {"status": "in_progress"}
    )
    assert response.status_code == 302
    plan_a.refresh_from_db()
    assert plan_a.status == "in_progress"


@pytest.mark.parametrize("who", ["assessor_a", "executive_a"])
def test_nam_plans_is_staff_only(client, request, who, field):
    login(client, request.getfixturevalue(who))
    assert client.get(reverse("reports:nam_plans")).status_code == 403
    assert client.get(reverse("reports:nam_plans_export")).status_code == 403
    assert AuditEvent.objects.filter(kind="export").count() == 0


def test_anonymous_is_sent_to_sign_in(client, plan_a):
    response = client.get(plan_url())
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/orgs/alpha/plan/"


# ---------------------------------------------------------------------------------------------------------
# No N+1


def _many_actions(org, cycle, commitments, indicators, owners, size):
    slugs = list(commitments)
    for i in range(size):
        commitment = commitments[slugs[i % 10]]
        action = f.ImprovementActionFactory(
            organization=org,
            cycle=cycle,
            commitment=commitment,
            owner=owners[i % len(owners)],
            due_date=TODAY + datetime.timedelta(days=i - 5),
            status=["planned", "in_progress", "done"][i % 3],
            indicators=[indicators[f"{f.COMMITMENT_NAMES[i % 10][2]}-1"]],
        )
        f.ActionNoteFactory(action=action, author=owners[0])
        CommitmentTarget.objects.get_or_create(
            organization=org, cycle=cycle, commitment=commitment, defaults={"target_level": 4}
        )


@pytest.mark.parametrize("size", [3, 30])
@pytest.mark.parametrize("who", ["assessor_a", "executive_a"])
def test_plan_page_query_count(
    client,
    request,
    who,
    size,
    org_a,
    cycle,
    commitments,
    indicators,
    results,
    assessor_a,
    admin_a,
    django_assert_num_queries,
):
    _many_actions(org_a, cycle, commitments, indicators, [assessor_a, admin_a], size)
    login(client, request.getfixturevalue(who))
    client.get(plan_url())  # the session is warm
    with django_assert_num_queries(PLAN_PAGE_QUERIES[who]):
        response = client.get(plan_url())
    assert response.status_code == 200


# 16: the user comes with the NAM staff flag (assessments.backends) and a member's organization with the
# memberships (permissions.organization_for).
PLAN_PAGE_QUERIES = {"assessor_a": 16, "executive_a": 16}


@pytest.mark.parametrize("size", [3, 30])
def test_plan_export_query_count(
    client,
    size,
    org_a,
    cycle,
    commitments,
    indicators,
    results,
    assessor_a,
    admin_a,
    django_assert_num_queries,
):
    _many_actions(org_a, cycle, commitments, indicators, [assessor_a, admin_a], size)
    login(client, assessor_a)
    with django_assert_num_queries(12):  # no NAM staff query, no organization query of its own
        response = client.get(reverse("reports:plan_export", args=["alpha", "csv"]))
    assert response.content.decode("utf-8-sig").count("\n") == size + 1


@pytest.mark.parametrize("size", [3, 30])
def test_nam_plans_query_count(
    client, nam_staff, cycle, rubric, commitments, size, django_assert_num_queries
):
    cycle_2027 = f.AssessmentCycleFactory(name="2027", rubric=rubric)
    for _ in range(size):
        org = f.OrganizationFactory()
        f.answer_all(f.AssessmentFactory(organization=org, cycle=cycle_2027), 3, status=SUBMITTED)
        f.CommitmentTargetFactory(
            organization=org, cycle=cycle, commitment=commitments["fair"], target_level=3
        )
        f.ImprovementActionFactory(
            organization=org, cycle=cycle, commitment=commitments["fair"], status="done"
        )
    login(client, nam_staff)
    client.get(reverse("reports:nam_plans"))
    with django_assert_num_queries(13):  # the NAM staff flag comes with the user
        response = client.get(reverse("reports:nam_plans") + "?cycle=2026")
    assert "<li>Fair: 100.0% done" in text(response)


def test_build_says_when_peers_are_too_few(client, assessor_a, cycle, org_a):
    f.answer_all(
        f.AssessmentFactory(organization=org_a, cycle=cycle), levels({"fair": [1, 1, 1]}), status=SUBMITTED
    )
    page = squashed(
        login(client, assessor_a).get(reverse("reports:plan_build", args=["alpha"]) + "?cycle=2026")
    )
    assert "Too few organizations in this peer group to show a peer median." in page
    assert "your own overall mean (2.80)" in page
    assert (
        "Your score <strong>1.00</strong> (1 Initial) · your overall mean 2.80 · <strong>1.80 below</strong>"
        in page
    )


def test_build_without_results_says_what_to_do(client, assessor_a, cycle, org_a):
    f.AssessmentFactory(organization=org_a, cycle=cycle)  # a draft
    page = squashed(
        login(client, assessor_a).get(reverse("reports:plan_build", args=["alpha"]) + "?cycle=2026")
    )
    assert "There are no submitted results for 2026 yet. Submit the assessment first" in page


def test_empty_target_removes_it(client, assessor_a, results, org_a, cycle, commitments):
    f.CommitmentTargetFactory(organization=org_a, cycle=cycle, commitment=commitments["fair"], target_level=2)
    response = login(client, assessor_a).post(
        reverse("reports:plan_target", args=["alpha"]),
        {"cycle": "2026", "commitment": commitments["fair"].pk, "target_level": ""},
    )
    assert response["Location"] == plan_url(cycle="2026") + "#fair"
    assert CommitmentTarget.objects.count() == 0


def test_unknown_cycle_is_404(client, assessor_a, results):
    assert login(client, assessor_a).get(plan_url(cycle="1999")).status_code == 404


def test_next_must_stay_on_the_site(client, assessor_a, results, commitments):
    response = login(client, assessor_a).post(
        reverse("reports:plan_target", args=["alpha"]),
        {
            "cycle": "2026",
            "commitment": commitments["fair"].pk,
            "target_level": "2",
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == plan_url(cycle="2026") + "#fair"
