"""An organization's own assessment as a table for CSV/XLSX (reports.exporters.tabular makes the bytes)."""

from assessments.evidence.selectors import documents_by_indicator
from assessments.models import Assessment
from assessments.selectors import assessment_rows
from commitments.models import level_label

from .tabular import Table

ASSESSMENT_HEADER = [
    "Commitment",
    "Indicator code",
    "Indicator title",
    "Level",
    "Level label",
    "N/A justification",
    "Evidence summary",
    "Evidence links",
    "Evidence documents",
]


def assessment_table(assessment: Assessment) -> Table:
    """One row per indicator of the rubric, in rubric order; unanswered indicators have empty answers."""
    rows = []
    documents = documents_by_indicator(assessment)  # "name (from 2025)" for carried-over ones
    for row in assessment_rows(assessment):
        response, indicator = row.response, row.indicator
        if response is None or not response.is_answered:
            level, label = None, "Not answered"
        elif response.not_applicable:
            level, label = None, "Not applicable"
        else:
            level, label = response.level, level_label(response.level)
        rows.append(
            [
                indicator.commitment.name,
                indicator.code,
                indicator.title,
                level,
                label,
                response.na_justification if response else "",
                response.evidence_summary if response else "",
                response.evidence_links if response else "",
                "; ".join(documents.get(indicator.pk, [])),
            ]
        )
    return Table(header=ASSESSMENT_HEADER, rows=rows, title=f"Assessment {assessment.cycle.name}")
