from django.urls import path

from .views import core

app_name = "assessments"

# Each section belongs to one views module; keep them apart so the URL map reads like the product.
urlpatterns = [
    path("orgs/switch/", core.switch_org, name="switch_org"),
    # --- people, invitations, audit (views/people.py) ---
    # --- assessment workflow (views/workflow.py) ---
    # --- NAM staff: cycles and review (views/nam.py) ---
    # --- improvement plans (views/plans.py) ---
]
