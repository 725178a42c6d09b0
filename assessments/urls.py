from django.urls import path

from .views import core
from .views import people

app_name = "assessments"

# Each section belongs to one views module; keep them apart so the URL map reads like the product.
urlpatterns = [
    path("orgs/switch/", core.switch_org, name="switch_org"),
    # --- people, invitations, audit (views/people.py) ---
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
    # --- NAM staff: cycles and review (views/nam.py) ---
    # --- improvement plans (views/plans.py) ---
]
