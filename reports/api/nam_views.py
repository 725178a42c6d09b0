"""The read API for NAM staff (a NAM-wide token): what the NAM exports give (reports/views/nam_exports.py),
by cycle and by release, through the same exporters' rows."""

from django.conf import settings
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.pagination import CursorPagination

from assessments.models import AssessmentCycle

from ..exporters import benchmarks
from ..exporters.attestations import attestations_table
from ..models import BenchmarkRelease
from ..plans.exporters import field_plan_table
from ..plans.field_summary import field_plan_summary
from . import serializers as s
from .base import ApiView, release_etag, require_nam_scope, respond
from .views import _cycle, _query


class NamCyclesView(ApiView):
    @extend_schema(
        responses=s.NamCycleSerializer(many=True), summary="Every cycle with its published releases"
    )
    def get(self, request):
        require_nam_scope(request)
        cycles = AssessmentCycle.objects.prefetch_related("benchmark_releases__cycle").order_by("-opens_on")
        return respond(request, s.NamCycleSerializer(cycles, many=True).data)


class ReleaseBenchmarksView(ApiView):
    @extend_schema(
        parameters=[s.FieldFilterSerializer],
        responses=s.BenchmarkRowSerializer(many=True),
        summary="The benchmarks export of one release: every peer group value and commitment (one page)",
    )
    def get(self, request, release_id):
        require_nam_scope(request)
        release = BenchmarkRelease.objects.select_related("cycle").filter(pk=release_id).first()
        if release is None:
            raise Http404(f"No benchmark release has the id {release_id}: /api/v1/nam/cycles/ lists them.")
        filters = _query(s.FieldFilterSerializer, request).org_filters()

        def rows():
            table = benchmarks.benchmark_rows(cycle=release.cycle, filters=filters, release=release)
            return [dict(zip(benchmarks.BENCHMARK_HEADER, row, strict=True)) for row in table]

        # A published release never changes: the ETag follows it and the query, checked before computing.
        etag = release_etag(request, release)
        return respond(request, rows, etag=etag)


class ResponsesPagination(CursorPagination):
    """Cursor pages ordered by the response's id: a row inserted or changed between two pages never makes
    another row repeat or go missing."""

    ordering = "id"
    page_size_query_param = "page_size"

    def __init__(self):
        self.page_size = self.max_page_size = settings.API_PAGE_SIZE

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound:
            raise exceptions.ValidationError(
                {"cursor": ["This cursor is not valid: follow the 'next' or 'previous' link of a page."]}
            ) from None


class CycleResponsesView(ApiView):
    pagination_class = ResponsesPagination

    @extend_schema(
        parameters=[s.FieldFilterSerializer],
        responses=s.ResponseRowSerializer(many=True),
        summary="The responses export of a cycle (identified), in cursor pages",
    )
    def get(self, request, cycle_slug):
        require_nam_scope(request)
        cycle = _cycle(cycle_slug)
        filters = _query(s.FieldFilterSerializer, request).org_filters()
        queryset = benchmarks.cycle_responses(cycle=cycle, filters=filters).values(
            "id", *benchmarks.RESPONSE_VALUES
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, request, view=self)
        labels = benchmarks.response_labels()
        rows = [
            dict(
                zip(
                    benchmarks.RESPONSE_HEADER,
                    benchmarks.response_row(
                        [row[v] for v in benchmarks.RESPONSE_VALUES], cycle=cycle, labels=labels
                    ),
                    strict=True,
                )
            )
            for row in page
        ]
        return paginator.get_paginated_response(rows)


def _table_rows(table) -> list[dict]:
    return [dict(zip(table.header, row, strict=True)) for row in table.rows]


class CycleAttestationsView(ApiView):
    @extend_schema(
        parameters=[s.FieldFilterSerializer],
        responses={200: OpenApiTypes.OBJECT},
        summary="The attestations export of a cycle: who attested each assessment, and when (one page)",
    )
    def get(self, request, cycle_slug):
        require_nam_scope(request)
        cycle = _cycle(cycle_slug)
        filters = _query(s.FieldFilterSerializer, request).org_filters()
        return respond(request, _table_rows(attestations_table(cycle=cycle, filters=filters)))


class CyclePlansView(ApiView):
    @extend_schema(
        responses={200: OpenApiTypes.OBJECT},
        summary="The field improvement-plans export of a cycle: targets met and actions done per commitment",
    )
    def get(self, request, cycle_slug):
        require_nam_scope(request)
        cycle = _cycle(cycle_slug)
        return respond(request, _table_rows(field_plan_table(summary=field_plan_summary(cycle=cycle))))
