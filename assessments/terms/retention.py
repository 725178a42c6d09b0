"""Scheduled deletions: a withdrawn organization's data after the retention period in the terms, and, for
everyone, audit events and answer history older than their retention settings. Each run records what it
deleted (DeletionRecord)."""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db import router, transaction
from django.db.models import FileField
from django.db.models.deletion import Collector
from django.utils import timezone

from ..models import Assessment, AuditEvent, Organization, ResponseChange
from .models import DeletionRecord, Withdrawal


def _files_of(collector: Collector) -> list:
    """(storage, name) of every stored file the collected rows point to: a PDF or archive of a deleted
    organization must go with its row."""
    files = []

    def add(model, objects):
        file_fields = [f for f in model._meta.concrete_fields if isinstance(f, FileField)]
        for obj in objects if file_fields else ():
            for f in file_fields:
                value = getattr(obj, f.attname)
                if value:
                    files.append((f.storage, getattr(value, "name", value)))

    for model, instances in collector.data.items():
        add(model, instances)
    for queryset in collector.fast_deletes:
        add(queryset.model, queryset)
    return files


def _delete_with_files(objects) -> Counter:
    objects = list(objects)
    if not objects:
        return Counter()
    collector = Collector(using=router.db_for_write(type(objects[0])), origin=objects[0])
    collector.collect(objects)
    files = _files_of(collector)
    _total, counts = collector.delete()

    def remove_files():
        for storage, name in files:
            storage.delete(name)

    transaction.on_commit(remove_files)
    return Counter({label: n for label, n in counts.items() if n})


def withdrawals_due(now: datetime.datetime | None = None):
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.WITHDRAWAL_RETENTION_DAYS)
    return Withdrawal.objects.filter(
        confirmed_at__isnull=False, confirmed_at__lte=cutoff, data_deleted_at__isnull=True
    ).exclude(organization__isnull=True)


@transaction.atomic
def withdrawn_organization_delete(*, withdrawal_id: int) -> DeletionRecord | None:
    """Delete everything identified of a withdrawn organization (assessments with their answers and history,
    scorecards, plans, members, invitations, archives, the organization itself) and record what went.
    Released results keep their plain organization ids: published releases stay as published."""
    withdrawal = Withdrawal.objects.select_for_update().filter(pk=withdrawal_id).first()
    if withdrawal is None or withdrawal.data_deleted_at or withdrawal.organization_id is None:
        return None
    organization = Organization.objects.get(pk=withdrawal.organization_id)
    counts = _delete_with_files(Assessment.objects.filter(organization=organization))
    counts += _delete_with_files([organization])
    counts.pop("assessments.Withdrawal", None)  # the withdrawal is kept (its link set to null)
    now = timezone.now()
    Withdrawal.objects.filter(pk=withdrawal.pk).update(data_deleted_at=now, organization=None)
    return DeletionRecord.objects.create(
        reason=DeletionRecord.Reason.WITHDRAWAL,
        organization_ref=withdrawal.organization_ref,
        organization_name=withdrawal.organization_name,
        ran_at=now,
        counts=dict(sorted(counts.items())),
    )


def withdrawn_organizations_delete(now: datetime.datetime | None = None) -> list[DeletionRecord]:
    """Every withdrawal past the retention period, one transaction each."""
    records = []
    for withdrawal_id in withdrawals_due(now).values_list("pk", flat=True):
        record = withdrawn_organization_delete(withdrawal_id=withdrawal_id)
        if record is not None:
            records.append(record)
    return records


# ---------------------------------------------------------------------------------------------------------
# Retention for everyone


@dataclass
class RetentionPlan:
    audit_cutoff: datetime.datetime
    history_cutoff: datetime.datetime
    # Plain (not the append-only manager of AuditEvent): pruning by age is the one deletion the log allows.
    audit_events: object = field(repr=False, default=None)
    response_changes: object = field(repr=False, default=None)

    def counts(self) -> dict[str, int]:
        return {
            "assessments.AuditEvent": self.audit_events.count(),
            "assessments.ResponseChange": self.response_changes.count(),
        }


def retention_plan(now: datetime.datetime | None = None) -> RetentionPlan:
    now = now or timezone.now()
    audit_cutoff = now - datetime.timedelta(days=settings.AUDIT_RETENTION_DAYS)
    history_cutoff = now - datetime.timedelta(days=settings.RESPONSE_HISTORY_RETENTION_DAYS)
    return RetentionPlan(
        audit_cutoff=audit_cutoff,
        history_cutoff=history_cutoff,
        audit_events=AuditEvent._base_manager.filter(created_at__lt=audit_cutoff).order_by("created_at"),
        response_changes=ResponseChange.objects.filter(changed_at__lt=history_cutoff).order_by("changed_at"),
    )


@transaction.atomic
def retention_prune(now: datetime.datetime | None = None) -> DeletionRecord:
    """Delete audit events and answer history older than their retention settings; record the counts."""
    plan = retention_plan(now)
    counts = {
        "assessments.AuditEvent": plan.audit_events.delete()[0],
        "assessments.ResponseChange": plan.response_changes.delete()[0],
    }
    return DeletionRecord.objects.create(
        reason=DeletionRecord.Reason.RETENTION,
        cutoff=min(plan.audit_cutoff, plan.history_cutoff),
        counts=counts,
    )
