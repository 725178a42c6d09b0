"""Who is due which reminder now: each person's own date and hour (their time zone) decide.

A reminder is due once its person's local time has passed REMINDER_LOCAL_HOUR on the day it falls due, and
until it is sent (SentReminder): an hourly run that was missed is made up by the next one, never twice.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from assessments.models import Assessment, AssessmentCycle, Membership, Organization, Role
from assessments.permissions import NAM_STAFF_GROUP

from ..plans.models import ImprovementAction
from .models import ReminderKind, ReminderPreference, SentReminder

DEADLINE_DAYS = (30, 14, 7, 1)
ACTION_DUE_DAYS = 7
REVIEW_WAITING_DAYS = 14


@dataclass(frozen=True)
class DueReminder:
    kind: str
    event_key: str
    text: str  # one line of the e-mail
    url: str


def _url(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def preferences(user_ids) -> dict[int, ReminderPreference]:
    """Each person's preferences; the defaults (an unsaved row) for those who never chose."""
    stored = {p.user_id: p for p in ReminderPreference.objects.filter(user_id__in=user_ids)}
    return {pk: stored.get(pk) or ReminderPreference(user_id=pk) for pk in user_ids}


def _local(now: datetime.datetime, preference: ReminderPreference) -> datetime.datetime | None:
    """The person's local time, or None before their morning hour (nothing is sent at night)."""
    local = now.astimezone(preference.zone)
    return local if local.hour >= settings.REMINDER_LOCAL_HOUR else None


def _people(queryset):
    return queryset.filter(is_active=True).exclude(email="")


def _deadline_candidates(now, user_ids):
    """[(user id, cycle, organization)] for organizations whose assessment of an open cycle is unfinished
    (not started, draft or returned) while the cycle closes within 31 days."""
    today = now.date()
    cycles = list(
        AssessmentCycle.objects.open().filter(
            closes_on__gte=today - datetime.timedelta(days=1),
            closes_on__lte=today + datetime.timedelta(days=max(DEADLINE_DAYS) + 1),
        )
    )
    found = []
    for cycle in cycles:
        finished = Assessment.objects.filter(cycle=cycle).exclude(
            status__in=[Assessment.Status.DRAFT, Assessment.Status.RETURNED]
        )
        organizations = Organization.objects.active().exclude(pk__in=finished.values("organization_id"))
        memberships = Membership.objects.filter(
            organization__in=organizations,
            role__in=[Role.ORG_ADMIN, Role.ASSESSOR],
            user__is_active=True,
        ).exclude(user__email="")
        if user_ids is not None:
            memberships = memberships.filter(user_id__in=user_ids)
        for membership in memberships.select_related("organization"):
            found.append((membership.user_id, cycle, membership.organization))
    return found


def _deadline_reminder(local, *, cycle, organization) -> DueReminder | None:
    days_left = (cycle.closes_on - local.date()).days
    if not 1 <= days_left <= max(DEADLINE_DAYS):
        return None
    threshold = min(days for days in DEADLINE_DAYS if days >= days_left)
    return DueReminder(
        kind=ReminderKind.DEADLINE,
        event_key=f"cycle {cycle.pk}:organization {organization.pk}:{threshold} days",
        text=f"{organization.name}: the {cycle.name} self-assessment is due on {cycle.closes_on:%B %-d, %Y} "
        f"({days_left} day{'s' if days_left != 1 else ''} left) and is not submitted yet.",
        url=_url("assessments:overview", organization.slug, cycle.slug),
    )


def _actions(now, user_ids):
    actions = ImprovementAction.objects.filter(
        owner__isnull=False,
        owner__is_active=True,
        status__in=[ImprovementAction.Status.PLANNED, ImprovementAction.Status.IN_PROGRESS],
        due_date__lte=now.date() + datetime.timedelta(days=ACTION_DUE_DAYS + 1),
        organization__is_active=True,
    ).exclude(owner__email="")
    if user_ids is not None:
        actions = actions.filter(owner_id__in=user_ids)
    return actions.select_related("organization", "commitment").order_by("due_date", "pk")


def _action_reminder(local, *, action) -> DueReminder | None:
    days = (action.due_date - local.date()).days
    if days > ACTION_DUE_DAYS:
        return None
    when = "overdue" if days < 0 else "due"
    if days < 0:
        text = f"overdue since {action.due_date:%B %-d, %Y} ({-days} day{'s' if days != -1 else ''})"
    else:
        text = f"due on {action.due_date:%B %-d, %Y}"
    return DueReminder(
        kind=ReminderKind.ACTION,
        event_key=f"action {action.pk}:{when}:{action.due_date.isoformat()}",
        text=f"{action.organization.name}, {action.commitment.name}: “{action.title}” is {text}.",
        url=_url("reports:plan", action.organization.slug),
    )


def _waiting_submissions(now):
    return list(
        Assessment.objects.filter(
            status=Assessment.Status.SUBMITTED,
            submitted_at__lte=now - datetime.timedelta(days=REVIEW_WAITING_DAYS),
        )
        .select_related("organization", "cycle")
        .order_by("submitted_at", "pk")
    )


def _review_reminder(local, *, assessment) -> DueReminder:
    days = (local - assessment.submitted_at).days
    return DueReminder(
        kind=ReminderKind.REVIEW,
        event_key=f"assessment {assessment.pk}:submitted {assessment.submitted_at:%Y%m%d%H%M%S}",
        text=f"{assessment.organization.name}: the {assessment.cycle.name} assessment has waited {days} days "
        "for review.",
        url=_url("assessments:nam_review", assessment.pk),
    )


def due_reminders(now: datetime.datetime, user_ids=None) -> dict[int, list[DueReminder]]:
    """{user id: the reminders due now and not sent yet, of the kinds they receive}; user_ids: only them."""
    candidates: dict[int, list] = defaultdict(list)  # user id -> [builder(local datetime) -> reminder]
    for user_id, cycle, organization in _deadline_candidates(now, user_ids):
        candidates[user_id].append(partial(_deadline_reminder, cycle=cycle, organization=organization))
    for action in _actions(now, user_ids):
        candidates[action.owner_id].append(partial(_action_reminder, action=action))
    waiting = _waiting_submissions(now)
    if waiting:
        staff = _people(get_user_model().objects.filter(groups__name=NAM_STAFF_GROUP))
        if user_ids is not None:
            staff = staff.filter(pk__in=user_ids)
        for user_id in staff.values_list("pk", flat=True):
            for assessment in waiting:
                candidates[user_id].append(partial(_review_reminder, assessment=assessment))
    chosen = preferences(list(candidates))
    due: dict[int, list[DueReminder]] = {}
    for user_id, builders in candidates.items():
        local = _local(now, chosen[user_id])
        if local is None:
            continue
        reminders = [r for r in (build(local) for build in builders) if r and chosen[user_id].wants(r.kind)]
        if reminders:
            due[user_id] = reminders
    return _not_sent(due)


def _not_sent(due: dict[int, list[DueReminder]]) -> dict[int, list[DueReminder]]:
    if not due:
        return {}
    keys = {r.event_key for reminders in due.values() for r in reminders}
    sent = set(
        SentReminder.objects.filter(user_id__in=list(due), event_key__in=keys).values_list(
            "user_id", "kind", "event_key"
        )
    )
    left = {
        user_id: [r for r in reminders if (user_id, r.kind, r.event_key) not in sent]
        for user_id, reminders in due.items()
    }
    return {user_id: reminders for user_id, reminders in left.items() if reminders}


def review_kind_applies(user) -> bool:
    """Whether the review reminders concern this person (NAM staff)."""
    return user.groups.filter(name=NAM_STAFF_GROUP).exists()
