import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from commitments.models import Indicator
from reports.plans import services
from reports.plans.models import ActionNote, CommitmentTarget, ImprovementAction
from reports.plans.suggestions import CommitmentSuggestion, IndicatorSuggestion
from tests import factories as f

pytestmark = pytest.mark.django_db


def _commitment(cycle, slug):
    return cycle.rubric.commitments.get(slug=slug)


def _indicator(cycle, code):
    return Indicator.objects.of_rubric(cycle.rubric).get(code=code)


def test_target_set_creates_then_updates_then_removes(cycle, org_a, assessor_a):
    engaged = _commitment(cycle, "engaged")
    target = services.target_set(
        organization=org_a, cycle=cycle, commitment=engaged, target_level=Decimal("3.5"), user=assessor_a
    )
    assert (target.organization, target.cycle, target.commitment) == (org_a, cycle, engaged)
    assert target.target_level == Decimal("3.50")
    assert target.updated_by == assessor_a

    services.target_set(
        organization=org_a, cycle=cycle, commitment=engaged, target_level=Decimal("4"), user=assessor_a
    )
    assert list(CommitmentTarget.objects.values_list("target_level", flat=True)) == [Decimal("4.00")]

    assert (
        services.target_set(
            organization=org_a, cycle=cycle, commitment=engaged, target_level=None, user=assessor_a
        )
        is None
    )
    assert CommitmentTarget.objects.count() == 0


@pytest.mark.parametrize("level", [Decimal("0.99"), Decimal("5.01"), Decimal("-1")])
def test_target_out_of_range_is_refused(cycle, org_a, assessor_a, level):
    with pytest.raises(ValidationError) as error:
        services.target_set(
            organization=org_a,
            cycle=cycle,
            commitment=_commitment(cycle, "safe"),
            target_level=level,
            user=assessor_a,
        )
    assert error.value.message_dict == {"target_level": ["A target is a level from 1.00 to 5.00."]}
    assert CommitmentTarget.objects.count() == 0


def test_target_of_a_commitment_of_another_rubric_is_refused(cycle, org_a, assessor_a):
    other = f.build_rubric("2027.1")
    with pytest.raises(ValidationError) as error:
        services.target_set(
            organization=org_a,
            cycle=cycle,
            commitment=other.commitments.get(slug="safe"),
            target_level=Decimal(3),
            user=assessor_a,
        )
    assert error.value.message_dict == {
        "commitment": ["That commitment is not part of the rubric of cycle 2026."]
    }
    assert CommitmentTarget.objects.count() == 0


def test_action_create_with_owner_and_indicators(cycle, org_a, assessor_a, executive_a):
    action = services.action_create(
        organization=org_a,
        cycle=cycle,
        commitment=_commitment(cycle, "fair"),
        title="  Stratify readmissions by race and language  ",
        description="Monthly report to the quality committee.",
        owner=executive_a,
        due_date=datetime.date(2026, 6, 30),
        indicators=[_indicator(cycle, "FAI-1"), _indicator(cycle, "FAI-3")],
        user=assessor_a,
    )
    action.refresh_from_db()
    assert action.organization == org_a
    assert action.title == "Stratify readmissions by race and language"
    assert action.owner == executive_a
    assert action.status == "planned"
    assert sorted(action.indicators.values_list("code", flat=True)) == ["FAI-1", "FAI-3"]


def test_action_owner_must_be_a_member(cycle, org_a, assessor_a, assessor_b):
    with pytest.raises(ValidationError) as error:
        services.action_create(
            organization=org_a,
            cycle=cycle,
            commitment=_commitment(cycle, "fair"),
            title="Anything",
            owner=assessor_b,
            user=assessor_a,
        )
    assert error.value.message_dict == {"owner": ["The owner must be a member of Alpha Regional Hospital."]}
    assert ImprovementAction.objects.count() == 0


def test_action_indicators_must_belong_to_the_commitment(cycle, org_a, assessor_a):
    with pytest.raises(ValidationError) as error:
        services.action_create(
            organization=org_a,
            cycle=cycle,
            commitment=_commitment(cycle, "fair"),
            title="Anything",
            indicators=[_indicator(cycle, "FAI-1"), _indicator(cycle, "SAF-2")],
            user=assessor_a,
        )
    assert error.value.message_dict == {
        "indicators": ["Choose indicators of the commitment Fair only (not SAF-2)."]
    }
    assert ImprovementAction.objects.count() == 0


@pytest.mark.parametrize(
    ("title", "message"),
    [("   ", "Give the action a short title."), ("x" * 201, "Keep the title to 200 characters or fewer.")],
)
def test_action_title_is_checked(cycle, org_a, assessor_a, title, message):
    with pytest.raises(ValidationError) as error:
        services.action_create(
            organization=org_a,
            cycle=cycle,
            commitment=_commitment(cycle, "fair"),
            title=title,
            user=assessor_a,
        )
    assert error.value.message_dict == {"title": [message]}


def test_action_update_notes_a_status_change(cycle, org_a, assessor_a, admin_a):
    action = f.ImprovementActionFactory(organization=org_a, cycle=cycle, title="Old title")
    services.action_update(
        organization=org_a,
        action=action,
        user=assessor_a,
        commitment=_commitment(cycle, "safe"),
        title="New title",
        description="Why",
        owner=admin_a,
        due_date=datetime.date(2026, 9, 1),
        indicators=[_indicator(cycle, "SAF-2")],
        status="in_progress",
    )
    action.refresh_from_db()
    assert (action.title, action.commitment.slug, action.owner, action.status) == (
        "New title",
        "safe",
        admin_a,
        "in_progress",
    )
    assert list(action.indicators.values_list("code", flat=True)) == ["SAF-2"]
    assert list(action.notes.values_list("text", "author")) == [
        ("Status changed from Planned to In progress.", assessor_a.pk)
    ]


def test_action_of_another_organization_is_refused(cycle, org_a, org_b, assessor_a):
    action = f.ImprovementActionFactory(organization=org_b, cycle=cycle, title="Bravo's")
    with pytest.raises(ValidationError):
        services.action_set_status(organization=org_a, action=action, status="done", user=assessor_a)
    with pytest.raises(ValidationError):
        services.note_add(organization=org_a, action=action, text="sneaky", user=assessor_a)
    action.refresh_from_db()
    assert action.status == "planned"
    assert ActionNote.objects.count() == 0


def test_action_set_status_with_comment(cycle, org_a, assessor_a):
    action = f.ImprovementActionFactory(organization=org_a, cycle=cycle)
    services.action_set_status(
        organization=org_a, action=action, status="done", user=assessor_a, comment="Charter approved."
    )
    action.refresh_from_db()
    assert action.status == "done"
    assert list(action.notes.values_list("text", flat=True)) == [
        "Status changed from Planned to Done. Charter approved."
    ]
    # The same status again only records the comment, if any.
    services.action_set_status(organization=org_a, action=action, status="done", user=assessor_a)
    assert action.notes.count() == 1


def test_action_set_status_refuses_an_unknown_status(cycle, org_a, assessor_a):
    action = f.ImprovementActionFactory(organization=org_a, cycle=cycle)
    with pytest.raises(ValidationError):
        services.action_set_status(organization=org_a, action=action, status="finished", user=assessor_a)
    action.refresh_from_db()
    assert action.status == "planned"


def test_note_add(cycle, org_a, assessor_a):
    action = f.ImprovementActionFactory(organization=org_a, cycle=cycle)
    note = services.note_add(
        organization=org_a, action=action, text=" Draft charter circulated. ", user=assessor_a
    )
    assert (note.text, note.noted_on, note.author) == (
        "Draft charter circulated.",
        timezone.localdate(),
        assessor_a,
    )


@pytest.mark.parametrize(
    ("text", "noted_on", "errors"),
    [
        ("", None, {"text": ["Write what happened."]}),
        ("x" * 2001, None, {"text": ["Keep a note to 2000 characters or fewer."]}),
        (
            "ok",
            timezone.localdate() + datetime.timedelta(days=1),
            {"noted_on": ["A progress note cannot be dated in the future."]},
        ),
    ],
)
def test_note_add_refuses_bad_input(cycle, org_a, assessor_a, text, noted_on, errors):
    action = f.ImprovementActionFactory(organization=org_a, cycle=cycle)
    with pytest.raises(ValidationError) as error:
        services.note_add(organization=org_a, action=action, text=text, noted_on=noted_on, user=assessor_a)
    assert error.value.message_dict == errors
    assert ActionNote.objects.count() == 0


def _suggestion(commitment, target, *, indicators=()) -> CommitmentSuggestion:
    """What plans.suggestions gives for a commitment ticked on the build page (what the service reads)."""
    return CommitmentSuggestion(
        commitment_id=commitment.pk,
        slug=commitment.slug,
        name=commitment.name,
        order=commitment.order,
        score=None,
        reference=None,
        gap=None,
        suggested_target=target,
        current_target=None,
        actions_in_plan=0,
        indicators=list(indicators),
    )


def _indicator_at_level_1(indicator, *, next_descriptor) -> IndicatorSuggestion:
    return IndicatorSuggestion(
        indicator_id=indicator.pk,
        code=indicator.code,
        title=indicator.title,
        current_level=1,
        not_applicable=False,
        next_level=2,
        next_descriptor=next_descriptor,
        in_plan=False,
    )


def test_plan_start_from_suggestions_keeps_what_exists(cycle, org_a, assessor_a):
    fair, safe = _commitment(cycle, "fair"), _commitment(cycle, "safe")
    f.CommitmentTargetFactory(organization=org_a, cycle=cycle, commitment=safe, target_level=Decimal("4.50"))
    f.ImprovementActionFactory(
        organization=org_a, cycle=cycle, commitment=fair, title="FAI-1: reach level 2 Developing"
    )
    suggestions = [
        _suggestion(
            fair,
            Decimal("2.00"),
            indicators=[
                _indicator_at_level_1(_indicator(cycle, "FAI-1"), next_descriptor=""),
                _indicator_at_level_1(_indicator(cycle, "FAI-2"), next_descriptor="D2"),
            ],
        ),
        _suggestion(safe, Decimal("4.00")),
    ]
    assert [i.suggested_title for i in suggestions[0].actions_to_add] == [
        "FAI-1: reach level 2 Developing",
        "FAI-2: reach level 2 Developing",
    ]
    result = services.plan_start_from_suggestions(
        organization=org_a, cycle=cycle, user=assessor_a, suggestions=suggestions
    )
    assert result == services.PlanStartResult(targets_set=1, actions_created=1, skipped_existing_targets=1)
    assert dict(CommitmentTarget.objects.values_list("commitment__slug", "target_level")) == {
        "fair": Decimal("2.00"),
        "safe": Decimal("4.50"),
    }
    created = ImprovementAction.objects.get(title="FAI-2: reach level 2 Developing")
    assert (created.organization, created.description, created.status) == (org_a, "D2", "planned")
    assert list(created.indicators.values_list("code", flat=True)) == ["FAI-2"]
    assert ImprovementAction.objects.count() == 2
