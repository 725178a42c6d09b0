"""Reads of evidence files for pages, exports and the ZIP download."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings

from commitments.models import Indicator

from ..models import Assessment
from .models import EvidenceDocument, EvidenceLink
from .services import assessment_usage, available_documents
from .validation import ACCEPT_ATTRIBUTE, ALLOWED_TYPES_TEXT


@dataclass
class PageEvidence:
    """The evidence files of a commitment page: the links per indicator and the documents to pick from."""

    links: dict[int, list[EvidenceLink]] = field(default_factory=dict)
    documents: list[EvidenceDocument] = field(default_factory=list)
    used: int = 0
    allowed_types: str = ALLOWED_TYPES_TEXT
    accept: str = ACCEPT_ATTRIBUTE
    max_file: int = 0
    max_assessment: int = 0


def page_evidence(assessment: Assessment, indicator_ids) -> PageEvidence:
    """Three queries, whatever the number of indicators and files."""
    links = defaultdict(list)
    for link in (
        EvidenceLink.objects.live()
        .filter(assessment=assessment, indicator_id__in=list(indicator_ids))
        .select_related("document", "carried_from")
        .order_by("document__original_name", "pk")
    ):
        links[link.indicator_id].append(link)
    return PageEvidence(
        links=dict(links),
        documents=list(available_documents(assessment)),
        used=assessment_usage(assessment),
        max_file=settings.EVIDENCE_MAX_FILE_BYTES,
        max_assessment=settings.EVIDENCE_MAX_ASSESSMENT_BYTES,
    )


def documents_by_indicator(assessment: Assessment) -> dict[int, list[str]]:
    """{indicator id: ["name (from 2025)", ...]} of the live links, for the exports: one query."""
    names = defaultdict(list)
    for indicator_id, name, carried in (
        EvidenceLink.objects.live()
        .filter(assessment=assessment)
        .order_by("document__original_name", "pk")
        .values_list("indicator_id", "document__original_name", "carried_from__name")
    ):
        names[indicator_id].append(f"{name} (from {carried})" if carried else name)
    return dict(names)


@dataclass(frozen=True)
class EvidenceEvent:
    when: object
    added: bool
    who: object
    link: EvidenceLink


def evidence_events(assessment: Assessment) -> list[EvidenceEvent]:
    """Every file added to or removed from an indicator of the assessment, newest first (the history)."""
    events = []
    for link in EvidenceLink.objects.filter(assessment=assessment).select_related(
        "document", "indicator", "added_by", "removed_by", "carried_from"
    ):
        events.append(EvidenceEvent(link.added_at, True, link.added_by, link))
        if link.removed_at is not None:
            events.append(EvidenceEvent(link.removed_at, False, link.removed_by, link))
    events.sort(key=lambda event: (event.when, event.link.pk, not event.added), reverse=True)
    return events


def zip_entries(assessment: Assessment) -> list[tuple[str, EvidenceDocument]]:
    """[(indicator code, document)] of the live links, in rubric order, for the ZIP of all documents."""
    return [
        (link.indicator.code, link.document)
        for link in EvidenceLink.objects.live()
        .filter(assessment=assessment, document__deleted_at__isnull=True)
        .select_related("indicator__commitment", "document")
        .order_by("indicator__commitment__order", "indicator__order", "document__original_name", "pk")
    ]


def downloadable_document(organization, pk: int) -> EvidenceDocument | None:
    """A stored document of one of the organization's assessments (None when not, or no longer, stored)."""
    return (
        EvidenceDocument.objects.filter(pk=pk, assessment__organization=organization, deleted_at__isnull=True)
        .only("stored_name", "original_name", "content_type", "size")
        .first()
    )


def indicator_in_rubric(assessment: Assessment, indicator_id):
    """The indicator (with its commitment) if it is one of the assessment's rubric, else None."""
    try:
        indicator_id = int(indicator_id)
    except (TypeError, ValueError):
        return None
    return (
        Indicator.objects.filter(pk=indicator_id, commitment__rubric_id=assessment.cycle.rubric_id)
        .select_related("commitment")
        .first()
    )


def links_with_documents(assessment: Assessment):
    """The live links of the assessment with their documents, by document name (one query)."""
    return (
        EvidenceLink.objects.live()
        .filter(assessment=assessment)
        .select_related("document", "carried_from")
        .order_by("document__original_name", "pk")
    )
