"""Reads for the review per indicator, carried-over answers and the attestation summary."""

import hashlib
import json
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q

from ..models import Assessment, Membership, Response, Role
from ..selectors import assessment_rows, previous_answers, review_issues
from .models import Attestation, CarriedAnswer, ReviewMessage, ReviewThread


def threads(assessment: Assessment):
    """The assessment's threads with their messages and authors, in rubric order."""
    return (
        ReviewThread.objects.filter(assessment=assessment)
        .select_related("indicator__commitment", "created_by", "resolved_by")
        .prefetch_related(Prefetch("messages", ReviewMessage.objects.select_related("author")))
    )


def threads_by_indicator(assessment: Assessment) -> dict[int, list[ReviewThread]]:
    grouped: dict[int, list[ReviewThread]] = {}
    for thread in threads(assessment):
        grouped.setdefault(thread.indicator_id, []).append(thread)
    return grouped


def blocking_unanswered(assessment: Assessment) -> list[ReviewThread]:
    return list(
        ReviewThread.objects.filter(
            assessment=assessment, blocking=True, status=ReviewThread.Status.OPEN, awaiting_reply=True
        )
        .select_related("indicator")
        .order_by("indicator__commitment__order", "indicator__order", "pk")
    )


@dataclass(frozen=True)
class ThreadCounts:
    open: int = 0
    resolved: int = 0
    awaiting_reply: int = 0
    blocking: int = 0


def thread_counts(assessment: Assessment) -> ThreadCounts:
    open_ = Q(status=ReviewThread.Status.OPEN)
    # Aliases apart from the field names (an alias named like a field would shadow it in the filters).
    counts = ReviewThread.objects.filter(assessment=assessment).aggregate(
        n_open=Count("pk", filter=open_),
        n_resolved=Count("pk", filter=Q(status=ReviewThread.Status.RESOLVED)),
        n_awaiting=Count("pk", filter=open_ & Q(awaiting_reply=True)),
        n_blocking=Count("pk", filter=open_ & Q(awaiting_reply=True, blocking=True)),
    )
    return ThreadCounts(counts["n_open"], counts["n_resolved"], counts["n_awaiting"], counts["n_blocking"])


def unconfirmed_carried(assessment: Assessment):
    """The answers copied from last cycle that no assessor has confirmed or changed yet, in rubric order."""
    return (
        CarriedAnswer.objects.filter(response__assessment=assessment, confirmed_at__isnull=True)
        .select_related("response__indicator__commitment", "from_cycle")
        .order_by("response__indicator__commitment__order", "response__indicator__order")
    )


def carried_by_indicator(assessment: Assessment) -> dict[int, CarriedAnswer]:
    return {
        c.response.indicator_id: c
        for c in CarriedAnswer.objects.filter(response__assessment=assessment).select_related(
            "response", "from_cycle", "confirmed_by"
        )
    }


def answers_sha256(assessment: Assessment) -> str:
    """SHA-256 of the answers as canonical JSON (sorted keys, no spaces): what the executive attested."""
    answers = {
        r["indicator__code"]: {
            "level": r["level"],
            "not_applicable": r["not_applicable"],
            "na_justification": r["na_justification"],
            "evidence_summary": r["evidence_summary"],
            "evidence_links": r["evidence_links"],
        }
        for r in Response.objects.filter(assessment=assessment).values(
            "indicator__code",
            "level",
            "not_applicable",
            "na_justification",
            "evidence_summary",
            "evidence_links",
        )
    }
    canonical = json.dumps(answers, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class AttestationSummary:
    """What the executive reads before attesting; kept with the attestation as `seen`."""

    scores: list[dict] = field(default_factory=list)  # [{"commitment", "score", "answered", "total"}]
    warnings: list[str] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)
    unconfirmed: list[str] = field(default_factory=list)
    open_threads: list[str] = field(default_factory=list)
    answers_sha256: str = ""

    def as_json(self) -> dict:
        return {
            "scores": self.scores,
            "warnings": self.warnings,
            "unanswered": self.unanswered,
            "unconfirmed": self.unconfirmed,
            "open_threads": self.open_threads,
            "answers_sha256": self.answers_sha256,
        }


def attestation_summary(assessment: Assessment) -> AttestationSummary:
    rows = assessment_rows(assessment)
    issues = review_issues(assessment, rows)
    per_commitment: dict[int, dict] = {}
    for row in rows:
        commitment = row.indicator.commitment
        entry = per_commitment.setdefault(
            commitment.pk,
            {"commitment": f"{commitment.order}. {commitment.name}", "levels": [], "answered": 0, "total": 0},
        )
        entry["total"] += 1
        if row.response is not None and row.response.is_answered:
            entry["answered"] += 1
            if row.response.level is not None:
                entry["levels"].append(row.response.level)
    scores = [
        {
            "commitment": e["commitment"],
            # The mean maturity level of the answered indicators (N/A left out), as on the dashboards.
            "score": round(sum(e["levels"]) / len(e["levels"]), 2) if e["levels"] else None,
            "answered": e["answered"],
            "total": e["total"],
        }
        for e in per_commitment.values()
    ]
    return AttestationSummary(
        scores=scores,
        warnings=[f"{w.indicator.code}: {w.message}" for w in issues.warnings],
        unanswered=[i.code for i in issues.unanswered],
        unconfirmed=[
            f"{c.response.indicator.code} (carried over from {c.from_cycle.name})"
            for c in unconfirmed_carried(assessment)
        ],
        open_threads=[
            f"{t.indicator.code}: {t.get_kind_display()}{' (blocking)' if t.blocking else ''}"
            for t in threads(assessment).filter(status=ReviewThread.Status.OPEN)
        ],
        answers_sha256=answers_sha256(assessment),
    )


def executives(organization_id: int):
    return (
        Membership.objects.filter(organization_id=organization_id, role=Role.EXECUTIVE, user__is_active=True)
        .select_related("user")
        .order_by("user__last_name", "user__username")
    )


def pending_attestation(assessment: Assessment) -> Attestation | None:
    return (
        Attestation.objects.filter(assessment=assessment, status=Attestation.Status.PENDING)
        .select_related("requested_by")
        .first()
    )


def latest_attestation(assessment: Assessment) -> Attestation | None:
    """The attestation that submitted the assessment last (None before attestation existed)."""
    return (
        Attestation.objects.filter(assessment=assessment, status=Attestation.Status.ATTESTED)
        .select_related("executive", "requested_by")
        .order_by("-decided_at", "-pk")
        .first()
    )


@dataclass(frozen=True)
class PreviousRow:
    """One indicator on the NAM review page: this cycle's answer beside last cycle's."""

    row: object
    previous: Response | None
    change: int | None  # levels up (+) or down (-); None when either side has no level
    threads: list = field(default_factory=list)
    carried: CarriedAnswer | None = None


def rows_with_previous(assessment: Assessment, rows, threads_of: dict | None = None) -> list[PreviousRow]:
    previous = previous_answers(assessment)
    threads_of = threads_of or {}
    carried = carried_by_indicator(assessment)
    result = []
    for row in rows:
        before = previous.get(row.indicator.pk)
        change = None
        if (
            before is not None
            and before.level is not None
            and row.response
            and row.response.level is not None
        ):
            change = row.response.level - before.level
        pk = row.indicator.pk
        result.append(PreviousRow(row, before, change, threads_of.get(pk, []), carried.get(pk)))
    return result


def overview_extras(assessment: Assessment) -> dict:
    """The review's part of the overview and review pages: threads, carried-over answers, attestation."""
    unconfirmed = list(unconfirmed_carried(assessment))
    return {
        "counts": thread_counts(assessment),
        "unconfirmed": unconfirmed,
        "blocking": blocking_unanswered(assessment),
        "pending": pending_attestation(assessment),
        "attestation": latest_attestation(assessment),
        "has_executive": executives(assessment.organization_id).exists(),
    }


@dataclass(frozen=True)
class HistoryEvent:
    at: object
    who: str
    indicator: object
    what: str
    text: str


def _name(user, fallback: str) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else fallback


def history_events(assessment: Assessment) -> list[HistoryEvent]:
    """The review's comments, replies and resolutions, and the attestations, newest first."""
    events = []
    for thread in threads(assessment):
        for message in thread.messages.all():
            what = (
                f"{thread.get_kind_display()}{' (blocking)' if thread.blocking else ''} from NAM"
                if message.from_nam
                else "Reply"
            )
            events.append(
                HistoryEvent(
                    message.created_at,
                    _name(message.author, "A former user"),
                    thread.indicator,
                    what,
                    message.body,
                )
            )
        if thread.resolved_at:
            events.append(
                HistoryEvent(
                    thread.resolved_at,
                    _name(thread.resolved_by, "NAM staff"),
                    thread.indicator,
                    "Thread resolved",
                    "",
                )
            )
    for attestation in Attestation.objects.filter(assessment=assessment).select_related("requested_by"):
        events.append(
            HistoryEvent(
                attestation.requested_at,
                _name(attestation.requested_by, "A former user"),
                None,
                "Attestation asked for",
                "",
            )
        )
        if attestation.decided_at:
            events.append(
                HistoryEvent(
                    attestation.decided_at,
                    attestation.executive_name,
                    None,
                    attestation.get_status_display(),
                    attestation.note,
                )
            )
    return sorted(events, key=lambda e: e.at, reverse=True)


def nam_review_extras(assessment: Assessment, rows) -> dict:
    """The NAM review page's side-by-side rows (last cycle, change), threads and attestation."""
    from .forms import ThreadForm

    return {
        "review_rows": rows_with_previous(assessment, rows, threads_by_indicator(assessment)),
        "counts": thread_counts(assessment),
        "attestation": latest_attestation(assessment),
        "thread_form": ThreadForm(),
        "can_comment": assessment.status in (Assessment.Status.SUBMITTED, Assessment.Status.RETURNED)
        and not assessment.cycle.is_closed,
    }
