from django.urls import path  # noqa: F401

app_name = "reports"

urlpatterns = [
    # --- scores and dashboards (views/dashboards.py) ---
    # --- scorecards (views/scorecards.py) ---
]
