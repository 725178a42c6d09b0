"""PDF scorecards in the portal: request, follow, download, try again; NAM staff batches and their ZIP.

The forms live here too: they are small, and used by these views only.
"""

import tempfile
import zipfile

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from assessments.audit import audit_record
from assessments.models import Assessment, AssessmentCycle, AuditEvent
from assessments.permissions import Action, organization_for, require_nam_staff
from reports.models import Scorecard, ScorecardBatch
from reports.peer_groups import PeerGroup
from reports.services import scorecards as service

PENDING = (Scorecard.Status.QUEUED, Scorecard.Status.RENDERING)


class ScorecardRequestForm(forms.Form):
    cycle = forms.ModelChoiceField(
        queryset=AssessmentCycle.objects.none(),
        empty_label=None,
        help_text="Cycles in which your organization submitted its assessment.",
    )
    peer_group = forms.ChoiceField(
        label="Compare with",
        choices=PeerGroup.choices,
        initial=PeerGroup.ALL,
        widget=forms.RadioSelect,
        help_text="Peer figures appear only when the group has enough organizations to stay anonymous.",
    )

    def __init__(self, *args, cycles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycle"].queryset = cycles


class ScorecardBatchForm(ScorecardRequestForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, cycles=AssessmentCycle.objects.order_by("-opens_on"), **kwargs)
        self.fields["cycle"].help_text = "One scorecard is made for each submitted or validated assessment."


def _submitted_cycles(organization):
    return AssessmentCycle.objects.filter(
        assessments__organization=organization,
        assessments__status__in=[Assessment.Status.SUBMITTED, Assessment.Status.VALIDATED],
    ).order_by("-opens_on")


def _org_scorecard(organization, pk) -> Scorecard:
    """A scorecard of this organization, or 404 (ids of other organizations' scorecards reveal nothing)."""
    return get_object_or_404(
        Scorecard.objects.select_related("assessment__cycle", "assessment__organization", "requested_by"),
        pk=pk,
        assessment__organization=organization,
    )


@login_required
@require_http_methods(["GET", "POST"])
def scorecards(request, slug):
    organization = organization_for(request, slug, Action.REQUEST_SCORECARD)
    cycles = _submitted_cycles(organization)
    form = ScorecardRequestForm(request.POST or None, cycles=cycles)
    if request.method == "POST" and form.is_valid():
        assessment = Assessment.objects.select_related("organization", "cycle__rubric").get(
            organization=organization, cycle=form.cleaned_data["cycle"]
        )
        try:
            result = service.scorecard_request(
                assessment=assessment, peer_group=form.cleaned_data["peer_group"], user=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            result.scorecard.refresh_from_db(fields=["status"])
            if result.reused:
                messages.success(
                    request, "This scorecard is ready: nothing it shows has changed since it was made."
                )
            elif result.scorecard.status == Scorecard.Status.READY:  # rendered at once (no broker: eager)
                messages.success(request, "Your scorecard is ready.")
            else:
                messages.info(
                    request,
                    "Your scorecard is being prepared. It will be ready shortly: this page updates itself.",
                )
            return redirect("reports:scorecard", slug=organization.slug, pk=result.scorecard.pk)
    items = (
        Scorecard.objects.filter(assessment__organization=organization)
        .select_related("assessment__cycle", "requested_by")
        .order_by("-created_at")[:50]
    )
    return render(
        request,
        "reports/scorecards/list.html",
        {"organization": organization, "form": form, "scorecards": items, "has_cycles": cycles.exists()},
    )


@login_required
def scorecard(request, slug, pk):
    organization = organization_for(request, slug, Action.REQUEST_SCORECARD)
    item = _org_scorecard(organization, pk)
    return render(
        request,
        "reports/scorecards/detail.html",
        {"organization": organization, "scorecard": item, "status": _status(organization, item)},
    )


def _status(organization, item: Scorecard) -> dict:
    ready = item.status == Scorecard.Status.READY and bool(item.file)
    messages_by_status = {
        Scorecard.Status.QUEUED: "Waiting for its turn. It will be produced shortly."
        if not item.error_message
        else "A first try did not work out; it will be tried again shortly.",
        Scorecard.Status.RENDERING: "Being produced now: this takes a few seconds.",
        Scorecard.Status.READY: "Ready to download.",
        Scorecard.Status.FAILED: "It could not be produced.",
    }
    return {
        "status": item.status,
        "label": item.get_status_display(),
        "message": messages_by_status[item.status],
        "pending": item.status in PENDING,
        "attempts": item.attempts,
        "error": item.error_message if item.status == Scorecard.Status.FAILED else "",
        "download_url": reverse("reports:scorecard_download", args=[organization.slug, item.pk])
        if ready
        else "",
    }


@login_required
def scorecard_status(request, slug, pk):
    organization = organization_for(request, slug, Action.REQUEST_SCORECARD)
    response = JsonResponse(_status(organization, _org_scorecard(organization, pk)))
    response["Cache-Control"] = "no-store"
    return response


@login_required
def scorecard_download(request, slug, pk):
    organization = organization_for(request, slug, Action.EXPORT)
    item = _org_scorecard(organization, pk)
    if item.status != Scorecard.Status.READY or not item.file or not item.file.storage.exists(item.file.name):
        raise Http404("This scorecard has no PDF yet.")
    filename = service.download_filename(item)
    audit_record(
        kind=AuditEvent.Kind.PDF_DOWNLOAD,
        request=request,
        organization=organization,
        detail=f"Scorecard {item.pk}: {filename}",
    )
    response = FileResponse(
        item.file.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf"
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def scorecard_retry(request, slug, pk):
    organization = organization_for(request, slug, Action.REQUEST_SCORECARD)
    item = _org_scorecard(organization, pk)
    try:
        service.scorecard_retry(scorecard=item, user=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.info(request, "Trying again. The scorecard will be ready shortly.")
    return redirect("reports:scorecard", slug=organization.slug, pk=item.pk)


# ---------------------------------------------------------------------------------------------------------
# NAM staff: a scorecard for every organization of a cycle


def _batch_counts():
    return {
        "n_ready": Count("scorecards", filter=Q(scorecards__status=Scorecard.Status.READY), distinct=True),
        "n_failed": Count("scorecards", filter=Q(scorecards__status=Scorecard.Status.FAILED), distinct=True),
        "n_pending": Count("scorecards", filter=Q(scorecards__status__in=PENDING), distinct=True),
        "n_total": Count("scorecards", distinct=True),
    }


@login_required
@require_http_methods(["GET", "POST"])
def nam_scorecard_batches(request):
    require_nam_staff(request)
    form = ScorecardBatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = service.scorecard_batch_create(
                cycle=form.cleaned_data["cycle"],
                peer_group=form.cleaned_data["peer_group"],
                user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.info(
                request,
                "The batch is recorded. Its scorecards are being prepared: this page follows their progress.",
            )
            return redirect("reports:nam_scorecard_batch", pk=batch.pk)
    batches = ScorecardBatch.objects.select_related("cycle", "requested_by").annotate(**_batch_counts())[:50]
    return render(request, "reports/scorecards/nam_batches.html", {"form": form, "batches": batches})


@login_required
def nam_scorecard_batch(request, pk):
    require_nam_staff(request)
    batch = get_object_or_404(
        ScorecardBatch.objects.select_related("cycle", "requested_by").annotate(**_batch_counts()), pk=pk
    )
    items = batch.scorecards.select_related("assessment__organization").order_by(
        "assessment__organization__name"
    )
    return render(request, "reports/scorecards/nam_batch.html", {"batch": batch, "scorecards": items})


@login_required
def nam_scorecard_batch_zip(request, pk):
    require_nam_staff(request)
    batch = get_object_or_404(ScorecardBatch.objects.select_related("cycle"), pk=pk)
    ready = list(
        batch.scorecards.filter(status=Scorecard.Status.READY)
        .exclude(file="")
        .select_related("assessment__organization", "assessment__cycle")
        .order_by("assessment__organization__name")
    )
    if not ready:
        messages.error(request, "No scorecard of this batch is ready yet: download the ZIP when some are.")
        return redirect("reports:nam_scorecard_batch", pk=batch.pk)
    # Built in a temporary file (spilling to disk past 20 MB), not in memory: a cycle can have hundreds.
    archive = tempfile.SpooledTemporaryFile(max_size=20 * 1024 * 1024)  # noqa: SIM115  (FileResponse closes it)
    names = set()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as zf:
        for item in ready:
            name = service.download_filename(item)
            if name in names:  # two organizations of the same name
                name = name.removesuffix(".pdf") + f" ({item.assessment.organization.slug}).pdf"
            names.add(name)
            with item.file.open("rb") as pdf_file:
                zf.writestr(name, pdf_file.read())
    archive.seek(0)
    filename = f"LHS scorecards {batch.cycle.name} ({batch.get_peer_group_display()}).zip"
    audit_record(
        kind=AuditEvent.Kind.EXPORT,
        request=request,
        detail=f"Scorecard batch {batch.pk} ZIP: {len(ready)} PDFs of {batch.cycle.name}",
    )
    response = FileResponse(archive, as_attachment=True, filename=filename, content_type="application/zip")
    response["Cache-Control"] = "no-store"
    return response
