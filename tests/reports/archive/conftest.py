import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from assessments.models import AuditEvent, ResponseChange
from reports.models import Scorecard
from tests import factories as f

PDF = b"%PDF-1.7\n% Alpha's scorecard\n%%EOF\n"


@pytest.fixture
def alpha_data(cycle, org_a, admin_a, assessor_a):
    """Alpha's submitted assessment with one change in its history, a plan action, a stored scorecard and an
    audit event; Bravo's data beside it (which must never appear in Alpha's archive)."""
    assessment = f.answer_all(f.AssessmentFactory(organization=org_a, cycle=cycle), 3, status="submitted")
    response = assessment.responses.order_by("indicator__commitment__order", "indicator__order").first()
    ResponseChange.objects.create(
        response=response, changed_by=assessor_a, version=2, old_values={"level": 2}, new_values={"level": 3}
    )
    f.ImprovementActionFactory(organization=org_a, cycle=cycle, title="Run a learning huddle")
    name = default_storage.save("scorecards/alpha-2026.pdf", ContentFile(PDF))
    Scorecard.objects.create(assessment=assessment, inputs_hash="a" * 64, status="ready", file=name)
    AuditEvent.objects.create(
        kind="export", actor=admin_a, actor_label="adam", organization=org_a, detail="Alpha export"
    )
    org_b = f.OrganizationFactory(name="Bravo Community Clinic", slug="bravo")
    AuditEvent.objects.create(kind="export", actor_label="bob", organization=org_b, detail="Bravo export")
    return assessment
