"""The read API for members (and NAM staff with a NAM-wide token): an organization's cycles, assessments,
scores with peer figures, and improvement plans. Each view asks the pages' permission code
(assessments/permissions.py) and reads through the pages' selectors: no rule is written twice."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions

from assessments.evidence.selectors import documents_by_indicator
from assessments.models import Assessment, AssessmentCycle
from assessments.selectors import assessment_rows
from commitments.models import level_label

from .. import selectors
from ..plans import selectors as plan_selectors
from . import serializers as s
from .base import ApiView, exception_handler, organization_in_scope, respond

__all__ = ["exception_handler"]  # REST_FRAMEWORK["EXCEPTION_HANDLER"] names it here


def _cycle(cycle_slug: str) -> AssessmentCycle:
    cycle = AssessmentCycle.objects.select_related("rubric").filter(slug=cycle_slug).first()
    if cycle is None:
        raise Http404(f"No assessment cycle is called {cycle_slug!r}.")
    return cycle


def _query(serializer_class, request):
    """Validated query parameters, or 400 naming each bad one."""
    query = serializer_class(data=request.query_params)
    if not query.is_valid():
        raise exceptions.ValidationError(query.errors)
    return query


class TokenView(ApiView):
    @extend_schema(responses=s.TokenSerializer, summary="The token in use: its scope and expiry")
    def get(self, request):
        return respond(request, s.TokenSerializer(request.auth).data)


class OrgCyclesView(ApiView):
    @extend_schema(
        responses=s.OrgCycleSerializer(many=True), summary="The organization's assessments by cycle"
    )
    def get(self, request, slug):
        organization = organization_in_scope(request, slug)
        assessments = selectors.org_assessments(organization)
        return respond(request, s.OrgCycleSerializer(assessments, many=True).data)


def _response_data(row, documents: dict) -> dict:
    response, indicator = row.response, row.indicator
    answered = response is not None and response.is_answered
    not_applicable = answered and response.not_applicable
    if not answered:
        label = "Not answered"
    elif not_applicable:
        label = "Not applicable"
    else:
        label = level_label(response.level)
    return {
        "commitment": indicator.commitment.slug,
        "commitment_name": indicator.commitment.name,
        "indicator": indicator.code,
        "indicator_title": indicator.title,
        "answered": answered,
        "level": response.level if answered and not not_applicable else None,
        "level_label": label,
        "not_applicable": not_applicable,
        "na_justification": response.na_justification if response else "",
        "evidence_summary": response.evidence_summary if response else "",
        "evidence_links": response.evidence_links.split() if response else [],
        "evidence_documents": documents.get(indicator.pk, []),  # names, as the export lists them
        "version": response.version if response else None,
    }


class AssessmentView(ApiView):
    @extend_schema(
        responses=s.AssessmentSerializer,
        summary="An assessment: status and every indicator's answer (level, N/A, evidence summary)",
    )
    def get(self, request, slug, cycle_slug):
        organization = organization_in_scope(request, slug)
        cycle = _cycle(cycle_slug)
        assessment = Assessment.objects.filter(organization=organization, cycle=cycle).first()
        if assessment is None:
            raise Http404(f"Your organization has no assessment in the {cycle.name} cycle.")
        assessment.organization, assessment.cycle = organization, cycle
        documents = documents_by_indicator(assessment)
        data = {
            "organization": organization.slug,
            "cycle": s.CycleSerializer(cycle).data,
            "status": assessment.status,
            "submitted_at": assessment.submitted_at,
            "responses": [_response_data(row, documents) for row in assessment_rows(assessment)],
        }
        return respond(request, s.AssessmentSerializer(data).data)


class ScoresView(ApiView):
    @extend_schema(
        parameters=[s.ScoresQuerySerializer],
        responses=s.ScoresSerializer,
        summary="Scores of a submitted assessment against a peer group of the cycle's published release",
    )
    def get(self, request, slug, cycle_slug):
        organization = organization_in_scope(request, slug)
        peer_group = _query(s.ScoresQuerySerializer, request).validated_data["peer_group"]
        # As the dashboard: only results (submitted or validated) have scores and peer figures.
        results = selectors.org_results(organization)
        assessment = next((a for a in results if a.cycle.slug == cycle_slug), None)
        if assessment is None:
            raise Http404("Your organization has no submitted results for that cycle.")
        benchmark = selectors.org_benchmark(
            assessment=assessment, peer_group=peer_group, org_assessments=results
        )
        return respond(request, s.ScoresSerializer(benchmark).data)


class PlanView(ApiView):
    @extend_schema(responses=s.PlanSerializer, summary="The improvement plan of a cycle: targets and actions")
    def get(self, request, slug, cycle_slug):
        organization = organization_in_scope(request, slug)
        overview = plan_selectors.plan_overview(organization=organization, cycle=_cycle(cycle_slug))
        return respond(request, s.PlanSerializer(overview).data)
