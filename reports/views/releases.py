"""NAM staff publish benchmark releases: a preview of what changes, publishing, and closing a cycle with its
final release. Views of reports, not of assessments: assessments may not import reports (the cycle page only
links here)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from assessments import permissions
from assessments.models import AssessmentCycle
from assessments.services.workflow import cycle_set_status

from ..models import BenchmarkRelease
from ..services.releases import ReleaseRefused, default_inclusion, release_preview, release_publish


def _inclusion(request) -> str:
    wanted = request.POST.get("inclusion") or request.GET.get("inclusion") or default_inclusion()
    return wanted if wanted in BenchmarkRelease.Inclusion.values else default_inclusion()


@login_required
def nam_release_preview(request, cycle_slug):
    permissions.require_nam_staff(request)
    cycle = get_object_or_404(AssessmentCycle, slug=cycle_slug)
    preview = release_preview(cycle=cycle, inclusion=_inclusion(request))
    return render(
        request,
        "reports/releases/preview.html",
        {
            "cycle": cycle,
            "preview": preview,
            "added": preview.named(preview.changes.added),
            "changed": preview.named(preview.changes.changed),
            "withdrawn": preview.named(preview.changes.withdrawn),
            "inclusions": BenchmarkRelease.Inclusion.choices,
            "releases": cycle.benchmark_releases.select_related("published_by"),
        },
    )


@login_required
@require_POST
def nam_release_publish(request, cycle_slug):
    permissions.require_nam_staff(request)
    cycle = get_object_or_404(AssessmentCycle, slug=cycle_slug)
    try:
        release = release_publish(cycle=cycle, inclusion=_inclusion(request), user=request.user)
    except ReleaseRefused as refused:
        messages.error(request, refused.messages[0])
        return redirect("reports:nam_release_preview", cycle_slug=cycle.slug)
    messages.success(request, f"Published. {release.description}.")
    return redirect("assessments:nam_cycle", cycle_slug=cycle.slug)


@login_required
@require_POST
def nam_cycle_close(request, cycle_slug):
    """Close the cycle and publish its final release, in one transaction (a failure leaves both undone);
    a final release refused for too few changes leaves the latest release in effect and says so."""
    permissions.require_nam_staff(request)
    cycle = get_object_or_404(AssessmentCycle, slug=cycle_slug)
    try:
        with transaction.atomic():
            cycle = cycle_set_status(cycle=cycle, status=AssessmentCycle.Status.CLOSED)
            try:
                release = release_publish(
                    cycle=cycle, inclusion=_inclusion(request), user=request.user, final=True
                )
            except ReleaseRefused as refused:
                release, refusal = None, refused.messages[0]
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("assessments:nam_cycles")
    if release is not None:
        messages.success(
            request,
            f"Cycle {cycle.name} is closed: its assessments are read-only. Final {release.description}.",
        )
    else:
        messages.warning(
            request,
            f"Cycle {cycle.name} is closed: its assessments are read-only. No final release: {refusal} "
            "The latest release stays in effect.",
        )
    return redirect("assessments:nam_cycles")
