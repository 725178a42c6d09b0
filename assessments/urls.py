from django.urls import path

from .evidence.urls import urlpatterns as evidence_urlpatterns
from .people import views as people
from .review.urls import urlpatterns as review_urls
from .views import compliance, core, nam, workflow
from .workbook import urls as workbook_urls

app_name = "assessments"

# Each section belongs to one views module; keep them apart so the URL map reads like the product.
urlpatterns = [
    path("orgs/switch/", core.switch_org, name="switch_org"),
    path("signed-in/", core.floor, name="floor"),
    # --- people, invitations, audit (people/views.py) ---
    path("session/keepalive/", core.session_keepalive, name="session_keepalive"),
    path("orgs/<slug:slug>/people/", people.members, name="members"),
    path("orgs/<slug:slug>/people/<int:pk>/role/", people.member_role, name="member_role"),
    path("orgs/<slug:slug>/people/<int:pk>/remove/", people.member_remove, name="member_remove"),
    path("orgs/<slug:slug>/invitations/<int:pk>/resend/", people.invitation_resend, name="invitation_resend"),
    path("orgs/<slug:slug>/invitations/<int:pk>/revoke/", people.invitation_revoke, name="invitation_revoke"),
    path("invitations/<str:token>/", people.invitation_accept, name="invitation_accept"),
    path("nam/organizations/", people.nam_organizations, name="nam_organizations"),
    path("nam/lockouts/", people.lockouts, name="lockouts"),
    path("nam/lockouts/unlock/", people.lockout_unlock, name="lockout_unlock"),
    path("nam/audit/", people.audit_log, name="audit_log"),
    # --- assessment workflow (views/workflow.py) ---
    path("orgs/<slug:slug>/", workflow.org_home, name="org_home"),
    path("orgs/<slug:slug>/assessments/<slug:cycle_slug>/", workflow.overview, name="overview"),
    path(
        "orgs/<slug:slug>/assessments/<slug:cycle_slug>/commitments/<slug:commitment_slug>/",
        workflow.commitment,
        name="commitment",
    ),
    path("orgs/<slug:slug>/assessments/<slug:cycle_slug>/start/", workflow.start, name="start"),
    path("orgs/<slug:slug>/assessments/<slug:cycle_slug>/review/", workflow.review, name="review"),
    path("orgs/<slug:slug>/assessments/<slug:cycle_slug>/submit/", workflow.submit, name="submit"),
    path(
        "orgs/<slug:slug>/assessments/<slug:cycle_slug>/copy-previous/",
        workflow.copy_previous,
        name="copy_previous",
    ),
    path("orgs/<slug:slug>/assessments/<slug:cycle_slug>/history/", workflow.history, name="history"),
    path("orgs/<slug:slug>/assessments/<slug:cycle_slug>/legal/", compliance.compliance, name="compliance"),
    # --- NAM staff: cycles and review (views/nam.py) ---
    path("nam/cycles/", nam.nam_cycles, name="nam_cycles"),
    path("nam/cycles/<slug:cycle_slug>/", nam.nam_cycle, name="nam_cycle"),
    path("nam/cycles/<slug:cycle_slug>/status/", nam.nam_cycle_status, name="nam_cycle_status"),
    path("nam/review/", nam.nam_review_queue, name="nam_review_queue"),
    path("nam/assessments/<int:pk>/", nam.nam_review, name="nam_review"),
    path("nam/assessments/<int:pk>/decision/", nam.nam_review_decision, name="nam_review_decision"),
    # --- the workbook to fill in offline (workbook/views.py) ---
    *workbook_urls.urlpatterns,
]
urlpatterns += review_urls  # the review per indicator and the attestation (review/urls.py)
urlpatterns += evidence_urlpatterns  # evidence files (issue 18): assessments/evidence/urls.py
