import datetime
import os

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from assessments.models import Assessment, AssessmentCycle, Response, ResponseChange, Role
from assessments.review.selectors import answers_sha256
from assessments.services import workflow as services
from assessments.services.workflow import Answer
from commitments.models import Indicator, Rubric
from tests import factories as f
from tests.assessments.review.helpers import executive_of, submit_attested

pytestmark = pytest.mark.django_db


def indicator(rubric, code) -> Indicator:
    return Indicator.objects.get(commitment__rubric=rubric, code=code)


@pytest.fixture
def draft(cycle, org_a):
    return f.AssessmentFactory(organization=org_a, cycle=cycle)


def rows(assessment):
    return sorted(
        Response.objects.filter(assessment=assessment).values_list(
            "indicator__code",
            "level",
            "not_applicable",
            "na_justification",
            "evidence_summary",
            "evidence_links",
            "version",
        )
    )


# ---------------------------------------------------------------------------------------------------------
# Starting


def test_get_or_start_creates_one_draft(cycle, org_a, assessor_a):
    first, created = services.assessment_get_or_start(organization=org_a, cycle=cycle, user=assessor_a)
    again, created_again = services.assessment_get_or_start(organization=org_a, cycle=cycle, user=assessor_a)
    assert (created, created_again, first.pk == again.pk, first.status) == (True, False, True, "draft")
    assert Assessment.objects.count() == 1


def test_get_or_start_refuses_a_cycle_that_is_not_open(rubric, org_a, assessor_a):
    upcoming = f.AssessmentCycleFactory(name="2027", rubric=rubric, status=AssessmentCycle.Status.UPCOMING)
    with pytest.raises(services.NotEditable, match="not open"):
        services.assessment_get_or_start(organization=org_a, cycle=upcoming, user=assessor_a)
    assert Assessment.objects.count() == 0


# ---------------------------------------------------------------------------------------------------------
# Saving answers


def test_save_writes_changed_fields_and_history(draft, rubric, assessor_a):
    eng1, eng2 = indicator(rubric, "ENG-1"), indicator(rubric, "ENG-2")
    result = services.responses_save(
        assessment=draft,
        user=assessor_a,
        answers=[
            Answer(indicator_id=eng1.pk, level=3, evidence_summary="  Policy P-12  ", version=0),
            Answer(indicator_id=eng2.pk, version=0),  # empty: nothing to store
        ],
    )
    assert result.changed == [eng1.pk] and result.conflicts == []
    assert rows(draft) == [("ENG-1", 3, False, "", "Policy P-12", "", 1)]
    change = ResponseChange.objects.get()
    assert (change.version, change.changed_by, change.old_values, change.new_values) == (
        1,
        assessor_a,
        {"level": None, "evidence_summary": ""},
        {"level": 3, "evidence_summary": "Policy P-12"},
    )

    services.responses_save(
        assessment=draft,
        user=assessor_a,
        answers=[
            Answer(
                indicator_id=eng1.pk,
                not_applicable=True,
                na_justification="We run no inpatient wards at all.",
                evidence_summary="Policy P-12",
                evidence_links="https://example.org/a\n\n  http://example.org/b ",
                version=1,
            )
        ],
    )
    assert rows(draft) == [
        (
            "ENG-1",
            None,
            True,
            "We run no inpatient wards at all.",
            "Policy P-12",
            "https://example.org/a\nhttp://example.org/b",
            2,
        )
    ]
    latest = ResponseChange.objects.order_by("-version").first()
    assert (latest.version, latest.old_values, latest.new_values) == (
        2,
        {"level": 3, "not_applicable": False, "na_justification": "", "evidence_links": ""},
        {
            "level": None,
            "not_applicable": True,
            "na_justification": "We run no inpatient wards at all.",
            "evidence_links": "https://example.org/a\nhttp://example.org/b",
        },
    )


def test_saving_the_same_values_changes_nothing(draft, rubric, assessor_a):
    eng1 = indicator(rubric, "ENG-1")
    services.responses_save(assessment=draft, user=assessor_a, answers=[Answer(eng1.pk, level=2, version=0)])
    result = services.responses_save(
        assessment=draft, user=assessor_a, answers=[Answer(eng1.pk, level=2, version=1)]
    )
    assert result.changed == []
    assert rows(draft) == [("ENG-1", 2, False, "", "", "", 1)]
    assert ResponseChange.objects.count() == 1


def test_a_stale_answer_is_not_written_and_comes_back_as_a_conflict(draft, rubric, org_a, assessor_a):
    bob = f.MembershipFactory(
        organization=org_a, role=Role.ASSESSOR, user=f.UserFactory(username="carol")
    ).user
    eng1, eng2 = indicator(rubric, "ENG-1"), indicator(rubric, "ENG-2")
    # Both loaded the page with nothing saved (version 0); carol saves first.
    services.responses_save(assessment=draft, user=bob, answers=[Answer(eng1.pk, level=2, version=0)])
    result = services.responses_save(
        assessment=draft,
        user=assessor_a,
        answers=[Answer(eng1.pk, level=4, version=0), Answer(eng2.pk, level=1, version=0)],
    )
    assert result.changed == [eng2.pk]
    [conflict] = result.conflicts
    assert (conflict.indicator, conflict.mine_label, conflict.theirs_label, conflict.theirs.updated_by) == (
        eng1,
        "4 Managed",
        "2 Developing",
        bob,
    )
    assert rows(draft) == [("ENG-1", 2, False, "", "", "", 1), ("ENG-2", 1, False, "", "", "", 1)]
    # "Keep mine": the same answer at the version now stored.
    services.responses_save(assessment=draft, user=assessor_a, answers=[Answer(eng1.pk, level=4, version=1)])
    assert rows(draft)[0] == ("ENG-1", 4, False, "", "", "", 2)


def test_a_stale_answer_equal_to_the_stored_one_is_no_conflict(draft, rubric, assessor_a, admin_a):
    eng1 = indicator(rubric, "ENG-1")
    services.responses_save(assessment=draft, user=admin_a, answers=[Answer(eng1.pk, level=2, version=0)])
    result = services.responses_save(
        assessment=draft, user=assessor_a, answers=[Answer(eng1.pk, level=2, version=0)]
    )
    assert (result.changed, result.conflicts) == ([], [])


@pytest.mark.parametrize(
    ("answer_kwargs", "message"),
    [
        ({"level": 7}, "between 1 and 5"),
        ({"level": 0}, "between 1 and 5"),
        ({"level": 2, "not_applicable": True, "na_justification": "x" * 30}, "not both"),
        ({"not_applicable": True, "na_justification": "   "}, "does not apply"),
        ({"level": 3, "evidence_summary": "x" * 4001}, "longer than 4000"),
        ({"level": 3, "evidence_links": "ftp://example.org/file"}, "http:// or https://"),
        ({"level": 3, "evidence_links": "not a link"}, "http:// or https://"),
        ({"level": 3, "evidence_links": "\n".join(f"https://e.org/{i}" for i in range(11))}, "at most 10"),
    ],
)
def test_bad_answers_change_nothing(draft, rubric, assessor_a, answer_kwargs, message):
    eng1, eng2 = indicator(rubric, "ENG-1"), indicator(rubric, "ENG-2")
    services.responses_save(assessment=draft, user=assessor_a, answers=[Answer(eng2.pk, level=1, version=0)])
    before = (rows(draft), ResponseChange.objects.count())
    with pytest.raises(ValidationError, match=message):
        services.responses_save(
            assessment=draft,
            user=assessor_a,
            # A good answer first: it must not be written either.
            answers=[Answer(eng2.pk, level=5, version=1), Answer(eng1.pk, version=0, **answer_kwargs)],
        )
    assert (rows(draft), ResponseChange.objects.count()) == before


def test_an_indicator_of_another_rubric_is_refused(draft, assessor_a):
    other = f.build_rubric("2099.1")
    with pytest.raises(ValidationError, match="not part of this assessment's rubric"):
        services.responses_save(
            assessment=draft, user=assessor_a, answers=[Answer(indicator(other, "ENG-1").pk, level=3)]
        )
    assert Response.objects.count() == 0


def test_the_same_indicator_twice_is_refused(draft, rubric, assessor_a):
    eng1 = indicator(rubric, "ENG-1")
    with pytest.raises(ValidationError, match="twice"):
        services.responses_save(
            assessment=draft, user=assessor_a, answers=[Answer(eng1.pk, level=3), Answer(eng1.pk, level=4)]
        )
    assert Response.objects.count() == 0


@pytest.mark.parametrize("status", ["submitted", "validated"])
def test_a_submitted_or_validated_assessment_cannot_change(draft, rubric, assessor_a, status):
    draft.status = status
    draft.save()
    with pytest.raises(services.NotEditable, match=f"is {status}"):
        services.responses_save(
            assessment=draft, user=assessor_a, answers=[Answer(indicator(rubric, "ENG-1").pk, level=3)]
        )
    assert Response.objects.count() == 0


def test_a_closed_cycle_cannot_change(draft, cycle, rubric, assessor_a):
    cycle.status = AssessmentCycle.Status.CLOSED
    cycle.save()
    with pytest.raises(services.NotEditable, match="cycle is closed"):
        services.responses_save(
            assessment=draft, user=assessor_a, answers=[Answer(indicator(rubric, "ENG-1").pk, level=3)]
        )
    assert Response.objects.count() == 0


# ---------------------------------------------------------------------------------------------------------
# Copy from last cycle


@pytest.fixture
def last_year(rubric, org_a):
    previous_cycle = f.AssessmentCycleFactory(
        name="2025", rubric=rubric, status=AssessmentCycle.Status.CLOSED
    )
    previous = f.AssessmentFactory(organization=org_a, cycle=previous_cycle)
    levels = [(i % 5) + 1 for i in range(30)]
    levels[3] = None  # SAF-1 not applicable
    f.answer_all(previous, levels, status=Assessment.Status.VALIDATED)
    Response.objects.filter(assessment=previous, indicator__code="ENG-1").update(
        evidence_summary="Board minutes", evidence_links="https://example.org/minutes"
    )
    return previous


def test_copy_previous_same_rubric(draft, last_year, rubric, assessor_a):
    assert services.assessment_copy_previous(assessment=draft, user=assessor_a) == 30
    copied = rows(draft)
    assert len(copied) == 30
    by_code = {row[0]: row for row in copied}
    assert by_code["ENG-1"] == ("ENG-1", 1, False, "", "Board minutes", "https://example.org/minutes", 1)
    assert by_code["SAF-1"] == ("SAF-1", None, True, "We provide no such service.", "", "", 1)
    change = ResponseChange.objects.get(response__assessment=draft, response__indicator__code="ENG-1")
    assert (change.old_values, change.new_values) == (
        {"level": None, "evidence_summary": "", "evidence_links": ""},
        {"level": 1, "evidence_summary": "Board minutes", "evidence_links": "https://example.org/minutes"},
    )


def test_copy_previous_follows_the_crosswalk(last_year, rubric, org_a, assessor_a):
    # A new rubric version: ENG-1 is not continued; the others continue their namesakes.
    new_rubric = f.build_rubric("2027.1", previous=rubric, publish=False)
    Indicator.objects.filter(commitment__rubric=new_rubric, code="ENG-1").update(continues=None)
    new_rubric.status = Rubric.Status.PUBLISHED
    new_rubric.save()
    f.AssessmentCycleFactory(name="2026", rubric=rubric, status=AssessmentCycle.Status.CLOSED)
    # 2026 has no submitted assessment of org A: the previous cycle of 2027 is 2026, so copy finds none.
    cycle_2027 = f.AssessmentCycleFactory(name="2027", rubric=new_rubric)
    draft = f.AssessmentFactory(organization=org_a, cycle=cycle_2027)
    with pytest.raises(ValidationError, match="no submitted assessment of the previous cycle"):
        services.assessment_copy_previous(assessment=draft, user=assessor_a)
    # Make last year's assessment the 2026 one.
    last_year.cycle = AssessmentCycle.objects.get(name="2026")
    last_year.save()
    assert services.assessment_copy_previous(assessment=draft, user=assessor_a) == 29
    copied = Response.objects.filter(assessment=draft).select_related("indicator__commitment")
    assert {r.indicator.commitment.rubric_id for r in copied} == {new_rubric.pk}
    assert not copied.filter(indicator__code="ENG-1").exists()
    assert copied.get(indicator__code="ENG-2").level == 2


def test_copy_previous_refuses_a_draft_with_answers(draft, last_year, rubric, assessor_a):
    services.responses_save(
        assessment=draft, user=assessor_a, answers=[Answer(indicator(rubric, "ENG-1").pk, level=5)]
    )
    with pytest.raises(ValidationError, match="already has answers"):
        services.assessment_copy_previous(assessment=draft, user=assessor_a)
    assert rows(draft) == [("ENG-1", 5, False, "", "", "", 1)]


# ---------------------------------------------------------------------------------------------------------
# Submit, return, validate and their e-mails


def submit(assessment, user):
    """The assessor asks for attestation, the organization's executive attests: submitted to NAM."""
    return submit_attested(assessment, user).assessment


def test_submit_complete_assessment_notifies(
    draft, assessor_a, admin_a, executive_a, settings, django_capture_on_commit_callbacks
):
    settings.NAM_NOTIFY_EMAILS = ["review@nam.example.org"]
    f.answer_all(draft, 3)
    with django_capture_on_commit_callbacks(execute=True):
        submitted = submit(draft, assessor_a)
    draft.refresh_from_db()
    attestation = draft.attestations.get()
    assert (draft.status, draft.submitted_by, attestation.executive, attestation.requested_by) == (
        "submitted",
        executive_a,
        executive_a,
        assessor_a,
    )
    assert draft.submitted_at == attestation.decided_at == submitted.submitted_at
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["erin@example.org"], "Alpha Regional Hospital: the 2026 assessment awaits your attestation"),
        (
            ["adam@example.org", "alice@example.org", "erin@example.org"],
            "Alpha Regional Hospital: 2026 assessment received",
        ),
        (["review@nam.example.org"], "New submission to review: Alpha Regional Hospital (2026)"),
    ]
    assert f"It was attested by {executive_a.get_full_name()} (executive)" in mail.outbox[1].body
    assert "http://127.0.0.1:8000/orgs/alpha/assessments/2026/" in mail.outbox[1].body
    assert f"/nam/assessments/{draft.pk}/" in mail.outbox[2].body


def test_asking_for_attestation_refuses_unanswered_and_no_executive(draft, rubric, assessor_a):
    f.answer_all(draft, 3)
    Response.objects.filter(assessment=draft, indicator__code__in=["ENG-1", "ADP-3"]).update(level=None)
    with pytest.raises(ValidationError, match="2 indicators are still unanswered"):
        services.assessment_request_attestation(assessment=draft, user=assessor_a)
    Response.objects.filter(assessment=draft).update(level=2)
    with pytest.raises(ValidationError) as error:
        services.assessment_request_attestation(assessment=draft, user=assessor_a)
    assert error.value.messages == [
        "Your organization has no executive member to attest the assessment. An organization admin adds one "
        "on the People page (/orgs/alpha/people/): invite them with the role Executive."
    ]
    draft.refresh_from_db()
    assert (draft.status, draft.submitted_at, len(mail.outbox), draft.attestations.count()) == (
        "draft",
        None,
        0,
        0,
    )


def test_double_submit_creates_one_submission(
    draft, assessor_a, admin_a, executive_a, django_capture_on_commit_callbacks
):
    f.answer_all(draft, 3)
    services.assessment_request_attestation(assessment=draft, user=assessor_a)
    with pytest.raises(services.AlreadySubmitted, match="already awaits the executive"):
        services.assessment_request_attestation(assessment=draft, user=admin_a)
    services.assessment_attest(assessment=draft, user=executive_a, answers_sha256=answers_sha256(draft))
    with pytest.raises(services.AlreadySubmitted, match="already submitted"):
        services.assessment_request_attestation(assessment=draft, user=admin_a)
    draft.refresh_from_db()
    assert (draft.status, draft.submitted_by, draft.attestations.count()) == ("submitted", executive_a, 1)


def test_return_then_resubmit_then_validate(
    draft, assessor_a, admin_a, executive_a, nam_staff, django_capture_on_commit_callbacks
):
    f.answer_all(draft, 3, status=Assessment.Status.SUBMITTED)
    with pytest.raises(ValidationError, match="Say what the organization should change"):
        services.assessment_return(assessment=draft, user=nam_staff, comment="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_return(assessment=draft, user=nam_staff, comment="ENG-2 needs evidence.")
    draft.refresh_from_db()
    assert (draft.status, draft.reviewer_comment, draft.reviewed_by) == (
        "returned",
        "ENG-2 needs evidence.",
        nam_staff,
    )
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (
            ["adam@example.org", "alice@example.org"],
            "Alpha Regional Hospital: your 2026 assessment needs changes",
        )
    ]
    assert "ENG-2 needs evidence." in mail.outbox[0].body
    with pytest.raises(services.WorkflowError, match="Only a submitted assessment"):
        services.assessment_validate(assessment=draft, user=nam_staff)

    with django_capture_on_commit_callbacks(execute=True):
        submit(draft, admin_a)
        services.assessment_validate(assessment=draft, user=nam_staff)
    draft.refresh_from_db()
    assert draft.status == "validated"
    assert [m.subject for m in mail.outbox[1:]] == [
        "Alpha Regional Hospital: the 2026 assessment awaits your attestation",
        "Alpha Regional Hospital: 2026 assessment received",
        "Alpha Regional Hospital: your 2026 assessment is validated",
    ]
    assert mail.outbox[3].to == ["adam@example.org", "alice@example.org"]


def test_only_nam_staff_review(draft, admin_a):
    f.answer_all(draft, 3, status=Assessment.Status.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.assessment_validate(assessment=draft, user=admin_a)
    draft.refresh_from_db()
    assert draft.status == "submitted"


# ---------------------------------------------------------------------------------------------------------
# Cycles


def test_cycle_create_and_status(rubric, cycle):
    created = services.cycle_create(
        name="2027 Spring",
        rubric=rubric,
        opens_on=datetime.date(2027, 1, 1),
        closes_on=datetime.date(2027, 6, 30),
    )
    assert (created.slug, created.status) == ("2027-spring", "upcoming")
    with pytest.raises(services.WorkflowError, match="Close the 2026 cycle first"):
        services.cycle_set_status(cycle=created, status="open")
    services.cycle_set_status(cycle=cycle, status="closed")
    services.cycle_set_status(cycle=created, status="open")
    assert list(AssessmentCycle.objects.order_by("name").values_list("name", "status")) == [
        ("2026", "closed"),
        ("2027 Spring", "open"),
    ]
    with pytest.raises(services.WorkflowError, match="cannot be opened"):
        services.cycle_set_status(cycle=cycle, status="open")


def test_cycle_create_rejects_bad_input(rubric, cycle):
    draft_rubric = f.build_rubric("2030.1", publish=False)
    with pytest.raises(ValidationError) as error:
        services.cycle_create(
            name="2026",
            rubric=draft_rubric,
            opens_on=datetime.date(2027, 6, 1),
            closes_on=datetime.date(2027, 1, 1),
        )
    assert error.value.message_dict == {
        "name": ["A cycle named 2026 exists already."],
        "rubric": ["A cycle is scored against a published rubric version."],
        "closes_on": ["The cycle must close on or after the day it opens."],
    }
    assert AssessmentCycle.objects.count() == 1


# ---------------------------------------------------------------------------------------------------------
# Real concurrency (PostgreSQL): the row locks serialize two requests that arrive together


def _in_threads(*calls):
    """Run the calls at the same moment, each in its own thread and database connection."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            outcomes[i] = call()
        except Exception as error:  # the outcome is what the test compares
            outcomes[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


postgres_only = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="SQLite has no row locks (it serializes writers itself); this checks the PostgreSQL locking",
)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submits_make_one_submission(cycle, org_a, assessor_a, admin_a):
    draft = f.AssessmentFactory(organization=org_a, cycle=cycle)
    f.answer_all(draft, 3)
    executive_of(org_a)

    def ask(user):
        return services.assessment_request_attestation(assessment=draft, user=user)

    outcomes = _in_threads(lambda: ask(assessor_a), lambda: ask(admin_a))
    kinds = sorted(type(outcome).__name__ for outcome in outcomes)
    assert kinds == ["AlreadySubmitted", "Attestation"]
    draft.refresh_from_db()
    assert draft.status == "attesting" and draft.attestations.get().requested_by in (assessor_a, admin_a)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_first_saves_make_one_answer_and_one_conflict(cycle, org_a, assessor_a, admin_a):
    draft = f.AssessmentFactory(organization=org_a, cycle=cycle)
    eng1 = indicator(cycle.rubric, "ENG-1")

    def save(user, level):
        return services.responses_save(
            assessment=draft, user=user, answers=[Answer(eng1.pk, level=level, version=0)]
        )

    first, second = _in_threads(lambda: save(assessor_a, 2), lambda: save(admin_a, 4))
    assert sorted((len(first.changed), len(first.conflicts), len(second.changed), len(second.conflicts))) == [
        0,
        0,
        1,
        1,
    ]
    [stored] = Response.objects.filter(assessment=draft)
    assert stored.version == 1 and stored.level in (2, 4)
    assert ResponseChange.objects.count() == 1
