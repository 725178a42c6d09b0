"""Writes of evidence files: upload, reuse for another indicator, remove, carry over to the next cycle.

Every check comes before any write: a refused request stores no bytes and changes no row, and the message
says why. Bytes are written last, under a generated name, and deleted again if the transaction fails.
"""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from commitments.models import Indicator
from commitments.selectors import rubric_outline

from ..models import Assessment
from . import scan, validation
from .models import EvidenceDocument, EvidenceLink, evidence_storage, new_stored_name


class NotEditable(ValidationError):
    """The assessment is submitted, validated or of a closed cycle: its files cannot change."""


def _lock_editable(assessment: Assessment) -> Assessment:
    locked = (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("cycle__rubric", "organization")
        .get(pk=assessment.pk)
    )
    if locked.cycle.is_closed:
        raise NotEditable(
            f"The {locked.cycle.name} cycle is closed: its evidence files can no longer change. "
            "Nothing was changed."
        )
    if not locked.is_editable:
        raise NotEditable(
            f"This assessment is {locked.get_status_display().lower()}: its evidence files can no longer "
            "be added or removed. Nothing was changed."
        )
    return locked


def _indicator_of(assessment: Assessment, indicator_id) -> Indicator:
    outline = rubric_outline(assessment.cycle.rubric, org_type=assessment.organization.org_type)
    if indicator_id not in set(outline.indicator_ids):
        raise ValidationError("That indicator is not part of this assessment; nothing was uploaded.")
    return Indicator.objects.get(pk=indicator_id)


def assessment_usage(assessment: Assessment) -> int:
    """Bytes of the assessment's own stored documents (carried-over ones count in their own cycle)."""
    used = EvidenceDocument.objects.filter(assessment=assessment, deleted_at__isnull=True).aggregate(
        total=Sum("size")
    )["total"]
    return used or 0


@transaction.atomic
def evidence_upload(*, assessment: Assessment, indicator_id: int, file, name: str, user) -> EvidenceLink:
    """Store an uploaded file as a document of the assessment and link it to one indicator."""
    display_name = validation.clean_display_name(name)
    assessment = _lock_editable(assessment)
    indicator = _indicator_of(assessment, indicator_id)
    validation.check_size(file.size, limit=settings.EVIDENCE_MAX_FILE_BYTES)
    used, quota = assessment_usage(assessment), settings.EVIDENCE_MAX_ASSESSMENT_BYTES
    if used + file.size > quota:
        raise ValidationError(
            f"This file ({filesizeformat(file.size)}) would take the assessment's evidence files past their "
            f"limit of {filesizeformat(quota)} ({filesizeformat(used)} used). Remove files that are no "
            "longer needed, or upload a smaller one. Nothing was uploaded."
        )
    kind = validation.identify(file, display_name)
    scan.scan(file)
    digest = hashlib.sha256()
    for chunk in iter(lambda: file.read(64 * 1024), b""):
        digest.update(chunk)
    file.seek(0)
    document = EvidenceDocument.objects.create(
        assessment=assessment,
        stored_name=new_stored_name(assessment.pk),
        original_name=display_name,
        content_type=kind.content_type,
        kind=kind.code,
        size=file.size,
        sha256=digest.hexdigest(),
        uploaded_by=user,
    )
    link = EvidenceLink.objects.create(
        assessment=assessment, indicator=indicator, document=document, added_by=user
    )
    # The bytes last: a failure to store them rolls the rows back, and nothing is written before the checks.
    stored = evidence_storage().save(document.stored_name, file)
    if stored != document.stored_name:  # the storage chose another name (it never should: a fresh uuid)
        document.stored_name = stored
        document.save(update_fields=["stored_name"])
    return link


@transaction.atomic
def evidence_attach(*, assessment: Assessment, indicator_id: int, document_id: int, user) -> EvidenceLink:
    """Give an already uploaded document of the assessment as evidence for another indicator."""
    assessment = _lock_editable(assessment)
    indicator = _indicator_of(assessment, indicator_id)
    document = available_documents(assessment).filter(pk=document_id).first()
    if document is None:
        raise ValidationError(
            "That document is not one of this assessment's evidence files; nothing changed."
        )
    if (
        EvidenceLink.objects.live()
        .filter(assessment=assessment, indicator=indicator, document=document)
        .exists()
    ):
        raise ValidationError(f"{document.original_name} is already evidence for {indicator.code}.")
    carried = (
        EvidenceLink.objects.live()
        .filter(assessment=assessment, document=document)
        .exclude(carried_from=None)
        .values_list("carried_from_id", flat=True)
        .first()
    )
    return EvidenceLink.objects.create(
        assessment=assessment, indicator=indicator, document=document, added_by=user, carried_from_id=carried
    )


def available_documents(assessment: Assessment):
    """Documents that may be picked for an indicator: the assessment's own and those carried over to it."""
    linked = EvidenceLink.objects.live().filter(assessment=assessment).values("document_id")
    return EvidenceDocument.objects.filter(
        Q(assessment=assessment) | Q(pk__in=linked), deleted_at__isnull=True
    ).order_by("original_name", "pk")


@transaction.atomic
def evidence_remove(*, assessment: Assessment, link_id: int, user) -> EvidenceLink:
    """Take a document off one indicator (kept in the history); the bytes go when nothing links to them."""
    assessment = _lock_editable(assessment)
    link = (
        EvidenceLink.objects.live()
        .select_for_update(of=("self",))
        .select_related("document", "indicator")
        .filter(assessment=assessment, pk=link_id)
        .first()
    )
    if link is None:
        raise ValidationError("That file is not (or no longer) evidence in this assessment; nothing changed.")
    now = timezone.now()
    link.removed_at, link.removed_by = now, user
    link.save(update_fields=["removed_at", "removed_by"])
    document = EvidenceDocument.objects.select_for_update().get(pk=link.document_id)
    if not document.links.live().exists():
        document.deleted_at = now
        document.save(update_fields=["deleted_at"])
        stored = document.stored_name
        transaction.on_commit(lambda: evidence_storage().delete(stored))
    return link


def evidence_carry_over(
    *, previous: Assessment, assessment: Assessment, mapping: dict[int, int], user
) -> int:
    """Link last cycle's documents to the crosswalked indicators of the new assessment (the same stored
    documents, marked with the cycle they came from); called by assessment_copy_previous. Returns how many."""
    links = (
        EvidenceLink.objects.live()
        .filter(assessment=previous, indicator_id__in=list(mapping), document__deleted_at__isnull=True)
        .select_related("document")
        .order_by("pk")
    )
    cycles = dict(
        EvidenceDocument.objects.filter(pk__in=links.values("document_id")).values_list(
            "pk", "assessment__cycle_id"
        )
    )
    now = timezone.now()
    created = EvidenceLink.objects.bulk_create(
        EvidenceLink(
            assessment=assessment,
            indicator_id=mapping[link.indicator_id],
            document_id=link.document_id,
            carried_from_id=cycles.get(link.document_id, previous.cycle_id),
            added_by=user,
            added_at=now,
        )
        for link in links
    )
    return len(created)
