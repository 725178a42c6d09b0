"""The review per indicator (NAM comments, organization replies), carried-over answers and attestation."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from .. import permissions
from ..models import Assessment
from ..permissions import Action
from ..services import submission
from ..views.workflow import _base_context, _load_started
from . import selectors, services
from .forms import AttestForm, ReplyForm, SendBackForm, ThreadForm
from .models import ReviewThread

NOTHING = " Nothing was changed."


def _refused(request, error) -> None:
    text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    messages.error(request, text if "Nothing was" in text else text + NOTHING)


@login_required
@require_POST
def thread_create(request, pk):
    permissions.require_nam_staff(request)
    assessment = get_object_or_404(Assessment.objects.select_related("organization", "cycle"), pk=pk)
    form = ThreadForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write the comment and choose its kind." + NOTHING)
        return redirect("assessments:nam_review", assessment.pk)
    try:
        thread = services.thread_open(assessment=assessment, user=request.user, **_thread_fields(form))
    except ValidationError as error:
        _refused(request, error)
        return redirect("assessments:nam_review", assessment.pk)
    messages.success(
        request, f"Comment on {thread.indicator.code} sent; the organization's assessors were e-mailed."
    )
    return redirect(f"{_nam_url(assessment)}#answer-{thread.indicator.code}")


def _thread_fields(form) -> dict:
    data = form.cleaned_data
    return {
        "indicator_id": data["indicator"],
        "kind": data["kind"],
        "body": data["body"],
        "blocking": data["blocking"],
    }


def _nam_url(assessment) -> str:
    return reverse("assessments:nam_review", args=[assessment.pk])


@login_required
@require_POST
def thread_resolve(request, pk):
    permissions.require_nam_staff(request)
    thread = get_object_or_404(ReviewThread.objects.select_related("indicator"), pk=pk)
    try:
        services.thread_resolve(thread=thread, user=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, f"The thread on {thread.indicator.code} is resolved.")
    return redirect(f"{_nam_url(thread.assessment)}#answer-{thread.indicator.code}")


@login_required
@require_POST
def thread_reply(request, slug, cycle_slug, pk):
    organization, cycle, assessment = _load_started(request, slug, cycle_slug, Action.EDIT_ASSESSMENT)
    thread = get_object_or_404(
        ReviewThread.objects.select_related("indicator__commitment", "assessment"), pk=pk
    )
    back = redirect("assessments:overview", organization.slug, cycle.slug)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write the reply first." + NOTHING)
        return back
    try:
        services.thread_reply(
            thread=thread, organization=organization, user=request.user, body=form.cleaned_data["body"]
        )
    except PermissionDenied as error:
        _refused(request, error)
        return back
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, f"Reply on {thread.indicator.code} sent; the reviewer was e-mailed.")
    if thread.assessment_id != assessment.pk:
        return back
    url = _commitment_url(organization, cycle, thread.indicator.commitment)
    return redirect(f"{url}#indicator-{thread.indicator.code}")


def _commitment_url(organization, cycle, commitment) -> str:
    return reverse("assessments:commitment", args=[organization.slug, cycle.slug, commitment.slug])


@login_required
@require_POST
def carried_confirm(request, slug, cycle_slug):
    organization, cycle, assessment = _load_started(request, slug, cycle_slug, Action.EDIT_ASSESSMENT)
    try:
        ids = [int(value) for value in request.POST.getlist("indicator")]
    except ValueError:
        ids = []
    try:
        confirmed = services.carried_confirm(assessment=assessment, user=request.user, indicator_ids=ids)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(
            request, f"{confirmed} carried-over answer{'s' if confirmed != 1 else ''} confirmed."
        )
    commitment = request.POST.get("commitment", "")
    if re.fullmatch(r"[-\w]{1,80}", commitment, flags=re.ASCII):  # back to the page it came from
        return redirect("assessments:commitment", organization.slug, cycle.slug, commitment)
    return redirect("assessments:overview", organization.slug, cycle.slug)


@login_required
@require_http_methods(["GET", "POST"])
def attest(request, slug, cycle_slug):
    organization, cycle, assessment = _load_started(request, slug, cycle_slug, Action.VIEW)
    can_attest = permissions.can(request.user, Action.ATTEST, organization)
    sending_back = bool(request.POST.get("send_back"))
    form = AttestForm(request.POST if request.method == "POST" and not sending_back else None)
    back = SendBackForm(request.POST if sending_back else None)
    if request.method == "POST":
        try:
            if sending_back:
                if back.is_valid():
                    submission.assessment_send_back(
                        assessment=assessment, user=request.user, note=back.cleaned_data["note"]
                    )
                    messages.success(
                        request, "Sent back to the assessors with your note; they were e-mailed."
                    )
                    return redirect("assessments:overview", organization.slug, cycle.slug)
            elif form.is_valid():
                submission.assessment_attest(
                    assessment=assessment,
                    user=request.user,
                    answers_sha256=form.cleaned_data["answers_sha256"],
                    request=request,
                )
                messages.success(request, f"Attested: the {cycle.name} assessment is submitted to NAM.")
                return redirect("assessments:overview", organization.slug, cycle.slug)
        except (PermissionDenied, ValidationError) as error:
            _refused(request, error)
            return redirect("assessments:attest", organization.slug, cycle.slug)
    context = _base_context(request, organization, cycle, assessment)
    summary = selectors.attestation_summary(assessment)
    if not form.is_bound:
        form = AttestForm(initial={"answers_sha256": summary.answers_sha256})
    context.update(
        summary=summary,
        form=form,
        send_back_form=back,
        can_attest=can_attest and assessment.status == Assessment.Status.AWAITING_ATTESTATION,
        pending=selectors.pending_attestation(assessment),
        attestation=selectors.latest_attestation(assessment),
    )
    return render(request, "assessments/review/attest.html", context)
