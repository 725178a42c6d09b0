"""The self-assessment workflow: fill in and copy from last cycle (submission, cycles: their own modules).

Every write locks the rows it reads, validates everything first and writes nothing when anything is wrong.
Saving answers never silently overwrites a colleague's: an answer loaded at an older version is refused and
handed back as a conflict for the user to resolve.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from commitments.models import Indicator, level_label
from commitments.selectors import crosswalk, rubric_outline

from ..evidence.services import evidence_carry_over
from ..models import (
    Assessment,
    AssessmentCycle,
    NaReview,
    Organization,
    Response,
    ResponseChange,
)
from ..review.services import carried_changed, carried_record
from ..selectors import previous_assessment
from .state import MAX_COMMENT, AlreadySubmitted, NotEditable, WorkflowError, _lock_editable

ANSWER_FIELDS = ("level", "not_applicable", "na_justification", "evidence_summary", "evidence_links")
EMPTY_ANSWER = {
    "level": None,
    "not_applicable": False,
    "na_justification": "",
    "evidence_summary": "",
    "evidence_links": "",
}
MAX_NA_JUSTIFICATION = 2000
MAX_EVIDENCE_SUMMARY = 4000
MAX_EVIDENCE_LINKS_CHARS = 2000
MAX_EVIDENCE_LINKS = 10
MAX_LINK_LENGTH = 500


# ---------------------------------------------------------------------------------------------------------
# Answers


@dataclass(frozen=True)
class Answer:
    """One indicator's answer as the user sent it, with the response version the form was loaded at."""

    indicator_id: int
    level: int | None = None
    not_applicable: bool = False
    na_justification: str = ""
    evidence_summary: str = ""
    evidence_links: str = ""
    version: int = 0  # 0: there was no saved answer when the form was loaded

    def values(self) -> dict:
        na = bool(self.not_applicable)
        return {
            "level": None if na else self.level,
            "not_applicable": na,
            # A justification only means something for N/A; the history keeps the old text.
            "na_justification": self.na_justification.strip() if na else "",
            "evidence_summary": self.evidence_summary.strip(),
            "evidence_links": clean_evidence_links(self.evidence_links),
        }


@dataclass(frozen=True)
class Conflict:
    """An answer that a colleague saved after the user loaded the form: not written."""

    indicator: Indicator
    mine: dict
    theirs: Response

    @staticmethod
    def _label(level, not_applicable) -> str:
        if not_applicable:
            return "Not applicable"
        return level_label(level) if level is not None else "Not answered"

    @property
    def mine_label(self) -> str:
        return self._label(self.mine["level"], self.mine["not_applicable"])

    @property
    def theirs_label(self) -> str:
        return self._label(self.theirs.level, self.theirs.not_applicable)


@dataclass
class SaveResult:
    changed: list[int] = field(default_factory=list)  # indicator ids whose response changed
    conflicts: list[Conflict] = field(default_factory=list)


def clean_evidence_links(text: str) -> str:
    """One http(s) URL per line, at most ten; blank lines dropped. Raises ValidationError."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(lines) > MAX_EVIDENCE_LINKS:
        raise ValidationError(
            f"Give at most {MAX_EVIDENCE_LINKS} links ({len(lines)} were given); "
            "put the rest in a document and link to it."
        )
    validate = URLValidator(schemes=["http", "https"])
    bad = []
    for line in lines:
        try:
            if len(line) > MAX_LINK_LENGTH:
                raise ValidationError("too long")
            validate(line)
        except ValidationError:
            bad.append(line[:80])
    if bad:
        raise ValidationError(
            "Each line must be one web address starting with http:// or https://. Not valid: "
            + "; ".join(bad)
        )
    return "\n".join(lines)


def _validate_answer(answer: Answer, indicator: Indicator) -> None:
    code = indicator.code
    if answer.not_applicable and answer.level is not None:
        raise ValidationError(f"{code}: choose either a level or Not applicable, not both.")
    if answer.level is not None and answer.level not in range(1, 6):
        raise ValidationError(f"{code}: the level must be between 1 and 5.")
    if Response.na_reason_missing(
        not_applicable=answer.not_applicable, na_justification=answer.na_justification
    ):
        raise ValidationError(f"{code}: {Response.NA_REASON_MISSING}")
    for name, limit in (
        ("na_justification", MAX_NA_JUSTIFICATION),
        ("evidence_summary", MAX_EVIDENCE_SUMMARY),
        ("evidence_links", MAX_EVIDENCE_LINKS_CHARS),
    ):
        if len(getattr(answer, name)) > limit:
            raise ValidationError(f"{code}: {name.replace('_', ' ')} is longer than {limit} characters.")
    if answer.version < 0:
        raise ValidationError(f"{code}: the form was damaged; reload the page.")
    try:
        clean_evidence_links(answer.evidence_links)
    except ValidationError as error:
        raise ValidationError(f"{code}: {error.messages[0]}") from None


def _response_values(response: Response | None) -> dict:
    if response is None:
        return dict(EMPTY_ANSWER)
    return {name: getattr(response, name) for name in ANSWER_FIELDS}


@transaction.atomic
def assessment_get_or_start(
    *, organization: Organization, cycle: AssessmentCycle, user
) -> tuple[Assessment, bool]:
    """The organization's assessment of the cycle, created as a draft on first visit of an open cycle."""
    existing = Assessment.objects.filter(organization=organization, cycle=cycle).first()
    if existing is not None:
        return existing, False
    if cycle.status != AssessmentCycle.Status.OPEN:
        raise NotEditable(f"The {cycle.name} cycle is not open: an assessment cannot be started.")
    # get_or_create: two first visits at the same moment still make one draft (the unique constraint).
    return Assessment.objects.get_or_create(organization=organization, cycle=cycle)


@transaction.atomic
def responses_save(*, assessment: Assessment, user, answers: Sequence[Answer]) -> SaveResult:
    """Write the changed answers (a ResponseChange each, version + 1); stale ones come back as conflicts."""
    assessment = _lock_editable(assessment)
    ids = [answer.indicator_id for answer in answers]
    if len(set(ids)) != len(ids):
        raise ValidationError("The same indicator was sent twice; reload the page and try again.")
    outline = rubric_outline(assessment.cycle.rubric, org_type=assessment.organization.org_type)
    wanted = set(ids)
    indicators = {i.pk: i for c in outline.commitments for i in c.indicators.all() if i.pk in wanted}
    unknown = [pk for pk in ids if pk not in indicators]
    if unknown:
        raise ValidationError("An indicator is not part of this assessment's rubric; nothing was saved.")
    for answer in answers:
        _validate_answer(answer, indicators[answer.indicator_id])

    # Locking the assessment serializes saves of one assessment; the row locks keep the admin honest too.
    stored = {
        r.indicator_id: r
        for r in Response.objects.select_for_update().filter(assessment=assessment, indicator_id__in=ids)
    }
    result = SaveResult()
    now = timezone.now()
    history, created, updated = [], [], []
    for answer in answers:
        response = stored.get(answer.indicator_id)
        old = _response_values(response)
        new = answer.values()
        # No stored answer: nothing to overwrite, whatever version the form claims.
        if response is not None and answer.version != response.version:
            if new != old:
                result.conflicts.append(
                    Conflict(indicator=indicators[answer.indicator_id], mine=new, theirs=response)
                )
            continue
        changed = [name for name in ANSWER_FIELDS if old[name] != new[name]]
        if not changed:
            continue
        if response is None:
            response = Response(assessment=assessment, indicator_id=answer.indicator_id, version=1)
            created.append(response)
        else:
            response.version += 1
            updated.append((response, changed))
        for name in changed:
            setattr(response, name, new[name])
        if response.na_review and ("not_applicable" in changed or "na_justification" in changed):
            # NAM reviewed the N/A as it was; a changed answer or reason waits for the next review.
            response.na_review = NaReview.PENDING
        response.updated_by = user
        response.updated_at = now
        history.append(
            ResponseChange(
                response=response,
                changed_by=user,
                changed_at=now,
                version=response.version,
                old_values={name: old[name] for name in changed},
                new_values={name: new[name] for name in changed},
            )
        )
        result.changed.append(answer.indicator_id)
    # New answers in one statement. Changed ones one by one, with only their changed columns: a page has
    # a handful, and bulk_update's CASE expressions cost more CPU to build than these statements.
    Response.objects.bulk_create(created)
    for response, changed in updated:
        response.save(update_fields=[*changed, "na_review", "version", "updated_by", "updated_at"])
    for change in history:
        change.response_id = change.response.pk
    ResponseChange.objects.bulk_create(history)
    carried_changed(response_ids=[r.pk for r, _ in updated], user=user, at=now)
    if result.conflicts:
        # The conflicting answers' authors, for "saved meanwhile by".
        by_id = {
            r.pk: r
            for r in Response.objects.select_related("updated_by").filter(
                pk__in=[c.theirs.pk for c in result.conflicts]
            )
        }
        result.conflicts = [
            Conflict(indicator=c.indicator, mine=c.mine, theirs=by_id[c.theirs.pk]) for c in result.conflicts
        ]
    return result


@transaction.atomic
def assessment_copy_previous(*, assessment: Assessment, user) -> int:
    """Start a draft with no answers from last cycle's answers (crosswalked); returns how many were copied."""
    assessment = _lock_editable(assessment)
    if Response.objects.filter(assessment=assessment).exists():
        raise WorkflowError("This assessment already has answers: copying would overwrite them.")
    previous = previous_assessment(assessment)
    if previous is None:
        raise WorkflowError("There is no submitted assessment of the previous cycle to start from.")
    mapping = crosswalk(previous.cycle.rubric, assessment.cycle.rubric)
    # An indicator carried on into one that does not apply to this organization's type is not copied.
    applicable = set(
        rubric_outline(assessment.cycle.rubric, org_type=assessment.organization.org_type).indicator_ids
    )
    mapping = {old: new for old, new in mapping.items() if new in applicable}
    now = timezone.now()
    copied = []
    for old in Response.objects.filter(assessment=previous).order_by("pk"):
        if old.indicator_id not in mapping or not (old.is_answered or old.evidence_summary):
            continue
        values = _response_values(old)
        copied.append(
            Response(
                assessment=assessment,
                indicator_id=mapping[old.indicator_id],
                version=1,
                updated_by=user,
                **values,
            )
        )
    Response.objects.bulk_create(copied)
    created = Response.objects.filter(assessment=assessment)  # with their primary keys, on every database
    ResponseChange.objects.bulk_create(
        ResponseChange(
            response=response,
            changed_by=user,
            changed_at=now,
            version=1,
            old_values={k: EMPTY_ANSWER[k] for k in ANSWER_FIELDS if getattr(response, k) != EMPTY_ANSWER[k]},
            new_values={
                k: getattr(response, k) for k in ANSWER_FIELDS if getattr(response, k) != EMPTY_ANSWER[k]
            },
        )
        for response in created
    )
    carried_record(responses=created, from_cycle=previous.cycle)
    evidence_carry_over(previous=previous, assessment=assessment, mapping=mapping, user=user)
    return len(copied)


# ---------------------------------------------------------------------------------------------------------
# The rest of the workflow lives in its own modules; importing it from here keeps working.

from .cycles import CYCLE_TRANSITIONS, cycle_create, cycle_set_status  # noqa: E402
from .notifications import _emails, _notify_reviewed, _notify_submitted, _send, _unique_sorted  # noqa: E402
from .submission import (  # noqa: E402
    assessment_attest,
    assessment_request_attestation,
    assessment_return,
    assessment_send_back,
    assessment_validate,
    unanswered_indicators,
)

__all__ = [
    "ANSWER_FIELDS", "CYCLE_TRANSITIONS", "EMPTY_ANSWER", "MAX_COMMENT", "AlreadySubmitted", "Answer",
    "Conflict", "NotEditable", "SaveResult", "WorkflowError", "_emails", "_lock_editable",
    "_notify_reviewed", "_notify_submitted", "_send", "_unique_sorted", "assessment_attest",
    "assessment_copy_previous", "assessment_get_or_start", "assessment_request_attestation",
    "assessment_return", "assessment_send_back", "assessment_validate", "clean_evidence_links",
    "cycle_create", "cycle_set_status", "responses_save", "unanswered_indicators",
]  # fmt: skip
