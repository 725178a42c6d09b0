"""Downloads of an organization's own data: its assessment of a cycle as CSV or XLSX."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404

from assessments.audit import audit_record
from assessments.models import Assessment, AssessmentCycle, AuditEvent
from assessments.permissions import Action, organization_for

from ..exporters import tabular
from ..exporters.assessment import assessment_table


@login_required
def assessment_export(request, slug, cycle_slug, fmt):
    organization = organization_for(request, slug, Action.EXPORT)
    if fmt not in tabular.CONTENT_TYPES:
        raise Http404("Exports are CSV or XLSX.")
    cycle = get_object_or_404(AssessmentCycle.objects.select_related("rubric"), slug=cycle_slug)
    assessment = get_object_or_404(Assessment, organization=organization, cycle=cycle)
    assessment.organization, assessment.cycle = organization, cycle
    table = assessment_table(assessment)
    audit_record(
        kind=AuditEvent.Kind.EXPORT,
        request=request,
        organization=organization,
        detail=f"assessment {cycle.slug} as {fmt}",
    )
    return tabular.download(table, fmt, f"assessment-{organization.slug}-{cycle.slug}")
