"""Writes of rating rounds: groups, rounds, invitations, ratings, closing and re-opening, consensus.

Every write checks everything first and changes nothing when anything is wrong (ValidationError says why).
"""

import datetime
import secrets
from collections.abc import Mapping

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from commitments.models import Commitment

from ..models import Assessment, Organization, Response
from ..services.workflow import Answer, responses_save
from .models import DEFAULT_RATER_GROUPS, ConsensusDecision, Rater, RaterGroup, Rating, RatingRound
from .selectors import round_indicator_ids

LINK_SALT = "assessments.raters.link"
DONT_KNOW = "dk"
MAX_NOTE = 2000


class RaterLinkError(Exception):
    """A rater link that cannot be used; `reason` is one of expired, invalid, removed."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# ---------------------------------------------------------------------------------------------------------
# Rater groups


@transaction.atomic
def rater_groups_ensure(*, organization: Organization) -> list[RaterGroup]:
    """The organization's rater groups; the four default ones are created the first time."""
    groups = list(RaterGroup.objects.filter(organization=organization))
    if not groups:
        groups = RaterGroup.objects.bulk_create(
            RaterGroup(organization=organization, name=name, order=i)
            for i, name in enumerate(DEFAULT_RATER_GROUPS)
        )
    return groups


def _clean_group_name(organization: Organization, name: str, *, exclude: int | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError("Give the group a name.")
    if len(name) > 60:
        raise ValidationError("A group's name has at most 60 characters.")
    taken = RaterGroup.objects.filter(organization=organization, name__iexact=name).exclude(pk=exclude)
    if taken.exists():
        raise ValidationError(f"There is already a group called {name}.")
    return name


@transaction.atomic
def rater_group_add(*, organization: Organization, name: str) -> RaterGroup:
    """Add a rater group to the organization (after the existing ones)."""
    rater_groups_ensure(organization=organization)
    name = _clean_group_name(organization, name)
    last = RaterGroup.objects.filter(organization=organization).order_by("-order").first()
    return RaterGroup.objects.create(organization=organization, name=name, order=last.order + 1)


@transaction.atomic
def rater_group_rename(*, group: RaterGroup, name: str) -> RaterGroup:
    """Rename a rater group (its raters and their ratings stay in it)."""
    group.name = _clean_group_name(group.organization, name, exclude=group.pk)
    group.save(update_fields=["name"])
    return group


# ---------------------------------------------------------------------------------------------------------
# Rounds


def _lock_assessment(assessment: Assessment) -> Assessment:
    assessment = (
        Assessment.objects.select_for_update().select_related("cycle", "organization").get(pk=assessment.pk)
    )
    if not assessment.is_editable:
        raise ValidationError(
            f"The {assessment.cycle} assessment is {assessment.get_status_display().lower()}"
            + (" in a closed cycle" if assessment.cycle.is_closed else "")
            + ": its answers cannot change, so a rating round cannot be opened or decided on it."
        )
    return assessment


def _check_closing_date(closes_on: datetime.date | None) -> None:
    if closes_on is None:
        raise ValidationError("Give a closing date.")
    if closes_on < timezone.localdate():
        raise ValidationError("The closing date has passed: give today or a later day.")


@transaction.atomic
def round_open(
    *, assessment: Assessment, user, closes_on: datetime.date, commitments: list[Commitment] = ()
) -> RatingRound:
    """Open a rating round on the assessment, on the whole rubric or the chosen commitments."""
    assessment = _lock_assessment(assessment)
    _check_closing_date(closes_on)
    if any(c.rubric_id != assessment.cycle.rubric_id for c in commitments):
        raise ValidationError("A commitment is not part of this assessment's rubric.")
    if any(
        r.is_open for r in RatingRound.objects.filter(assessment=assessment, status=RatingRound.Status.OPEN)
    ):
        raise ValidationError("A rating round of this assessment is open: close it before opening another.")
    rater_groups_ensure(organization=assessment.organization)
    rating_round = RatingRound.objects.create(assessment=assessment, closes_on=closes_on, opened_by=user)
    rating_round.commitments.set(commitments)
    return rating_round


def _lock_round(rating_round: RatingRound) -> RatingRound:
    return (
        RatingRound.objects.select_for_update()
        .select_related("assessment__cycle", "assessment__organization")
        .get(pk=rating_round.pk)
    )


@transaction.atomic
def round_close(*, rating_round: RatingRound, user) -> RatingRound:
    """Close the round now (before its closing date, or to mark a passed one closed)."""
    rating_round = _lock_round(rating_round)
    if rating_round.status == RatingRound.Status.CLOSED:
        raise ValidationError("This round is already closed.")
    rating_round.status = RatingRound.Status.CLOSED
    rating_round.closed_at = timezone.now()
    rating_round.save(update_fields=["status", "closed_at"])
    return rating_round


@transaction.atomic
def round_reopen(*, rating_round: RatingRound, user, closes_on: datetime.date) -> RatingRound:
    """Open a closed round again until a new closing date; the ratings given so far stay."""
    rating_round = _lock_round(rating_round)
    _lock_assessment(rating_round.assessment)
    if rating_round.is_open:
        raise ValidationError("This round is open already.")
    _check_closing_date(closes_on)
    others = RatingRound.objects.filter(
        assessment_id=rating_round.assessment_id, status=RatingRound.Status.OPEN
    )
    if any(r.is_open for r in others.exclude(pk=rating_round.pk)):
        raise ValidationError("Another rating round of this assessment is open: close it first.")
    rating_round.status = RatingRound.Status.OPEN
    rating_round.closes_on = closes_on
    rating_round.closed_at = None
    rating_round.save(update_fields=["status", "closes_on", "closed_at"])
    return rating_round


# ---------------------------------------------------------------------------------------------------------
# Raters and their links


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=LINK_SALT)


def rater_token(rater: Rater) -> str:
    """The signed, timestamped token of a rater's link: the rater id and their nonce."""
    return _signer().sign(f"{rater.pk}:{rater.nonce}")


def rater_url(rater: Rater) -> str:
    return settings.SITE_URL + reverse("raters:link", kwargs={"token": rater_token(rater)})


def rater_from_token(token: str) -> Rater:
    """The rater a link stands for, or RaterLinkError saying why it cannot be used."""
    try:
        value = _signer().unsign(token, max_age=settings.RATER_LINK_MAX_AGE_DAYS * 24 * 3600)
    except signing.SignatureExpired:
        raise RaterLinkError("expired") from None
    except signing.BadSignature:
        raise RaterLinkError("invalid") from None
    pk, _, nonce = value.partition(":")
    rater = Rater.objects.filter(pk=int(pk)).first() if pk.isdigit() else None
    if rater is None or not secrets.compare_digest(nonce, rater.nonce):
        raise RaterLinkError("removed")
    return rater


def _send_link(rater: Rater, template: str, subject: str) -> None:
    rating_round = rater.round
    organization = rating_round.assessment.organization
    context = {
        "rater": rater,
        "organization": organization,
        "cycle": rating_round.assessment.cycle,
        "url": rater_url(rater),
        "closes_on": date_format(rating_round.closes_on, "j F Y"),
    }
    send_mail(
        subject.format(organization=organization.name),
        render_to_string(template, context),
        None,
        [rater.email],
    )


@transaction.atomic
def rater_invite(*, rating_round: RatingRound, email: str, group: RaterGroup, user, name: str = "") -> Rater:
    """Invite a person to rate in this round, in one group, and e-mail them their link."""
    rating_round = _lock_round(rating_round)
    email = (email or "").strip().lower()
    if not rating_round.is_open:
        raise ValidationError("This round is closed: re-open it before inviting raters.")
    if group.organization_id != rating_round.assessment.organization_id:
        raise ValidationError("That rater group is not one of this organization's.")
    existing = Rater.objects.filter(round=rating_round, email=email).select_related("group").first()
    if existing is not None:
        if existing.group_id == group.pk:
            raise ValidationError(f"{email} is already a rater of this round ({existing.group}).")
        raise ValidationError(
            f"{email} is already a rater of this round in the group {existing.group}: a rater belongs to "
            "one group only, so that nobody counts twice."
        )
    rater = Rater.objects.create(
        round=rating_round,
        email=email,
        name=" ".join((name or "").split())[:120],
        group=group,
        nonce=secrets.token_hex(16),
        invited_by=user,
    )
    transaction.on_commit(
        lambda: _send_link(rater, "emails/rater_invitation.txt", "Your view of {organization}'s maturity")
    )
    return rater


def raters_remind(*, round_id: int) -> int:
    """E-mail the raters of an open round who have not rated every indicator; how many were reminded."""
    rating_round = RatingRound.objects.select_related("assessment__organization", "assessment__cycle").get(
        pk=round_id
    )
    if not rating_round.is_open:
        return 0
    wanted = len(round_indicator_ids(rating_round))
    reminded = 0
    for rater in rating_round.raters.all().prefetch_related("ratings"):
        rater.round = rating_round
        if len(rater.ratings.all()) >= wanted:
            continue
        _send_link(rater, "emails/rater_reminder.txt", "Reminder: your view of {organization}'s maturity")
        Rater.objects.filter(pk=rater.pk).update(reminded_at=timezone.now())
        reminded += 1
    return reminded


# ---------------------------------------------------------------------------------------------------------
# Ratings


@transaction.atomic
def ratings_save(*, rater: Rater, choices: Mapping[int, str | int | None]) -> int:
    """Store a rater's ratings (indicator id -> level 1-5, "dk" for don't know, None to clear); how many
    changed. Refused whole when the round is closed or an indicator is not one of the round's."""
    rater = Rater.objects.select_for_update().select_related("round__assessment__cycle").get(pk=rater.pk)
    rating_round = rater.round
    if not rating_round.is_open:
        raise ValidationError(
            "This rating round is closed: your ratings can no longer change. Thank you for taking part."
        )
    allowed = set(round_indicator_ids(rating_round))
    if any(pk not in allowed for pk in choices):
        raise ValidationError("An indicator is not part of this rating round; nothing was saved.")
    parsed = {}
    for pk, value in choices.items():
        if value in (None, ""):
            parsed[pk] = None
        elif value == DONT_KNOW:
            parsed[pk] = (None, True)
        elif str(value) in {"1", "2", "3", "4", "5"}:
            parsed[pk] = (int(value), False)
        else:
            raise ValidationError(
                "A rating is a level from 1 to 5 or \u201cdon't know\u201d; nothing was saved."
            )
    stored = {r.indicator_id: r for r in Rating.objects.filter(rater=rater, indicator_id__in=list(parsed))}
    now, changed = timezone.now(), 0
    for pk, value in parsed.items():
        rating = stored.get(pk)
        if value is None:
            if rating is not None:
                rating.delete()
                changed += 1
            continue
        level, dont_know = value
        if rating is None:
            Rating.objects.create(
                rater=rater, indicator_id=pk, level=level, dont_know=dont_know, updated_at=now
            )
            changed += 1
        elif (rating.level, rating.dont_know) != (level, dont_know):
            rating.level, rating.dont_know, rating.updated_at = level, dont_know, now
            rating.save(update_fields=["level", "dont_know", "updated_at"])
            changed += 1
    return changed


# ---------------------------------------------------------------------------------------------------------
# Consensus


@transaction.atomic
def consensus_set(
    *, rating_round: RatingRound, indicator_id: int, level: int, note: str, version: int, user
) -> ConsensusDecision:
    """Set the assessment's answer to an indicator after a closed round, with the consensus note.

    The answer goes through the workflow's save service (its history records who changed it, and a
    colleague's newer answer is refused as a conflict); the rest of the answer (evidence) is kept."""
    rating_round = _lock_round(rating_round)
    if rating_round.is_open:
        raise ValidationError(
            "The round is still open: close it before deciding, so that ratings stay independent."
        )
    if indicator_id not in round_indicator_ids(rating_round):
        raise ValidationError("That indicator is not part of this rating round.")
    if level not in (1, 2, 3, 4, 5):
        raise ValidationError("Choose a level from 1 to 5.")
    note = (note or "").strip()
    if not note:
        raise ValidationError("Say in a consensus note how the group's views led to this answer.")
    if len(note) > MAX_NOTE:
        raise ValidationError(f"A consensus note has at most {MAX_NOTE} characters.")
    assessment = _lock_assessment(rating_round.assessment)
    current = Response.objects.filter(assessment=assessment, indicator_id=indicator_id).first()
    answer = Answer(
        indicator_id=indicator_id,
        level=level,
        evidence_summary=current.evidence_summary if current else "",
        evidence_links=current.evidence_links if current else "",
        version=version,
    )
    result = responses_save(assessment=assessment, user=user, answers=[answer])
    if result.conflicts:
        raise ValidationError(
            "A colleague changed this answer after you opened the page; nothing was saved. "
            "Reload the page to see their answer."
        )
    decision, _ = ConsensusDecision.objects.update_or_create(
        round=rating_round,
        indicator_id=indicator_id,
        defaults={"level": level, "note": note, "decided_by": user, "decided_at": timezone.now()},
    )
    return decision
