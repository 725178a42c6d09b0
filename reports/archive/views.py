"""An organization admin's data archives: request one, follow its progress, download it until it expires."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from assessments.audit import audit_record
from assessments.models import AuditEvent
from assessments.permissions import Action, organization_for

from . import services
from .models import DataArchive


@login_required
def organization_archives(request, slug):
    organization = organization_for(request, slug, Action.ORGANIZATION_DATA)
    archives = list(DataArchive.objects.filter(organization=organization).select_related("requested_by")[:20])
    return render(
        request,
        "reports/archive/organization.html",
        {"organization": organization, "archives": archives, "pending": any(a.is_pending for a in archives)},
    )


@login_required
@require_POST
def archive_request(request, slug):
    organization = organization_for(request, slug, Action.ORGANIZATION_DATA)
    try:
        services.archive_request(organization=organization, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The archive is being built: this page shows its progress.")
    return redirect("archive:organization", organization.slug)


@login_required
def archive_download(request, slug, pk):
    organization = organization_for(request, slug, Action.ORGANIZATION_DATA)
    archive = get_object_or_404(
        DataArchive.objects.select_related("organization"), pk=pk, organization=organization
    )
    refusal = services.archive_refusal(archive)
    if refusal:
        return render(
            request,
            "reports/archive/unavailable.html",
            {"organization": organization, "message": refusal},
            status=410 if archive.is_expired() else 409,
        )
    audit_record(
        kind=AuditEvent.Kind.EXPORT,
        request=request,
        organization=organization,
        detail=f"Data archive {archive.pk} downloaded",
    )
    response = FileResponse(
        archive.file.open("rb"),
        as_attachment=True,
        filename=services.download_filename(archive),
        content_type="application/zip",
    )
    response["Cache-Control"] = "no-store"
    return response
