"""The assessment workbook: download, upload, preview of the changes, confirmation."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from .. import permissions
from ..audit import audit_record
from ..models import Assessment, AuditEvent
from ..permissions import Action
from . import exporter, pending, selectors, services
from .forms import WorkbookUploadForm, conflict_forms
from .reader import WorkbookRefused, read_workbook

NEW_CONFLICTS = (
    "More answers were saved by others while you were looking, so nothing was saved: check them below."
)


def _load(request, slug, cycle_slug, action):
    organization = permissions.organization_for(request, slug, action)
    assessment = get_object_or_404(
        Assessment.objects.select_related("cycle__rubric"), organization=organization, cycle__slug=cycle_slug
    )
    assessment.organization = organization
    return assessment


def _overview(assessment):
    return redirect("assessments:overview", assessment.organization.slug, assessment.cycle.slug)


@login_required
def workbook_download(request, slug, cycle_slug):
    assessment = _load(request, slug, cycle_slug, Action.EXPORT)
    data = exporter.assessment_workbook(assessment)
    audit_record(
        kind=AuditEvent.Kind.EXPORT,
        request=request,
        organization=assessment.organization,
        detail=f"assessment {assessment.cycle.slug} as workbook to fill in",
    )
    response = HttpResponse(data, content_type=exporter.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{exporter.workbook_filename(assessment)}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def workbook_upload(request, slug, cycle_slug):
    assessment = _load(request, slug, cycle_slug, Action.EDIT_ASSESSMENT)
    form = WorkbookUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["workbook"]
        try:
            # Never more than the limit into memory: one byte more is enough to say it is too large.
            parsed = read_workbook(upload.read(settings.WORKBOOK_MAX_UPLOAD_BYTES + 1))
            selectors.check_belongs(parsed.hidden, assessment)
            selectors.workbook_preview(assessment, list(parsed.answers))
        except WorkbookRefused as error:
            form.add_error("workbook", error.messages)
        else:
            pending.pending_put(request.session, assessment=assessment, parsed=parsed, filename=upload.name)
            return redirect("assessments:workbook_preview", slug, cycle_slug)
    return render(
        request,
        "assessments/workbook/upload.html",
        {"organization": assessment.organization, "cycle": assessment.cycle, "assessment": assessment}
        | {"form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def workbook_preview(request, slug, cycle_slug):
    assessment = _load(request, slug, cycle_slug, Action.EDIT_ASSESSMENT)
    waiting = pending.pending_get(request.session, assessment=assessment)
    if waiting is None:
        messages.info(request, "No uploaded workbook is waiting for confirmation: upload one first.")
        return redirect("assessments:workbook_upload", slug, cycle_slug)
    token, filename, answers = waiting
    if request.method == "POST" and "cancel" in request.POST:
        pending.pending_clear(request.session)
        messages.info(request, f"The workbook {filename} was set aside: nothing was saved.")
        return _overview(assessment)
    try:
        if not assessment.is_editable:
            raise WorkbookRefused(selectors.not_editable_message(assessment))
        preview = selectors.workbook_preview(assessment, answers)
    except WorkbookRefused as error:
        pending.pending_clear(request.session)
        messages.error(request, " ".join(error.messages))
        return _overview(assessment)
    choices = conflict_forms(preview.conflicts, request.POST if request.method == "POST" else None)
    save_error = ""
    if request.method == "POST":
        unseen = [form for form in choices.values() if form.add_prefix("version") not in request.POST]
        if request.POST.get("token") != token:
            save_error = "Another workbook was uploaded since this page was opened: check its changes below."
            choices = conflict_forms(preview.conflicts)
        elif unseen:
            save_error = NEW_CONFLICTS
            choices = conflict_forms(preview.conflicts)
        elif all(form.is_valid() for form in choices.values()):
            resolutions = {
                pk: (form.cleaned_data["resolution"], form.cleaned_data["version"])
                for pk, form in choices.items()
            }
            try:
                result = services.workbook_apply(
                    assessment=assessment, user=request.user, answers=answers, resolutions=resolutions
                )
            except ValidationError as error:
                pending.pending_clear(request.session)
                messages.error(request, " ".join(error.messages))
                return _overview(assessment)
            if not result.conflicts:
                pending.pending_clear(request.session)
                count = len(result.changed)
                messages.success(
                    request,
                    f"Saved from the workbook {filename}: {count} answer{'s' if count != 1 else ''} changed.",
                )
                return _overview(assessment)
            # Saved meanwhile again, between the preview and the confirmation: show what is left.
            preview = selectors.workbook_preview(assessment, answers)
            choices = conflict_forms(preview.conflicts)
            save_error = NEW_CONFLICTS
    return render(
        request,
        "assessments/workbook/preview.html",
        {
            "organization": assessment.organization,
            "cycle": assessment.cycle,
            "assessment": assessment,
            "preview": preview,
            "items": [(item, choices.get(item.indicator.pk)) for item in preview.items],
            "token": token,
            "filename": filename,
            "save_error": save_error,
        },
    )
