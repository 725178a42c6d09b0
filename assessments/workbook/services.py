"""Applying a previewed workbook: through the one save service, so versions, history and conflicts behave
exactly as on the commitment pages."""

from collections.abc import Mapping, Sequence
from dataclasses import replace

from ..forms.workflow import KEEP_MINE, TAKE_THEIRS
from ..models import Assessment
from ..services.workflow import Answer, SaveResult, responses_save


def workbook_apply(
    *, assessment: Assessment, user, answers: Sequence[Answer], resolutions: Mapping[int, tuple[str, int]]
) -> SaveResult:
    """Save the workbook's answers (ResponseChange history, version + 1 each). resolutions: for each conflict
    of the preview, (KEEP_MINE or TAKE_THEIRS, the saved version the officer saw); a conflict left without
    a choice stays a conflict and comes back in the result."""
    kept = []
    for answer in answers:
        choice, seen_version = resolutions.get(answer.indicator_id, ("", answer.version))
        if choice == TAKE_THEIRS:
            continue
        if choice == KEEP_MINE:
            # As the commitment page's re-post: the workbook's answer over the version the officer was shown.
            answer = replace(answer, version=seen_version)
        kept.append(answer)
    return responses_save(assessment=assessment, user=user, answers=kept)
