"""Assessment cycles: NAM staff create them, open them one at a time and close them."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from commitments.models import Rubric

from ..models import AssessmentCycle
from .state import WorkflowError


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
