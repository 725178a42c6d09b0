"""The data-review rules that need no other selector: what counts as evidence, and the checks that read
one assessment's answers. assessments.selectors.review_issues calls them (no import back from here)."""

from commitments.models import type_labels


def has_evidence(response, documented=frozenset()) -> bool:
    """Whether an answer shows its evidence: an evidence summary, or an evidence document on its indicator
    (`documented`: indicator ids with a live document, assessments.evidence). The one place that says so."""
    if response is None:
        return False
    return bool((response.evidence_summary or "").strip()) or response.indicator_id in documented


def na_applies_message(indicator, org_type: str) -> str:
    """An N/A on an indicator the rubric names as meant for this organization's type."""
    if indicator.applies_to and org_type in indicator.applies_to:
        return (
            f"Marked Not applicable, but the rubric says this indicator applies to "
            f"{type_labels([org_type])[0].lower()} organizations like yours: check the answer."
        )
    return ""


def identical_evidence(rows) -> dict[int, list]:
    """{indicator id: the other indicators with the very same evidence summary} (ignoring case and spaces)."""
    by_text: dict[str, list] = {}
    for row in rows:
        text = " ".join((row.response.evidence_summary or "").lower().split()) if row.response else ""
        if text:
            by_text.setdefault(text, []).append(row.indicator)
    same = {}
    for indicators in by_text.values():
        if len(indicators) > 1:
            for indicator in indicators:
                same[indicator.pk] = [other for other in indicators if other.pk != indicator.pk]
    return same
