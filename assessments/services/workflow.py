"""The self-assessment workflow: fill in, copy from last cycle, submit, return, validate; cycles.

Every write locks the rows it reads, validates everything first and writes nothing when anything is wrong.
Saving answers never silently overwrites a colleague's: an answer loaded at an older version is refused and
handed back as a conflict for the user to resolve.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import URLValidator
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify

from commitments.models import Indicator, Rubric, level_label
from commitments.selectors import crosswalk, rubric_outline

from ..audit import audit_record
from ..evidence.services import evidence_carry_over
from ..models import (
    Assessment,
    AssessmentCycle,
    AuditEvent,
    Membership,
    NaReview,
    Organization,
    Response,
    ResponseChange,
    Role,
)
from ..permissions import is_nam_staff
from ..selectors import previous_assessment

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
MAX_COMMENT = 4000


class WorkflowError(ValidationError):
    """A request the assessment's state does not allow; the message says why."""


class NotEditable(WorkflowError):
    pass


class AlreadySubmitted(WorkflowError):
    pass


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


def _lock_editable(assessment: Assessment) -> Assessment:
    # The cycle and organization are read in the same statement; only the assessment row is locked.
    locked = (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("cycle__rubric", "organization")  # the organization's type decides the indicators
        .get(pk=assessment.pk)
    )
    if locked.cycle.is_closed:
        raise NotEditable(f"The {locked.cycle.name} cycle is closed: its assessments can no longer change.")
    if not locked.is_editable:
        raise NotEditable(
            f"This assessment is {locked.get_status_display().lower()} and can no longer be changed."
        )
    return locked


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
    evidence_carry_over(previous=previous, assessment=assessment, mapping=mapping, user=user)
    return len(copied)


# ---------------------------------------------------------------------------------------------------------
# Submission and review


def unanswered_indicators(assessment: Assessment):
    answered = Response.objects.filter(assessment=assessment).exclude(
        level__isnull=True, not_applicable=False
    )
    applicable = rubric_outline(
        assessment.cycle.rubric, org_type=assessment.organization.org_type
    ).indicator_ids
    return (
        Indicator.objects.filter(pk__in=applicable)
        .exclude(pk__in=answered.values("indicator_id"))
        .select_related("commitment")
        .order_by("commitment__order", "order")
    )


@transaction.atomic
def assessment_submit(
    *, assessment: Assessment, user, affirmed_name: str, affirmed_title: str, affirmed: bool
) -> Assessment:
    """Submit a complete draft or returned assessment with leadership's affirmation; notifies by e-mail."""
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    locked.cycle = AssessmentCycle.objects.select_related("rubric").get(pk=locked.cycle_id)
    if locked.status in (Assessment.Status.SUBMITTED, Assessment.Status.VALIDATED):
        when = (
            date_format(timezone.localtime(locked.submitted_at), "F j, Y, H:i") if locked.submitted_at else ""
        )
        raise AlreadySubmitted(
            f"This assessment was already submitted{' on ' + when if when else ''}; nothing was changed."
        )
    locked = _lock_editable(locked)
    affirmed_name, affirmed_title = affirmed_name.strip(), affirmed_title.strip()
    errors = {}
    if not affirmed_name:
        errors["affirmed_name"] = "Give the name of the leader who affirms the assessment."
    if not affirmed_title:
        errors["affirmed_title"] = "Give their title."
    if len(affirmed_name) > 200 or len(affirmed_title) > 200:
        errors["affirmed_name"] = "Names and titles have at most 200 characters."
    if not affirmed:
        errors["affirmed"] = "Leadership must affirm the assessment before it can be submitted."
    if errors:
        raise ValidationError(errors)
    missing = unanswered_indicators(locked).count()
    if missing:
        raise ValidationError(
            f"{missing} indicator{'s are' if missing != 1 else ' is'} still unanswered: "
            "answer every indicator (a level or Not applicable) before submitting."
        )
    now = timezone.now()
    locked.status = Assessment.Status.SUBMITTED
    locked.submitted_by = user
    locked.submitted_at = now
    locked.affirmed_name = affirmed_name
    locked.affirmed_title = affirmed_title
    locked.affirmed_at = now
    locked.save()
    transaction.on_commit(lambda: _notify_submitted(locked.pk))
    return locked


def _lock_submitted_for_review(assessment: Assessment, user) -> Assessment:
    if not is_nam_staff(user):
        raise PermissionDenied("Only NAM staff review assessments.")
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.status != Assessment.Status.SUBMITTED:
        raise WorkflowError(
            f"Only a submitted assessment can be reviewed; this one is {locked.get_status_display().lower()}."
        )
    return locked


def _audit_decision(kind: str, outcome: str, assessment: Assessment, user, comment: str, request) -> None:
    audit_record(
        kind=kind,
        request=request,
        actor=user,
        organization=assessment.organization,
        detail=f"{assessment.cycle.name} assessment {outcome}" + (f": {comment}" if comment else ""),
    )


@transaction.atomic
def assessment_return(
    *, assessment: Assessment, user, comment: str, rejected_na: Sequence[int] = (), request=None
) -> Assessment:
    """Send a submitted assessment back to the organization with the reviewer's comment; notifies them.

    rejected_na: ids of the assessment's N/A responses whose reason NAM does not accept (marked so)."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "Say what the organization should change before resubmitting."})
    if len(comment) > MAX_COMMENT:
        raise ValidationError({"comment": f"A comment has at most {MAX_COMMENT} characters."})
    locked = _lock_submitted_for_review(assessment, user)
    if rejected_na:
        rejected = Response.objects.filter(assessment=locked, not_applicable=True, pk__in=rejected_na)
        if rejected.count() != len(set(rejected_na)):
            raise ValidationError("Only this assessment's N/A answers can be rejected; nothing was changed.")
        rejected.update(na_review=NaReview.REJECTED)
    locked.status = Assessment.Status.RETURNED
    locked.reviewer_comment = comment
    locked.reviewed_by = user
    locked.reviewed_at = timezone.now()
    locked.save()
    _audit_decision(AuditEvent.Kind.ASSESSMENT_RETURNED, "returned", assessment, user, comment, request)
    transaction.on_commit(lambda: _notify_reviewed(locked.pk, "returned"))
    return locked


@transaction.atomic
def assessment_validate(*, assessment: Assessment, user, comment: str = "", request=None) -> Assessment:
    """Accept a submitted assessment as the organization's result for the cycle; notifies them."""
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ValidationError({"comment": f"A comment has at most {MAX_COMMENT} characters."})
    locked = _lock_submitted_for_review(assessment, user)
    # Validating accepts every N/A reason (a rejected one returns the assessment instead).
    Response.objects.filter(assessment=locked, not_applicable=True).update(na_review=NaReview.ACCEPTED)
    locked.status = Assessment.Status.VALIDATED
    locked.reviewer_comment = comment
    locked.reviewed_by = user
    locked.reviewed_at = timezone.now()
    locked.save()
    _audit_decision(AuditEvent.Kind.ASSESSMENT_VALIDATED, "validated", assessment, user, comment, request)
    transaction.on_commit(lambda: _notify_reviewed(locked.pk, "validated"))
    return locked


# ---------------------------------------------------------------------------------------------------------
# Cycles


@transaction.atomic
def cycle_create(
    *, name: str, rubric: Rubric, opens_on: datetime.date, closes_on: datetime.date, slug: str = ""
) -> AssessmentCycle:
    """A new upcoming cycle scored against a published rubric."""
    name = name.strip()
    slug = slugify(slug or name)
    errors = {}
    if not name:
        errors["name"] = "Give the cycle a name, such as 2027."
    elif AssessmentCycle.objects.filter(name__iexact=name).exists():
        errors["name"] = f"A cycle named {name} exists already."
    if not slug:
        errors.setdefault("name", "The name needs at least one letter or digit.")
    elif AssessmentCycle.objects.filter(slug=slug).exists():
        errors.setdefault("name", f"A cycle with the address {slug} exists already; choose another name.")
    if rubric.status != Rubric.Status.PUBLISHED:
        errors["rubric"] = "A cycle is scored against a published rubric version."
    if closes_on < opens_on:
        errors["closes_on"] = "The cycle must close on or after the day it opens."
    if errors:
        raise ValidationError(errors)
    return AssessmentCycle.objects.create(
        name=name, slug=slug, rubric=rubric, opens_on=opens_on, closes_on=closes_on
    )


CYCLE_TRANSITIONS = {
    AssessmentCycle.Status.OPEN: {AssessmentCycle.Status.UPCOMING},
    AssessmentCycle.Status.CLOSED: {AssessmentCycle.Status.OPEN},
}


@transaction.atomic
def cycle_set_status(*, cycle: AssessmentCycle, status: str) -> AssessmentCycle:
    """Open an upcoming cycle (one open cycle at a time) or close an open one (read-only from then on)."""
    locked = AssessmentCycle.objects.select_for_update().get(pk=cycle.pk)
    allowed_from = CYCLE_TRANSITIONS.get(status)
    if allowed_from is None:
        raise ValidationError("A cycle can only be opened or closed.")
    if locked.status not in allowed_from:
        raise WorkflowError(
            f"The {locked.name} cycle is {locked.get_status_display().lower()}: it cannot be "
            f"{'opened' if status == AssessmentCycle.Status.OPEN else 'closed'}."
        )
    if status == AssessmentCycle.Status.OPEN:
        other = AssessmentCycle.objects.open().exclude(pk=locked.pk).first()
        if other is not None:
            raise WorkflowError(f"Close the {other.name} cycle first: one cycle is open at a time.")
    locked.status = status
    locked.save(update_fields=["status"])
    return locked


# ---------------------------------------------------------------------------------------------------------
# Notifications (sent after the transaction commits, so a rolled-back change never e-mails anyone)


def _emails(organization_id: int, roles) -> list[str]:
    return list(
        Membership.objects.filter(organization_id=organization_id, role__in=roles, user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )


def _unique_sorted(addresses) -> list[str]:
    return sorted({a.strip().lower(): a.strip() for a in addresses if a and a.strip()}.values())


def _overview_url(assessment: Assessment) -> str:
    path = reverse("assessments:overview", args=[assessment.organization.slug, assessment.cycle.slug])
    return settings.SITE_URL + path


def _send(template: str, subject: str, recipients: list[str], context: dict) -> None:
    if recipients:
        send_mail(
            subject,
            render_to_string(template, context),
            settings.DEFAULT_FROM_EMAIL,
            recipients,
        )


def _load_for_mail(assessment_id: int) -> Assessment:
    return Assessment.objects.select_related("organization", "cycle", "submitted_by", "reviewed_by").get(
        pk=assessment_id
    )


def _notify_submitted(assessment_id: int) -> None:
    assessment = _load_for_mail(assessment_id)
    context = {"assessment": assessment, "url": _overview_url(assessment)}
    org_recipients = _unique_sorted(
        [
            assessment.submitted_by.email if assessment.submitted_by else "",
            *_emails(assessment.organization_id, [Role.ORG_ADMIN]),
        ]
    )
    _send(
        "emails/assessment_submitted.txt",
        f"{assessment.organization.name}: {assessment.cycle.name} assessment received",
        org_recipients,
        context,
    )
    context["url"] = settings.SITE_URL + reverse("assessments:nam_review", args=[assessment.pk])
    _send(
        "emails/assessment_submitted_nam.txt",
        f"New submission to review: {assessment.organization.name} ({assessment.cycle.name})",
        _unique_sorted(settings.NAM_NOTIFY_EMAILS),
        context,
    )


def _notify_reviewed(assessment_id: int, outcome: str) -> None:
    assessment = _load_for_mail(assessment_id)
    subject = {
        "returned": f"{assessment.organization.name}: your {assessment.cycle.name} assessment needs changes",
        "validated": f"{assessment.organization.name}: your {assessment.cycle.name} assessment is validated",
    }[outcome]
    _send(
        f"emails/assessment_{outcome}.txt",
        subject,
        _unique_sorted(_emails(assessment.organization_id, [Role.ASSESSOR, Role.ORG_ADMIN])),
        {"assessment": assessment, "url": _overview_url(assessment)},
    )
