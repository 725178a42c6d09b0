"""reports/plans/admin.py: the plan models are registered and their change lists load."""

import pytest
from django.contrib import admin as django_admin

from reports.plans.models import ActionNote, CommitmentTarget, ImprovementAction
from tests import factories as f

pytestmark = pytest.mark.django_db

MODEL_BACKEND = "assessments.backends.PortalBackend"


def test_every_plan_model_is_registered():
    assert {CommitmentTarget, ImprovementAction, ActionNote} <= set(django_admin.site._registry)


@pytest.mark.parametrize("name", ["commitmenttarget", "improvementaction"])
def test_changelists_load(client, name):
    root = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root, backend=MODEL_BACKEND)
    response = client.get(f"/admin/reports/{name}/")
    assert response.status_code == 200
    assert "<h1>Select" in response.content.decode()
