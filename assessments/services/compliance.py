"""Writes of the legal-requirement attestations that sit beside an assessment (never scored)."""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import ComplianceAnswer, ComplianceStatus
from ..selectors import compliance_rows
from .workflow import _lock_editable


@transaction.atomic
def compliance_answers_save(*, assessment, user, answers: Mapping[int, tuple[str, str]]) -> int:
    """Write attestations {item id: (status, note)} (an empty status clears one); returns how many changed."""
    assessment = _lock_editable(assessment)
    rows = {row.item.pk: row for row in compliance_rows(assessment)}
    if set(answers) - set(rows):
        raise ValidationError("A legal requirement is not part of this assessment; nothing was saved.")
    changed = 0
    for item_id, (status, note) in answers.items():
        note = (note or "").strip()
        if status and status not in ComplianceStatus.values:
            raise ValidationError(f"{status!r} is not an answer: choose Yes, No or In progress.")
        current = rows[item_id].answer
        if not status:
            if current is not None:
                current.delete()
                changed += 1
            continue
        if current is not None and (current.status, current.note) == (status, note):
            continue
        ComplianceAnswer.objects.update_or_create(
            assessment=assessment,
            item_id=item_id,
            defaults={"status": status, "note": note, "updated_by": user},
        )
        changed += 1
    return changed
