"""Writes of improvement plans: commitment targets, actions, their progress notes.

The organization always comes from the caller's checked URL organization; every other object named by the
user (commitment, indicators, owner, action) is checked against it here, so that a forged id of another
organization or another rubric is refused with a ValidationError and nothing is written.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assessments.models import AssessmentCycle, Membership, Organization
from commitments.models import Commitment, Indicator

from .models import ActionNote, CommitmentTarget, ImprovementAction
from .suggestions import CommitmentSuggestion

TARGET_MIN = Decimal("1.00")
TARGET_MAX = Decimal("5.00")
TITLE_MAX = ImprovementAction._meta.get_field("title").max_length
DESCRIPTION_MAX = 4000
NOTE_MAX = 2000
OPEN_STATUSES = (ImprovementAction.Status.PLANNED, ImprovementAction.Status.IN_PROGRESS)


# ---------------------------------------------------------------------------------------------------------
# Checks shared by the writes


def _check_commitment(*, cycle: AssessmentCycle, commitment: Commitment) -> None:
    if commitment.rubric_id != cycle.rubric_id:
        raise ValidationError(
            {"commitment": f"That commitment is not part of the rubric of cycle {cycle.name}."}
        )


def _check_owner(*, organization: Organization, owner) -> None:
    if owner is None:
        return
    if not Membership.objects.filter(organization=organization, user=owner).exists():
        raise ValidationError({"owner": f"The owner must be a member of {organization.name}."})


def _check_indicators(*, commitment: Commitment, indicators: Sequence[Indicator]) -> None:
    wrong = [i for i in indicators if i.commitment_id != commitment.pk]
    if wrong:
        codes = ", ".join(i.code for i in wrong)
        raise ValidationError(
            {"indicators": f"Choose indicators of the commitment {commitment.name} only (not {codes})."}
        )


def _check_text(*, title: str, description: str) -> tuple[str, str]:
    title = (title or "").strip()
    description = (description or "").strip()
    errors = {}
    if not title:
        errors["title"] = "Give the action a short title."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Keep the title to {TITLE_MAX} characters or fewer."
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = f"Keep the description to {DESCRIPTION_MAX} characters or fewer."
    if errors:
        raise ValidationError(errors)
    return title, description


def _check_status(status: str) -> None:
    if status not in ImprovementAction.Status.values:
        raise ValidationError({"status": "Choose one of: planned, in progress, done, dropped."})


def _check_action(*, organization: Organization, action: ImprovementAction) -> None:
    # Views load actions through the organization already; this is the second lock on the door.
    if action.organization_id != organization.pk:
        raise ValidationError("That action belongs to another organization.")


def _status_note(*, action: ImprovementAction, old: str, new: str, user, comment: str = "") -> ActionNote:
    labels = ImprovementAction.Status
    text = f"Status changed from {labels(old).label} to {labels(new).label}."
    if comment:
        text = f"{text} {comment}"
    return ActionNote.objects.create(action=action, text=text[:NOTE_MAX], author=user)


# ---------------------------------------------------------------------------------------------------------
# Targets


@transaction.atomic
def target_set(
    *,
    organization: Organization,
    cycle: AssessmentCycle,
    commitment: Commitment,
    target_level: Decimal | None,
    user,
) -> CommitmentTarget | None:
    """Set (or, with no level, remove) the level the organization aims for on one commitment."""
    _check_commitment(cycle=cycle, commitment=commitment)
    if target_level is None:
        CommitmentTarget.objects.filter(
            organization=organization, cycle=cycle, commitment=commitment
        ).delete()
        return None
    target_level = Decimal(target_level).quantize(Decimal("0.01"))
    if not TARGET_MIN <= target_level <= TARGET_MAX:
        raise ValidationError({"target_level": "A target is a level from 1.00 to 5.00."})
    target, _ = CommitmentTarget.objects.update_or_create(
        organization=organization,
        cycle=cycle,
        commitment=commitment,
        defaults={"target_level": target_level, "updated_by": user},
    )
    return target


# ---------------------------------------------------------------------------------------------------------
# Actions


@transaction.atomic
def action_create(
    *,
    organization: Organization,
    cycle: AssessmentCycle,
    commitment: Commitment,
    title: str,
    user,
    description: str = "",
    owner=None,
    due_date: datetime.date | None = None,
    indicators: Iterable[Indicator] = (),
    status: str = ImprovementAction.Status.PLANNED,
) -> ImprovementAction:
    """Add one action to the organization's plan for the cycle."""
    indicators = list(indicators)
    _check_commitment(cycle=cycle, commitment=commitment)
    _check_indicators(commitment=commitment, indicators=indicators)
    _check_owner(organization=organization, owner=owner)
    _check_status(status)
    title, description = _check_text(title=title, description=description)
    action = ImprovementAction.objects.create(
        organization=organization,
        cycle=cycle,
        commitment=commitment,
        title=title,
        description=description,
        owner=owner,
        due_date=due_date,
        status=status,
    )
    if indicators:
        action.indicators.set(indicators)
    return action


@transaction.atomic
def action_update(
    *,
    organization: Organization,
    action: ImprovementAction,
    user,
    commitment: Commitment,
    title: str,
    description: str = "",
    owner=None,
    due_date: datetime.date | None = None,
    indicators: Iterable[Indicator] = (),
    status: str,
) -> ImprovementAction:
    """Change an action; a status change is also written to its notes, so progress has a history."""
    indicators = list(indicators)
    _check_action(organization=organization, action=action)
    _check_commitment(cycle=action.cycle, commitment=commitment)
    _check_indicators(commitment=commitment, indicators=indicators)
    _check_owner(organization=organization, owner=owner)
    _check_status(status)
    title, description = _check_text(title=title, description=description)
    old_status = action.status
    action.commitment = commitment
    action.title = title
    action.description = description
    action.owner = owner
    action.due_date = due_date
    action.status = status
    action.save()
    action.indicators.set(indicators)
    if old_status != status:
        _status_note(action=action, old=old_status, new=status, user=user)
    return action


@transaction.atomic
def action_set_status(
    *, organization: Organization, action: ImprovementAction, status: str, user, comment: str = ""
) -> ImprovementAction:
    """Move an action to another status and note the change (with an optional comment)."""
    _check_action(organization=organization, action=action)
    _check_status(status)
    comment = (comment or "").strip()
    if len(comment) > NOTE_MAX - 80:
        raise ValidationError({"comment": f"Keep the comment to {NOTE_MAX - 80} characters or fewer."})
    if action.status == status:
        if comment:
            ActionNote.objects.create(action=action, text=comment, author=user)
        return action
    old_status = action.status
    action.status = status
    action.save(update_fields=["status", "updated_at"])
    _status_note(action=action, old=old_status, new=status, user=user, comment=comment)
    return action


@transaction.atomic
def note_add(
    *,
    organization: Organization,
    action: ImprovementAction,
    text: str,
    user,
    noted_on: datetime.date | None = None,
) -> ActionNote:
    """Record progress on an action (what was done, what is blocking it)."""
    _check_action(organization=organization, action=action)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write what happened."})
    if len(text) > NOTE_MAX:
        raise ValidationError({"text": f"Keep a note to {NOTE_MAX} characters or fewer."})
    noted_on = noted_on or timezone.localdate()
    if noted_on > timezone.localdate():
        raise ValidationError({"noted_on": "A progress note cannot be dated in the future."})
    return ActionNote.objects.create(action=action, noted_on=noted_on, text=text, author=user)


# ---------------------------------------------------------------------------------------------------------
# Starting a plan from the suggestions


@dataclass(frozen=True)
class PlanStartResult:
    targets_set: int
    actions_created: int
    skipped_existing_targets: int


@transaction.atomic
def plan_start_from_suggestions(
    *,
    organization: Organization,
    cycle: AssessmentCycle,
    user,
    suggestions: Sequence[CommitmentSuggestion],
) -> PlanStartResult:
    """Set the suggested targets and add one action per indicator to move (`actions_to_add`), keeping what
    the plan has.

    A target already set is kept (the team chose it); an action is not added twice for the same
    indicator and title.
    """
    targets_set = actions_created = skipped = 0
    commitments = Commitment.objects.in_bulk([s.commitment_id for s in suggestions])
    indicators = Indicator.objects.in_bulk([i.indicator_id for s in suggestions for i in s.actions_to_add])
    existing_targets = set(
        CommitmentTarget.objects.filter(organization=organization, cycle=cycle).values_list(
            "commitment_id", flat=True
        )
    )
    existing_actions = set(
        ImprovementAction.objects.filter(organization=organization, cycle=cycle).values_list(
            "commitment_id", "title"
        )
    )
    for suggestion in suggestions:
        commitment = commitments[suggestion.commitment_id]
        if commitment.pk in existing_targets:
            skipped += 1
        else:
            target_set(
                organization=organization,
                cycle=cycle,
                commitment=commitment,
                target_level=suggestion.suggested_target,
                user=user,
            )
            targets_set += 1
        for item in suggestion.actions_to_add:
            if (commitment.pk, item.suggested_title) in existing_actions:
                continue
            action_create(
                organization=organization,
                cycle=cycle,
                commitment=commitment,
                title=item.suggested_title,
                description=item.next_descriptor,
                indicators=[indicators[item.indicator_id]],
                user=user,
            )
            existing_actions.add((commitment.pk, item.suggested_title))
            actions_created += 1
    return PlanStartResult(
        targets_set=targets_set, actions_created=actions_created, skipped_existing_targets=skipped
    )
