"""Writes of participation terms: loading a version, accepting it, withdrawing; and the submission check."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from ..models import Organization
from ..permissions import Action, can, is_nam_staff
from .loader import TermsSpec
from .models import TermsAcceptance, TermsVersion, Withdrawal
from .selectors import current_terms, organization_acceptance


class TermsRefused(ValidationError):
    """A terms file that would change a loaded version; the message says why."""


@dataclass(frozen=True)
class TermsLoadResult:
    terms: TermsVersion
    created: bool

    def summary(self) -> str:
        if self.created:
            return (
                f"Participation terms {self.terms.version} loaded (in effect from {self.terms.effective_on})."
            )
        return f"Participation terms {self.terms.version} are loaded already and unchanged: nothing to do."


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "F j, Y")


@transaction.atomic
def terms_load(*, spec: TermsSpec) -> TermsLoadResult:
    """Load a terms version; loading the same text again changes nothing, a changed text is refused."""
    existing = TermsVersion.objects.select_for_update().filter(version=spec.version).first()
    if existing is not None:
        if (existing.sha256, existing.title, existing.effective_on) != (
            spec.sha256,
            spec.title,
            spec.effective_on,
        ):
            raise TermsRefused(
                f"Participation terms {spec.version} were loaded on {_when(existing.loaded_at)} with another "
                "text, title or effective date; a loaded version never changes. Give the new text a new "
                "version number. Nothing was changed."
            )
        return TermsLoadResult(terms=existing, created=False)
    same_text = TermsVersion.objects.filter(sha256=spec.sha256).first()
    if same_text is not None:
        raise TermsRefused(
            f"This text is loaded already as version {same_text.version}. Nothing was changed."
        )
    terms = TermsVersion.objects.create(
        version=spec.version,
        title=spec.title,
        effective_on=spec.effective_on,
        text=spec.text,
        sha256=spec.sha256,
        source_file=spec.source_file,
    )
    return TermsLoadResult(terms=terms, created=True)


def terms_block_reason(organization: Organization) -> str:
    """Why the organization may not submit now because of the terms ("" when it may).

    No terms loaded at all: nothing to accept. Otherwise the version in effect must have been accepted."""
    current = current_terms()
    if current is None or organization_acceptance(organization, current) is not None:
        return ""
    accepted_before = TermsAcceptance.objects.filter(organization=organization).exists()
    what = "a new version of the participation terms" if accepted_before else "the participation terms"
    return (
        f"{organization.name} has not accepted {what} ({current.version}): an organization admin must "
        "accept them on the Participation terms page before the assessment can be submitted. "
        "Nothing was submitted."
    )


@transaction.atomic
def terms_accept(*, organization: Organization, terms: TermsVersion, user) -> TermsAcceptance:
    """Record that an organization admin accepted this terms version for the organization."""
    if not can(user, Action.ORGANIZATION_DATA, organization):
        raise PermissionDenied(
            "Only an organization admin can accept the participation terms for the organization; "
            "nothing was recorded."
        )
    Organization.objects.select_for_update().get(pk=organization.pk)
    current = current_terms()
    if current is None or terms.pk != current.pk:
        now = f" the version in effect is {current.version}" if current else " no version is in effect yet"
        raise ValidationError(
            f"Version {terms.version} is not the current version of the participation terms:{now}. "
            "Nothing was recorded."
        )
    existing = organization_acceptance(organization, terms)
    if existing is not None:
        raise ValidationError(
            f"{organization.name} accepted version {terms.version} already, on {_when(existing.accepted_at)} "
            f"({existing.accepted_by_label}). Nothing was changed."
        )
    try:
        with transaction.atomic():
            return TermsAcceptance.objects.create(
                organization=organization,
                terms=terms,
                accepted_by=user,
                accepted_by_label=user.get_username(),
                text_sha256=terms.sha256,
            )
    except IntegrityError:  # a colleague accepted at the same moment
        raise ValidationError(f"{organization.name} accepted version {terms.version} already.") from None


# ---------------------------------------------------------------------------------------------------------
# Withdrawal


def _withdrawal_state(withdrawal: Withdrawal) -> str:
    if withdrawal.confirmed_at:
        return f"NAM staff confirmed it on {_when(withdrawal.confirmed_at)}"
    return f"it was asked on {_when(withdrawal.requested_at)} by {withdrawal.requested_by_label}"


@transaction.atomic
def withdrawal_request(*, organization: Organization, user, reason: str = "") -> Withdrawal:
    """An organization admin asks to withdraw the organization; NAM staff confirm later."""
    if not can(user, Action.ORGANIZATION_DATA, organization):
        raise PermissionDenied("Only an organization admin can ask to withdraw the organization.")
    Organization.objects.select_for_update().get(pk=organization.pk)
    existing = Withdrawal.objects.filter(organization=organization).first()
    if existing is not None:
        raise ValidationError(
            f"{organization.name} has asked to withdraw already: {_withdrawal_state(existing)}. "
            "Nothing was changed."
        )
    reason = (reason or "").strip()
    if len(reason) > 2000:
        raise ValidationError({"reason": "The reason has at most 2,000 characters."})
    return Withdrawal.objects.create(
        organization=organization,
        organization_ref=organization.pk,
        organization_name=organization.name,
        reason=reason,
        requested_by=user,
        requested_by_label=user.get_username(),
    )


@transaction.atomic
def withdrawal_confirm(*, withdrawal: Withdrawal, user) -> Withdrawal:
    """NAM staff confirm a withdrawal: the organization is deactivated (its members lose access) and its
    results are left out of every later release; its data is deleted after WITHDRAWAL_RETENTION_DAYS."""
    if not is_nam_staff(user):
        raise PermissionDenied("Only NAM staff confirm a withdrawal.")
    locked = Withdrawal.objects.select_for_update().get(pk=withdrawal.pk)
    if locked.confirmed_at is not None:
        raise ValidationError(
            f"The withdrawal of {locked.organization_name} was confirmed already, on "
            f"{_when(locked.confirmed_at)}. Nothing was changed."
        )
    locked.confirmed_at = timezone.now()
    locked.confirmed_by = user
    locked.save(update_fields=["confirmed_at", "confirmed_by"])
    Organization.objects.filter(pk=locked.organization_id).update(is_active=False)
    return locked


def terms_accept_for_demo(*, admin_of: dict[int, int], labels: dict[int, str]) -> int:
    """The demo seeder: each demo organization's admin accepted the terms in effect (when there are any), so
    that the demo journeys still submit. admin_of: organization id -> user id; labels: user id -> username."""
    current = current_terms()
    if current is None:
        return 0
    created = TermsAcceptance.objects.bulk_create(
        [
            TermsAcceptance(
                organization_id=org_id,
                terms=current,
                accepted_by_id=user_id,
                accepted_by_label=labels.get(user_id, ""),
                text_sha256=current.sha256,
            )
            for org_id, user_id in admin_of.items()
        ],
        ignore_conflicts=True,
    )
    return len(created)
