"""NAM staff exports of a cycle: aggregate benchmark tables and identified responses, as CSV or XLSX."""

from django.contrib.auth.decorators import login_required
from django.http import Http404

from assessments import permissions
from assessments.audit import audit_record
from assessments.models import AuditEvent

from ..exporters import benchmarks, tabular
from ..exporters.attestations import attestations_table
from .dashboards import field_filters, latest_cycles

EXPORTS = {
    "benchmarks": benchmarks.benchmarks_table,
    "responses": benchmarks.responses_table,
    "attestations": attestations_table,  # who attested each assessment (assessments/review)
}


@login_required
def nam_export(request, what, fmt):
    permissions.require_nam_staff(request)
    if what not in EXPORTS or fmt not in tabular.CONTENT_TYPES:
        raise Http404("No such export.")
    cycles = latest_cycles()
    _, cycle, filters, _ = field_filters(request, cycles)
    if cycle is None:
        raise Http404("There is no assessment cycle yet.")
    table = EXPORTS[what](cycle=cycle, filters=filters)
    described = ", ".join(f"{k}={v}" for k, v in filters.items()) or "all organizations"
    audit_record(
        kind=AuditEvent.Kind.EXPORT,
        request=request,
        detail=f"{what} of cycle {cycle.name} as {fmt.upper()} ({described})",
    )
    return benchmarks.download(table, fmt, benchmarks.filename(what, cycle, filters))
