"""NAM staff: run assessment cycles and review what organizations submit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from commitments.models import Indicator

from .. import permissions, selectors
from ..forms.workflow import CycleForm, ReviewDecisionForm
from ..models import Assessment, AssessmentCycle
from ..review import selectors as review_selectors
from ..services import workflow as services
from ..templatetags.wording import possessive


@login_required
@require_http_methods(["GET", "POST"])
def nam_cycles(request):
    permissions.require_nam_staff(request)
    action = reverse("assessments:nam_cycles")
    form = CycleForm(request.POST or None, action=action)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.cycle_create(**form.cleaned_data)
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(
                request,
                f"Cycle {cycle.name} created. Open it when organizations may start their assessments.",
            )
            return redirect("assessments:nam_cycles")
    return render(
        request,
        "assessments/nam/cycles.html",
        {
            "cycles": selectors.cycles_with_counts(),
            "form": form,
            "open_cycle": AssessmentCycle.objects.open().first(),
        },
    )


@login_required
@require_POST
def nam_cycle_status(request, cycle_slug):
    permissions.require_nam_staff(request)
    cycle = get_object_or_404(AssessmentCycle, slug=cycle_slug)
    status = request.POST.get("status", "")
    try:
        cycle = services.cycle_set_status(cycle=cycle, status=status)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if cycle.status == AssessmentCycle.Status.OPEN:
            messages.success(
                request, f"Cycle {cycle.name} is open: organizations can fill in their assessments."
            )
        else:
            messages.success(request, f"Cycle {cycle.name} is closed: its assessments are read-only.")
    return redirect("assessments:nam_cycles")


@login_required
def nam_cycle(request, cycle_slug):
    permissions.require_nam_staff(request)
    cycle = get_object_or_404(AssessmentCycle.objects.select_related("rubric"), slug=cycle_slug)
    status = request.GET.get("status", "")
    if status not in Assessment.Status.values:
        status = ""
    return render(
        request,
        "assessments/nam/cycle.html",
        {
            "cycle": cycle,
            "assessments": selectors.cycle_assessments(cycle, status),
            "status": status,
            "statuses": Assessment.Status.choices,
            "total_indicators": Indicator.objects.of_rubric(cycle.rubric).count(),
        },
    )


def _na_choices(rows) -> list[tuple[int, str]]:
    """The N/A answers NAM may reject at review, labelled with their reason."""
    return [
        (row.response.pk, f"{row.indicator.code} {row.indicator.title}: “{row.response.na_justification}”")
        for row in rows
        if row.response is not None and row.response.not_applicable
    ]


@login_required
def nam_review_queue(request):
    permissions.require_nam_staff(request)
    today = timezone.localdate()
    waiting = [
        (assessment, (today - timezone.localdate(assessment.submitted_at)).days)
        for assessment in selectors.review_queue()
    ]
    per_cycle: dict[str, int] = {}
    for assessment, _ in waiting:
        per_cycle[assessment.cycle.name] = per_cycle.get(assessment.cycle.name, 0) + 1
    return render(
        request,
        "assessments/nam/review_queue.html",
        {"waiting": waiting, "per_cycle": sorted(per_cycle.items(), reverse=True)},
    )


def _review_page(request, assessment, form=None, status=200):
    rows = selectors.assessment_rows(assessment)
    if form is None and assessment.status == Assessment.Status.SUBMITTED:
        form = ReviewDecisionForm(
            action=reverse("assessments:nam_review_decision", args=[assessment.pk]),
            na_choices=_na_choices(rows),
        )
    return render(
        request,
        "assessments/nam/review.html",
        {
            "assessment": assessment,
            "rows": rows,
            "issues": selectors.review_issues(assessment, rows),
            "form": form,
            "answered": sum(1 for row in rows if row.response is not None and row.response.is_answered),
            **review_selectors.nam_review_extras(assessment, rows),
        },
        status=status,
    )


def _assessment(pk):
    return get_object_or_404(
        Assessment.objects.select_related("organization", "cycle__rubric", "submitted_by", "reviewed_by"),
        pk=pk,
    )


@login_required
def nam_review(request, pk):
    permissions.require_nam_staff(request)
    return _review_page(request, _assessment(pk))


@login_required
@require_POST
def nam_review_decision(request, pk):
    permissions.require_nam_staff(request)
    assessment = _assessment(pk)
    form = ReviewDecisionForm(
        request.POST,
        action=reverse("assessments:nam_review_decision", args=[assessment.pk]),
        na_choices=_na_choices(selectors.assessment_rows(assessment)),
    )
    if assessment.status != Assessment.Status.SUBMITTED:
        messages.warning(
            request,
            f"This assessment is {assessment.get_status_display().lower()}: only a submitted one can be "
            "validated or returned. Nothing was changed.",
        )
        return redirect("assessments:nam_review", assessment.pk)
    if form.is_valid():
        decision, comment = form.cleaned_data["decision"], form.cleaned_data["comment"]
        try:
            if decision == ReviewDecisionForm.RETURN:
                services.assessment_return(
                    assessment=assessment,
                    user=request.user,
                    comment=comment,
                    rejected_na=form.cleaned_data.get("rejected_na", []),
                    request=request,
                )
            else:
                services.assessment_validate(
                    assessment=assessment, user=request.user, comment=comment, request=request
                )
        except services.WorkflowError as error:
            messages.warning(request, " ".join(error.messages))
            return redirect("assessments:nam_review", assessment.pk)
        except ValidationError as error:
            form.add_error("comment" if hasattr(error, "error_dict") else None, error.messages)
        else:
            name = assessment.organization.name
            if decision == ReviewDecisionForm.RETURN:
                messages.success(
                    request, f"Returned to {name} with your comment; they were notified by e-mail."
                )
            else:
                messages.success(
                    request, f"{possessive(name)} assessment is validated; they were notified by e-mail."
                )
            return redirect("assessments:nam_review_queue")  # on to the next one waiting
    return _review_page(request, assessment, form=form)
