"""Reads that feed the assessment pages: QuerySets or plain dataclasses, in a fixed number of queries."""

# =========================================================================================================
# Assessment workflow: overview, commitment pages, review, history, NAM cycles (workflow helper)
# =========================================================================================================

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, Q, Subquery

from commitments.models import Commitment, ComplianceItem, Indicator, Rubric, level_label
from commitments.selectors import RubricOutline, crosswalk, rubric_outline

from .evidence.models import EvidenceLink
from .models import Assessment, AssessmentCycle, ComplianceAnswer, Response, ResponseChange
from .review.checks import has_evidence, identical_evidence, na_applies_message

ANSWERED = Q(level__isnull=False) | Q(not_applicable=True)
# Justifications that say nothing; anything under MIN_JUSTIFICATION characters is flagged too.
PLACEHOLDER_JUSTIFICATIONS = {
    "n/a", "na", "n.a.", "none", "-", "--", "---", "nil", "null",
    "not applicable", "tbd", "x", ".", "?", "no",
}  # fmt: skip
MIN_JUSTIFICATION = 20
FIELD_LABELS = {
    "level": "Level",
    "not_applicable": "Not applicable",
    "na_justification": "Why not applicable",
    "evidence_summary": "Evidence summary",
    "evidence_links": "Evidence links",
}


def answer_label(response: Response | None) -> str:
    """'3 Defined', 'Not applicable' or 'Not answered'."""
    if response is None or not (response.level is not None or response.not_applicable):
        return "Not answered"
    if response.not_applicable:
        return "Not applicable"
    return level_label(response.level)


@dataclass(frozen=True)
class CommitmentProgress:
    commitment: Commitment
    answered: int
    total: int
    last_change: ResponseChange | None

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 0

    @property
    def is_complete(self) -> bool:
        return self.total > 0 and self.answered == self.total


@dataclass(frozen=True)
class Overview:
    commitments: list[CommitmentProgress]

    @property
    def answered(self) -> int:
        return sum(c.answered for c in self.commitments)

    @property
    def total(self) -> int:
        return sum(c.total for c in self.commitments)

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 0

    @property
    def next_incomplete(self) -> Commitment | None:
        return next((c.commitment for c in self.commitments if not c.is_complete), None)


def assessment_outline(assessment: Assessment) -> RubricOutline:
    """The rubric's outline as this assessment sees it: only the indicators that apply to the organization's
    type (an indicator that does not apply is not shown, not answered, not counted and not scored)."""
    return rubric_outline(assessment.cycle.rubric, org_type=assessment.organization.org_type)


def assessment_overview(
    assessment: Assessment, *, with_changes: bool = True, outline: RubricOutline | None = None
) -> Overview:
    """Per commitment: answered of total, and (with_changes) the latest change, who and when.

    The rubric's outline comes from the cache (or from the caller that already holds it): one query for the
    answered counts, one more for the latest changes.
    """
    outline = outline or assessment_outline(assessment)
    commitment_of = {i.pk: c.pk for c in outline.commitments for i in c.indicators.all()}
    answered: dict[int, int] = {}
    for indicator_id in Response.objects.filter(ANSWERED, assessment=assessment).values_list(
        "indicator_id", flat=True
    ):
        commitment_id = commitment_of.get(indicator_id)
        answered[commitment_id] = answered.get(commitment_id, 0) + 1
    changes = _latest_changes(assessment) if with_changes else {}
    unrecorded = [pk for pk in answered if pk is not None and pk not in changes] if with_changes else []
    if unrecorded:
        changes.update(_latest_saves(assessment, unrecorded))
    return Overview(
        commitments=[
            CommitmentProgress(
                commitment=c,
                answered=answered.get(c.pk, 0),
                total=len(c.indicators.all()),
                last_change=changes.get(c.pk),
            )
            for c in outline.commitments
        ]
    )


def _latest_changes(assessment: Assessment) -> dict[int, ResponseChange]:
    """{commitment id: the latest change to one of its answers} (one query).

    Each answer's latest change, found through ResponseChange's (response, -changed_at, -id) index: one short
    index read per answer, however long the history. Sorting the whole history instead (DISTINCT ON) read
    every change the assessment ever had: 13 ms of PostgreSQL at 1,640 changes (README, Performance)."""
    latest_of_answer = (
        ResponseChange.objects.filter(response=OuterRef("pk")).order_by("-changed_at", "-pk").values("pk")[:1]
    )
    changes = ResponseChange.objects.filter(
        pk__in=Response.objects.filter(assessment=assessment).values(last=Subquery(latest_of_answer))
    ).select_related("changed_by", "response__indicator")
    latest: dict[int, ResponseChange] = {}
    for change in changes:
        commitment_id = change.response.indicator.commitment_id
        kept = latest.get(commitment_id)
        if kept is None or (change.changed_at, change.pk) > (kept.changed_at, kept.pk):
            latest[commitment_id] = change
    return latest


def _latest_saves(assessment: Assessment, commitment_ids) -> dict[int, ResponseChange]:
    """{commitment id: its latest saved answer, as an unsaved ResponseChange} for answers without a recorded
    change (loaded in bulk, as the demo data and copies from older versions were): who saved and when,
    rather than a dash on a fully answered commitment (one query)."""
    latest: dict[int, ResponseChange] = {}
    for response in (
        Response.objects.filter(ANSWERED, assessment=assessment, indicator__commitment_id__in=commitment_ids)
        .select_related("updated_by", "indicator")
        .order_by("updated_at", "pk")
    ):
        latest[response.indicator.commitment_id] = ResponseChange(
            response=response, changed_by=response.updated_by, changed_at=response.updated_at
        )
    return latest


def previous_assessment(assessment: Assessment) -> Assessment | None:
    """The organization's submitted or validated assessment of the cycle before this one."""
    previous_cycle = assessment.cycle.previous()
    if previous_cycle is None:
        return None
    return (
        Assessment.objects.submitted()
        .filter(organization_id=assessment.organization_id, cycle=previous_cycle)
        .select_related("cycle__rubric")
        .first()
    )


def previous_answers(assessment: Assessment, previous: Assessment | None = None) -> dict[int, Response]:
    """{indicator id of this assessment's rubric: last cycle's response}, crosswalked across rubrics.

    Without `previous`, one query: the answers of the organization's submitted or validated assessment
    of the cycle before this one (AssessmentCycle.previous), found in the same statement.
    """
    if previous is not None:
        responses = Response.objects.filter(ANSWERED, assessment=previous)
        from_rubric = previous.cycle.rubric
    else:
        previous_cycle = (
            AssessmentCycle.objects.filter(opens_on__lt=assessment.cycle.opens_on)
            .order_by("-opens_on")
            .values("pk")[:1]
        )
        responses = list(
            Response.objects.filter(
                ANSWERED,
                assessment__organization_id=assessment.organization_id,
                assessment__cycle=Subquery(previous_cycle),
                assessment__status__in=[Assessment.Status.SUBMITTED, Assessment.Status.VALIDATED],
            ).annotate(rubric_id=F("assessment__cycle__rubric_id"))
        )
        if not responses:
            return {}
        from_rubric = assessment.cycle.rubric
        if responses[0].rubric_id == from_rubric.pk:  # the same rubric version: the same indicators
            return {r.indicator_id: r for r in responses}
        from_rubric = Rubric.objects.get(pk=responses[0].rubric_id)  # last cycle used an older version
    mapping = crosswalk(from_rubric, assessment.cycle.rubric)
    return {mapping[r.indicator_id]: r for r in responses if r.indicator_id in mapping}


@dataclass(frozen=True)
class IndicatorRow:
    indicator: Indicator
    response: Response | None
    previous: Response | None = None

    @property
    def descriptors(self):
        return self.indicator.descriptors.all()

    @property
    def previous_label(self) -> str:
        return answer_label(self.previous) if self.previous else ""


def commitment_rows(
    assessment: Assessment, commitment: Commitment, *, outline: RubricOutline | None = None
) -> list[IndicatorRow]:
    """The commitment's indicators with descriptors, this assessment's answer and last cycle's."""
    kept = (outline or assessment_outline(assessment)).commitment(commitment.slug)
    indicators = list(kept.indicators.all()) if kept is not None else []
    responses = {
        r.indicator_id: r
        for r in Response.objects.filter(
            assessment=assessment, indicator_id__in=[i.pk for i in indicators]
        ).select_related("updated_by")
    }
    previous = previous_answers(assessment)
    return [IndicatorRow(i, responses.get(i.pk), previous.get(i.pk)) for i in indicators]


def assessment_rows(assessment: Assessment) -> list[IndicatorRow]:
    """Every indicator of the assessment (those that apply to its organization), in order, with its answer
    (None when never saved)."""
    indicators = [i for c in assessment_outline(assessment).commitments for i in c.indicators.all()]
    responses = {r.indicator_id: r for r in Response.objects.filter(assessment=assessment)}
    return [IndicatorRow(i, responses.get(i.pk)) for i in indicators]


@dataclass(frozen=True)
class QualityWarning:
    indicator: Indicator
    message: str


@dataclass
class ReviewIssues:
    unanswered: list[Indicator] = field(default_factory=list)
    warnings: list[QualityWarning] = field(default_factory=list)

    @property
    def can_submit(self) -> bool:
        return not self.unanswered


def _justification_warning(text: str) -> str:
    plain = text.strip()
    if (
        plain.lower().strip(" .!") in PLACEHOLDER_JUSTIFICATIONS
        or plain.lower() in PLACEHOLDER_JUSTIFICATIONS
    ):
        return f"Marked Not applicable with “{plain}” as the reason: say why the indicator does not apply."
    if len(plain) < MIN_JUSTIFICATION:
        return (
            f"Marked Not applicable with a very short reason ({len(plain)} characters): "
            "a reviewer will need to understand why it does not apply."
        )
    return ""


def review_issues(assessment: Assessment, rows: Iterable[IndicatorRow] | None = None) -> ReviewIssues:
    """Unanswered indicators (they block submission) and data-quality warnings (they do not)."""
    rows = list(rows) if rows is not None else assessment_rows(assessment)
    previous = previous_answers(assessment)
    same_evidence = identical_evidence(rows)
    documented = frozenset(
        EvidenceLink.objects.live().filter(assessment=assessment).values_list("indicator_id", flat=True)
    )
    issues = ReviewIssues()
    for row in rows:
        response, indicator = row.response, row.indicator
        if response is None or not response.is_answered:
            issues.unanswered.append(indicator)
            continue
        if response.level is not None and response.level >= 4 and not has_evidence(response, documented):
            issues.warnings.append(
                QualityWarning(
                    indicator,
                    f"Level {level_label(response.level)} without evidence: "
                    "say what shows the practice is measured and managed.",
                )
            )
        if response.not_applicable:
            for message in (
                _justification_warning(response.na_justification),
                na_applies_message(indicator, assessment.organization.org_type),
            ):
                if message:
                    issues.warnings.append(QualityWarning(indicator, message))
        if indicator.pk in same_evidence:
            codes = ", ".join(other.code for other in same_evidence[indicator.pk])
            issues.warnings.append(
                QualityWarning(
                    indicator, f"The same evidence summary as {codes}: say what shows this practice."
                )
            )
        before = previous.get(indicator.pk)
        if before is not None and before.level is not None and response.level is not None:
            jump = response.level - before.level
            if abs(jump) >= 2:
                direction = "Up" if jump > 0 else "Down"
                issues.warnings.append(
                    QualityWarning(
                        indicator,
                        f"{direction} {abs(jump)} levels since last cycle ({level_label(before.level)} → "
                        f"{level_label(response.level)}): make sure the evidence explains the change.",
                    )
                )
    return issues


def assessment_history(assessment: Assessment):
    """Every change of every answer of the assessment, newest first."""
    return (
        ResponseChange.objects.filter(response__assessment=assessment)
        .select_related("changed_by", "response__indicator__commitment")
        .order_by("-changed_at", "-pk")
    )


def _display(name: str, value) -> str:
    if name == "level":
        return level_label(value) if value is not None else "—"
    if name == "not_applicable":
        return "Yes" if value else "No"
    return value if value not in (None, "") else "—"


def change_lines(change: ResponseChange) -> list[tuple[str, str, str]]:
    """[(field label, old, new)] of one ResponseChange, in form order."""
    return [
        (label, _display(name, change.old_values.get(name)), _display(name, change.new_values.get(name)))
        for name, label in FIELD_LABELS.items()
        if name in change.new_values or name in change.old_values
    ]


def cycles_with_counts():
    """Every cycle with how many assessments are in each status."""
    by_status = {
        f"n_{status}": Count("assessments", filter=Q(assessments__status=status))
        for status in Assessment.Status.values
    }
    return (
        AssessmentCycle.objects.select_related("rubric")
        .annotate(n_total=Count("assessments"), **by_status)
        .order_by("-opens_on")
    )


def cycle_assessments(cycle: AssessmentCycle, status: str = ""):
    """The cycle's assessments, by organization, with their answered count."""
    queryset = (
        Assessment.objects.filter(cycle=cycle)
        .select_related("organization", "cycle", "submitted_by", "reviewed_by")
        .annotate(
            n_answered=Count(
                "responses", filter=Q(responses__level__isnull=False) | Q(responses__not_applicable=True)
            )
        )
        .order_by("organization__name")
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def review_queue():
    """Assessments waiting for NAM review, the one waiting longest first."""
    return (
        Assessment.objects.filter(status=Assessment.Status.SUBMITTED)
        .select_related("organization", "cycle", "submitted_by")
        .order_by("submitted_at", "pk")
    )


def organization_assessments(organization):
    """The organization's assessments of every cycle, newest cycle first."""
    return (
        Assessment.objects.filter(organization=organization)
        .select_related("cycle")
        .order_by("-cycle__opens_on")
    )


def current_open_cycle() -> AssessmentCycle | None:
    return AssessmentCycle.objects.open().select_related("rubric").order_by("-opens_on").first()


# =========================================================================================================


# =========================================================================================================
# Legal requirements attested beside the assessment (compliance items: not scored, not benchmarked)
# =========================================================================================================


@dataclass(frozen=True)
class ComplianceRow:
    item: ComplianceItem
    answer: ComplianceAnswer | None


def compliance_rows(assessment: Assessment) -> list[ComplianceRow]:
    """The rubric's legal requirements for the organization's type, each with its attestation (2 queries)."""
    org_type = assessment.organization.org_type
    items = [
        item
        for item in ComplianceItem.objects.filter(rubric_id=assessment.cycle.rubric_id).order_by("order")
        if item.applies_to_type(org_type)
    ]
    answers = {a.item_id: a for a in ComplianceAnswer.objects.filter(assessment=assessment)}
    return [ComplianceRow(item, answers.get(item.pk)) for item in items]
