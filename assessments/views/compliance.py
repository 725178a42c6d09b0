"""The legal requirements attested beside an assessment: yes / no / in progress, never scored."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .. import selectors
from ..forms.compliance import ComplianceForm
from ..permissions import Action
from ..services import compliance as services
from ..services.workflow import NotEditable
from .workflow import _base_context, _load_started, _refuse_read_only


@login_required
@require_http_methods(["GET", "POST"])
def compliance(request, slug, cycle_slug):
    writing = request.method == "POST"
    action = Action.EDIT_ASSESSMENT if writing else Action.VIEW
    organization, cycle, assessment = _load_started(request, slug, cycle_slug, action)
    if writing and not assessment.is_editable:
        return _refuse_read_only(request, assessment)
    context = _base_context(request, organization, cycle, assessment)
    rows = selectors.compliance_rows(assessment)
    form = ComplianceForm(request.POST if writing else None, rows=rows, disabled=not context["can_edit"])
    if writing and form.is_valid():
        try:
            changed = services.compliance_answers_save(
                assessment=assessment, user=request.user, answers=form.answers()
            )
        except NotEditable:
            return _refuse_read_only(request, assessment)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Legal requirements: saved ({changed} changed).")
            return redirect("assessments:compliance", slug, cycle_slug)
    context.update(form=form, rows=rows, rubric=cycle.rubric)
    return render(
        request, "assessments/workflow/compliance.html", context, status=400 if form.errors else 200
    )
