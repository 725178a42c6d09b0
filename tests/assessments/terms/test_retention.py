"""Scheduled deletions: a withdrawn organization's data after WITHDRAWAL_RETENTION_DAYS; audit events and
answer history past their retention (with manage.py prune_retention --dry-run)."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from assessments.models import Assessment, AuditEvent, Membership, Organization, Response, ResponseChange
from assessments.terms.models import DeletionRecord, Withdrawal
from assessments.terms.retention import withdrawn_organizations_delete
from assessments.terms.services import terms_accept, withdrawal_confirm, withdrawal_request
from assessments.terms.tasks import delete_withdrawn_organizations, prune_retention
from reports.models import ReleasedResult, Scorecard
from reports.plans.models import ImprovementAction
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_task_names():
    assert delete_withdrawn_organizations.name == "assessments.delete_withdrawn_organizations"
    assert prune_retention.name == "assessments.prune_retention"


@pytest.fixture
def withdrawn_a(terms, cycle, org_a, org_b, admin_a, assessor_a, assessor_b, nam_staff):
    """Alpha with an answered assessment, its history, a plan action and a stored scorecard; withdrawn."""
    assessment = f.answer_all(f.AssessmentFactory(organization=org_a, cycle=cycle), 3, status="submitted")
    response = assessment.responses.first()
    ResponseChange.objects.create(
        response=response, changed_by=assessor_a, version=2, new_values={"level": 3}
    )
    f.answer_all(f.AssessmentFactory(organization=org_b, cycle=cycle), 2)
    terms_accept(organization=org_a, terms=terms, user=admin_a)
    ImprovementAction.objects.create(
        organization=org_a, cycle=cycle, commitment=cycle.rubric.commitments.first(), title="Alpha's action"
    )
    name = default_storage.save("scorecards/alpha.pdf", ContentFile(b"%PDF-1.7\n%%EOF\n"))
    Scorecard.objects.create(assessment=assessment, inputs_hash="a" * 64, status="ready", file=name)
    withdrawal = withdrawal_request(organization=org_a, user=admin_a)
    withdrawal_confirm(withdrawal=withdrawal, user=nam_staff)
    return withdrawal


def _age(withdrawal, days):
    Withdrawal.objects.filter(pk=withdrawal.pk).update(
        confirmed_at=timezone.now() - datetime.timedelta(days=days)
    )


def test_nothing_is_deleted_before_the_retention_period(withdrawn_a, settings):
    settings.WITHDRAWAL_RETENTION_DAYS = 90
    _age(withdrawn_a, 89)
    assert withdrawn_organizations_delete() == []
    assert Organization.objects.filter(slug="alpha").exists()
    assert DeletionRecord.objects.count() == 0


def test_a_withdrawn_organization_is_deleted_after_the_retention_period_and_recorded(
    withdrawn_a, org_a, org_b, settings, django_capture_on_commit_callbacks
):
    settings.WITHDRAWAL_RETENTION_DAYS = 90
    _age(withdrawn_a, 91)
    org_a_id = org_a.pk
    with django_capture_on_commit_callbacks(execute=True):
        [record] = withdrawn_organizations_delete()
    assert (record.reason, record.organization_ref, record.organization_name) == (
        "withdrawal",
        org_a_id,
        "Alpha Regional Hospital",
    )
    assert record.counts == {
        "assessments.Assessment": 1,
        "assessments.Membership": 2,
        "assessments.Organization": 1,
        "assessments.Response": 30,
        "assessments.ResponseChange": 1,
        "assessments.TermsAcceptance": 1,
        "reports.ImprovementAction": 1,
        "reports.Scorecard": 1,
    }
    assert not Organization.objects.filter(pk=org_a_id).exists()
    assert not default_storage.exists("scorecards/alpha.pdf")
    withdrawal = Withdrawal.objects.get()
    assert (withdrawal.organization_id, withdrawal.organization_ref) == (None, org_a_id)
    assert withdrawal.data_deleted_at is not None
    # Nothing else is lost: Bravo's assessment and people stay; a second run deletes nothing more.
    assert Assessment.objects.filter(organization=org_b).count() == 1
    assert Response.objects.filter(assessment__organization=org_b).count() == 30
    assert Membership.objects.filter(organization=org_b).count() == 1
    assert withdrawn_organizations_delete() == []
    assert DeletionRecord.objects.count() == 1


def test_published_releases_keep_a_deleted_organizations_result(withdrawn_a, org_a, cycle, settings):
    # A release published before the withdrawal holds Alpha's result; it keeps it after the deletion (plain
    # organization ids, no foreign key): published releases stay as published.
    from reports.models import BenchmarkRelease

    release = BenchmarkRelease.objects.create(
        cycle=cycle,
        number=1,
        inclusion="submitted",
        published_at=timezone.now(),
        n_organizations=1,
        n_added=1,
        n_changed=0,
        n_withdrawn=0,
    )
    ReleasedResult.objects.create(
        release=release,
        organization_id=org_a.pk,
        validated=False,
        org_type="hospital",
        size_band="lt100",
        region="south",
        ownership="nonprofit",
        is_teaching=False,
        is_rural=False,
        scores={"overall": 3.0},
    )
    _age(withdrawn_a, 365)
    withdrawn_organizations_delete()
    assert list(ReleasedResult.objects.values_list("organization_id", "scores")) == [
        (org_a.pk, {"overall": 3.0})
    ]


def _event(days_ago, kind="login_success", label="old.user"):
    event = AuditEvent.objects.create(kind=kind, actor_label=label)
    AuditEvent._base_manager.filter(pk=event.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=days_ago)
    )
    return event.pk


def test_prune_retention_dry_run_lists_and_deletes_nothing_then_prunes(cycle, org_a, settings, capsys):
    settings.AUDIT_RETENTION_DAYS = 365
    settings.RESPONSE_HISTORY_RETENTION_DAYS = 730
    old_event, _new_event = _event(400), _event(10)
    response = f.ResponseFactory(assessment=f.AssessmentFactory(organization=org_a, cycle=cycle))
    old = ResponseChange.objects.create(
        response=response, version=1, changed_at=timezone.now() - datetime.timedelta(days=800)
    )
    kept = ResponseChange.objects.create(
        response=response, version=2, changed_at=timezone.now() - datetime.timedelta(days=700)
    )
    call_command("prune_retention", "--dry-run")
    out = capsys.readouterr().out
    assert "Dry run: nothing is deleted." in out
    assert "Audit events before" in out and ": 1 would be deleted" in out
    assert f"  #{old_event} " in out and "Sign-in old.user" in out
    assert f"  #{old.pk} " in out and f"change v1 of answer {response.pk}" in out
    assert f"#{kept.pk} " not in out
    assert AuditEvent.objects.count() == 2 and ResponseChange.objects.count() == 2
    assert DeletionRecord.objects.count() == 0

    call_command("prune_retention")
    out = capsys.readouterr().out
    assert "assessments.AuditEvent: 1 deleted" in out
    assert "assessments.ResponseChange: 1 deleted" in out
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [_new_event]
    assert list(ResponseChange.objects.values_list("pk", flat=True)) == [kept.pk]
    record = DeletionRecord.objects.get()
    assert (record.reason, record.counts) == (
        "retention",
        {"assessments.AuditEvent": 1, "assessments.ResponseChange": 1},
    )
