"""Reads of participation terms, acceptances and withdrawals."""

from dataclasses import dataclass

from django.db.models import Prefetch

from ..models import Organization
from .models import TermsAcceptance, TermsVersion, Withdrawal


def current_terms() -> TermsVersion | None:
    """The version in effect today: the latest loaded whose effective date has come (None: no terms yet)."""
    return TermsVersion.objects.in_effect().order_by("-effective_on", "-loaded_at").first()


def organization_acceptance(organization: Organization, terms: TermsVersion | None) -> TermsAcceptance | None:
    if terms is None:
        return None
    return (
        TermsAcceptance.objects.filter(organization=organization, terms=terms)
        .select_related("terms", "accepted_by")
        .first()
    )


def withdrawn_organization_ids():
    """Ids of organizations whose withdrawal NAM staff confirmed: left out of every release from then on."""
    return Withdrawal.objects.filter(confirmed_at__isnull=False, organization__isnull=False).values(
        "organization_id"
    )


def withdrawals_confirmed_since(moment):
    return Withdrawal.objects.filter(confirmed_at__isnull=False, confirmed_at__gt=moment)


@dataclass(frozen=True)
class AcceptanceRow:
    organization: Organization
    latest: TermsAcceptance | None  # the latest version it accepted
    accepted_current: bool
    withdrawal: Withdrawal | None


def acceptance_overview(current: TermsVersion | None) -> list[AcceptanceRow]:
    """Every organization with its latest acceptance and withdrawal, for NAM staff: three queries."""
    organizations = Organization.objects.order_by("name").prefetch_related(
        Prefetch(
            "terms_acceptances",
            queryset=TermsAcceptance.objects.select_related("terms").order_by("-accepted_at"),
        )
    )
    withdrawals = {w.organization_id: w for w in Withdrawal.objects.filter(organization__isnull=False)}
    rows = []
    for organization in organizations:
        acceptances = list(organization.terms_acceptances.all())
        rows.append(
            AcceptanceRow(
                organization=organization,
                latest=acceptances[0] if acceptances else None,
                accepted_current=current is not None and any(a.terms_id == current.pk for a in acceptances),
                withdrawal=withdrawals.get(organization.pk),
            )
        )
    return rows
