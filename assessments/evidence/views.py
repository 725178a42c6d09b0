"""Evidence files: upload, reuse, remove (assessors), download (members and NAM staff), ZIP (NAM staff)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from .. import permissions
from ..audit import audit_record
from ..models import Assessment, AuditEvent
from ..permissions import Action
from . import archive, selectors, services
from .forms import AttachForm, UploadForm, first_error
from .models import evidence_storage


def _assessment(request, slug, cycle_slug, action=Action.VIEW) -> Assessment:
    organization = permissions.organization_for(request, slug, action)
    assessment = get_object_or_404(
        Assessment.objects.select_related("cycle__rubric"), organization=organization, cycle__slug=cycle_slug
    )
    assessment.organization = organization
    return assessment


def _back(assessment: Assessment, indicator_id) -> str:
    """The commitment page of the indicator the form was about (the overview when there is none)."""
    indicator = selectors.indicator_in_rubric(assessment, indicator_id)
    org, cycle = assessment.organization.slug, assessment.cycle.slug
    if indicator is None:
        return reverse("assessments:overview", args=[org, cycle])
    page = reverse("assessments:commitment", args=[org, cycle, indicator.commitment.slug])
    return f"{page}#evidence-{indicator.code}"


def _report(request, call, success: str) -> None:
    try:
        call()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)


@login_required
@require_POST
def upload(request, slug, cycle_slug):
    assessment = _assessment(request, slug, cycle_slug, Action.EDIT_ASSESSMENT)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, first_error(form) + " Nothing was uploaded.")
        return redirect(_back(assessment, request.POST.get("indicator")))
    file, indicator_id = form.cleaned_data["file"], form.cleaned_data["indicator"]
    _report(
        request,
        lambda: services.evidence_upload(
            assessment=assessment, indicator_id=indicator_id, file=file, name=file.name, user=request.user
        ),
        f"{file.name} is uploaded as evidence.",
    )
    return redirect(_back(assessment, indicator_id))


@login_required
@require_POST
def attach(request, slug, cycle_slug):
    assessment = _assessment(request, slug, cycle_slug, Action.EDIT_ASSESSMENT)
    form = AttachForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form) + " Nothing was changed.")
        return redirect(_back(assessment, request.POST.get("indicator")))
    indicator_id = form.cleaned_data["indicator"]
    _report(
        request,
        lambda: services.evidence_attach(
            assessment=assessment,
            indicator_id=indicator_id,
            document_id=form.cleaned_data["document"],
            user=request.user,
        ),
        "The document is added as evidence for this indicator too.",
    )
    return redirect(_back(assessment, indicator_id))


@login_required
@require_POST
def remove(request, slug, cycle_slug, pk):
    assessment = _assessment(request, slug, cycle_slug, Action.EDIT_ASSESSMENT)
    removed = {}

    def call():
        removed["link"] = services.evidence_remove(assessment=assessment, link_id=pk, user=request.user)

    _report(request, call, "The file is removed from this indicator; the history keeps a record of it.")
    link = removed.get("link")
    return redirect(_back(assessment, link.indicator_id if link else request.POST.get("indicator")))


def _attachment(file, name: str, content_type: str) -> FileResponse:
    response = FileResponse(file, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def download(request, slug, pk):
    organization = permissions.organization_for(request, slug, Action.VIEW)
    document = selectors.downloadable_document(organization, pk)
    if document is None:
        raise Http404("No such evidence file.")
    return _attachment(
        evidence_storage().open(document.stored_name, "rb"), document.original_name, document.content_type
    )


@login_required
@require_GET
def nam_zip(request, pk):
    permissions.require_nam_staff(request)
    assessment = get_object_or_404(Assessment.objects.select_related("organization", "cycle"), pk=pk)
    entries = selectors.zip_entries(assessment)
    audit_record(
        kind=AuditEvent.Kind.EXPORT,
        request=request,
        organization=assessment.organization,
        detail=f"evidence files of the {assessment.cycle.name} assessment as ZIP ({len(entries)} files)",
    )
    name = f"evidence-{assessment.organization.slug}-{assessment.cycle.slug}.zip"
    return _attachment(archive.build_zip(entries), name, "application/zip")
