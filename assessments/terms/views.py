"""Participation terms pages: every version (public), an organization's acceptance and withdrawal, NAM's."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ..forms import add_service_errors
from ..permissions import Action, can, organization_for, require_nam_staff
from . import selectors, services
from .forms import AcceptTermsForm, WithdrawForm
from .models import DeletionRecord, TermsVersion, Withdrawal
from .rendering import terms_html


def terms_list(request):
    return render(
        request,
        "assessments/terms/list.html",
        {"versions": TermsVersion.objects.all(), "current": selectors.current_terms()},
    )


def terms_detail(request, version):
    terms = get_object_or_404(TermsVersion, version=version)
    current = selectors.current_terms()
    return render(
        request,
        "assessments/terms/detail.html",
        {"terms": terms, "current": current, "html": terms_html(terms)},
    )


def _org_page(request, organization, *, accept_form=None, withdraw_form=None, status=200):
    current = selectors.current_terms()
    context = {
        "organization": organization,
        "current": current,
        "acceptance": selectors.organization_acceptance(organization, current),
        "history": organization.terms_acceptances.select_related("terms"),
        "withdrawal": Withdrawal.objects.filter(organization=organization).first(),
        "can_act": can(request.user, Action.ORGANIZATION_DATA, organization),
        "accept_form": accept_form
        or AcceptTermsForm(initial={"version": current.version if current else ""}),
        "withdraw_form": withdraw_form or WithdrawForm(),
        "retention_days": settings.WITHDRAWAL_RETENTION_DAYS,
    }
    return render(request, "assessments/terms/organization.html", context, status=status)


@login_required
def organization_terms(request, slug):
    return _org_page(request, organization_for(request, slug, Action.VIEW))


@login_required
@require_POST
def terms_accept(request, slug):
    organization = organization_for(request, slug, Action.ORGANIZATION_DATA)
    form = AcceptTermsForm(request.POST)
    if form.is_valid():
        terms = TermsVersion.objects.filter(version=form.cleaned_data["version"]).first()
        try:
            if terms is None:
                raise ValidationError(
                    "There is no such version of the participation terms. Nothing was recorded."
                )
            services.terms_accept(organization=organization, terms=terms, user=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"{organization.name} accepted the participation terms {terms.version}."
            )
            return redirect("terms:organization", organization.slug)
    return _org_page(request, organization, accept_form=form, status=400)


@login_required
@require_POST
def withdraw(request, slug):
    organization = organization_for(request, slug, Action.ORGANIZATION_DATA)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.withdrawal_request(
                organization=organization, user=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"The withdrawal of {organization.name} is asked: NAM staff will confirm it."
            )
            return redirect("terms:organization", organization.slug)
    return _org_page(request, organization, withdraw_form=form, status=400)


@login_required
def nam_terms(request):
    require_nam_staff(request)
    current = selectors.current_terms()
    return render(
        request,
        "assessments/terms/nam.html",
        {
            "current": current,
            "rows": selectors.acceptance_overview(current),
            "withdrawals": Withdrawal.objects.select_related("confirmed_by"),
            "deletions": DeletionRecord.objects.all()[:50],
            "retention_days": settings.WITHDRAWAL_RETENTION_DAYS,
        },
    )


@login_required
@require_POST
def nam_withdrawal_confirm(request, pk):
    require_nam_staff(request)
    withdrawal = get_object_or_404(Withdrawal, pk=pk)
    try:
        services.withdrawal_confirm(withdrawal=withdrawal, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"The withdrawal of {withdrawal.organization_name} is confirmed: its members no longer have "
            f"access, and its data will be deleted in {settings.WITHDRAWAL_RETENTION_DAYS} days.",
        )
    return redirect("terms:nam_terms")
