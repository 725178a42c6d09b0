"""/api/v1/: the read API, its OpenAPI schema and its docs page."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import nam_views, views
from .docs import ApiDocsView

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", ApiDocsView.as_view(url_name="api:schema"), name="docs"),
    path("token/", views.TokenView.as_view(), name="token"),
    # --- an organization (members; NAM staff with a NAM-wide token) ---
    path("orgs/<slug:slug>/cycles/", views.OrgCyclesView.as_view(), name="org_cycles"),
    path(
        "orgs/<slug:slug>/assessments/<slug:cycle_slug>/", views.AssessmentView.as_view(), name="assessment"
    ),
    path("orgs/<slug:slug>/assessments/<slug:cycle_slug>/scores/", views.ScoresView.as_view(), name="scores"),
    path("orgs/<slug:slug>/plans/<slug:cycle_slug>/", views.PlanView.as_view(), name="plan"),
    # --- NAM staff (a NAM-wide token) ---
    path("nam/cycles/", nam_views.NamCyclesView.as_view(), name="nam_cycles"),
    path(
        "nam/cycles/<slug:cycle_slug>/responses/",
        nam_views.CycleResponsesView.as_view(),
        name="nam_responses",
    ),
    path(
        "nam/cycles/<slug:cycle_slug>/attestations/",
        nam_views.CycleAttestationsView.as_view(),
        name="nam_attestations",
    ),
    path("nam/cycles/<slug:cycle_slug>/plans/", nam_views.CyclePlansView.as_view(), name="nam_plans"),
    path(
        "nam/releases/<int:release_id>/benchmarks/",
        nam_views.ReleaseBenchmarksView.as_view(),
        name="nam_benchmarks",
    ),
]
