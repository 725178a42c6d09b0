from django.urls import path

from .api import pages as api_pages
from .plans import views as plan_views
from .reminders import urls as reminder_urls
from .views import dashboards as dashboard_views
from .views import exports as export_views
from .views import nam_exports as nam_export_views
from .views import releases as release_views
from .views import scorecards as scorecard_views

app_name = "reports"

urlpatterns = [
    # --- scores and dashboards (views/dashboards.py) ---
    path("scores/", dashboard_views.how_scores_work, name="how_scores_work"),
    path("orgs/<slug:slug>/dashboard/", dashboard_views.org_dashboard, name="org_dashboard"),
    path("nam/dashboard/", dashboard_views.nam_dashboard, name="nam_dashboard"),
    path("nam/export/<str:what>.<str:fmt>", nam_export_views.nam_export, name="nam_export"),
    # --- scorecards (views/scorecards.py) ---
    path("orgs/<slug:slug>/scorecards/", scorecard_views.scorecards, name="scorecards"),
    path("orgs/<slug:slug>/scorecards/<int:pk>/", scorecard_views.scorecard, name="scorecard"),
    path(
        "orgs/<slug:slug>/scorecards/<int:pk>/status.json",
        scorecard_views.scorecard_status,
        name="scorecard_status",
    ),
    path(
        "orgs/<slug:slug>/scorecards/<int:pk>/download/",
        scorecard_views.scorecard_download,
        name="scorecard_download",
    ),
    path(
        "orgs/<slug:slug>/scorecards/<int:pk>/retry/", scorecard_views.scorecard_retry, name="scorecard_retry"
    ),
    path("nam/scorecards/", scorecard_views.nam_scorecard_batches, name="nam_scorecard_batches"),
    path("nam/scorecards/<int:pk>/", scorecard_views.nam_scorecard_batch, name="nam_scorecard_batch"),
    path(
        "nam/scorecards/<int:pk>/download.zip",
        scorecard_views.nam_scorecard_batch_zip,
        name="nam_scorecard_batch_zip",
    ),
    # --- the organization's own assessment export (views/exports.py) ---
    path(
        "orgs/<slug:slug>/assessments/<slug:cycle_slug>/export.<str:fmt>",
        export_views.assessment_export,
        name="assessment_export",
    ),
    # --- improvement plans (plans/views.py) ---
    path("orgs/<slug:slug>/plan/", plan_views.plan, name="plan"),
    path("orgs/<slug:slug>/plan/build/", plan_views.plan_build, name="plan_build"),
    path("orgs/<slug:slug>/plan/target/", plan_views.plan_target, name="plan_target"),
    path("orgs/<slug:slug>/plan/actions/new/", plan_views.plan_action_new, name="plan_action_new"),
    path("orgs/<slug:slug>/plan/actions/<int:pk>/", plan_views.plan_action_edit, name="plan_action_edit"),
    path(
        "orgs/<slug:slug>/plan/actions/<int:pk>/notes/", plan_views.plan_action_note, name="plan_action_note"
    ),
    path(
        "orgs/<slug:slug>/plan/actions/<int:pk>/status/",
        plan_views.plan_action_status,
        name="plan_action_status",
    ),
    path("orgs/<slug:slug>/plan/export.<str:fmt>", plan_views.plan_export, name="plan_export"),
    path("nam/plans/", plan_views.nam_plans, name="nam_plans"),
    path("nam/plans/export.csv", plan_views.nam_plans_export, name="nam_plans_export"),
    # --- benchmark releases (views/releases.py) ---
    path(
        "nam/cycles/<slug:cycle_slug>/release/", release_views.nam_release_preview, name="nam_release_preview"
    ),
    path(
        "nam/cycles/<slug:cycle_slug>/release/publish/",
        release_views.nam_release_publish,
        name="nam_release_publish",
    ),
    path("nam/cycles/<slug:cycle_slug>/close/", release_views.nam_cycle_close, name="nam_cycle_close"),
    # --- reminders: settings and the e-mails' unsubscribe (reminders/views.py) ---
    *reminder_urls.urlpatterns,
    # --- the read API's tokens (api/pages.py; the API itself is at /api/v1/, api/urls.py) ---
    path("account/api-tokens/", api_pages.api_tokens, name="api_tokens"),
    path("account/api-tokens/<int:pk>/revoke/", api_pages.api_token_revoke, name="api_token_revoke"),
]
