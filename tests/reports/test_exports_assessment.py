import io

import openpyxl
import pytest
from django.urls import reverse

from assessments.models import AuditEvent, Response
from commitments.models import Indicator
from tests import factories as f

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user, backend="assessments.backends.PortalBackend")
    return client


def export_url(fmt, slug="alpha"):
    return reverse("reports:assessment_export", args=[slug, "2026", fmt])


@pytest.fixture
def assessment(cycle, org_a):
    assessment = f.AssessmentFactory(organization=org_a, cycle=cycle)
    f.answer_all(assessment, 3)
    Response.objects.filter(assessment=assessment, indicator__code="ENG-1").update(
        level=4,
        evidence_summary="=SUM(A1) council minutes",
        evidence_links="https://e.org/a\nhttps://e.org/b",
    )
    Response.objects.filter(assessment=assessment, indicator__code="ENG-2").update(
        level=None, not_applicable=True, na_justification="We run no inpatient wards at all."
    )
    Response.objects.filter(assessment=assessment, indicator__code="ENG-3").delete()
    return assessment


def test_csv_export_exact_content_and_audit(client, assessment, executive_a):
    response = login(client, executive_a).get(export_url("csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="assessment-alpha-2026.csv"'
    lines = response.content.decode("utf-8-sig").split("\n")
    assert lines[:6] == [
        "Commitment,Indicator code,Indicator title,Level,Level label,N/A justification,Evidence summary,"
        "Evidence links,Evidence documents",
        "Engaged,ENG-1,Engaged indicator 1,4,4 Managed,,'=SUM(A1) council minutes,\"https://e.org/a",
        'https://e.org/b",',
        "Engaged,ENG-2,Engaged indicator 2,,Not applicable,We run no inpatient wards at all.,,,",
        "Engaged,ENG-3,Engaged indicator 3,,Not answered,,,,",
        "Safe,SAF-1,Safe indicator 1,3,3 Defined,,,,",
    ]
    assert len([line for line in lines if line]) == 32  # header + 30 rows (one spans two lines)
    assert list(
        AuditEvent.objects.filter(kind="export").values_list(
            "kind", "actor__username", "organization__slug", "detail"
        )
    ) == [("export", "erin", "alpha", "assessment 2026 as csv")]


def test_xlsx_export_reads_back(client, assessment, assessor_a):
    response = login(client, assessor_a).get(export_url("xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert sheet.title == "Assessment 2026"
    assert values[0][:4] == ("Commitment", "Indicator code", "Indicator title", "Level")
    assert values[1] == (
        "Engaged",
        "ENG-1",
        "Engaged indicator 1",
        4,
        "4 Managed",
        None,
        "'=SUM(A1) council minutes",
        "https://e.org/a\nhttps://e.org/b",
        None,
    )
    assert values[3] == ("Engaged", "ENG-3", "Engaged indicator 3", None, "Not answered", *[None] * 4)
    assert len(values) == 31


def test_export_permissions_and_bad_format(client, assessment, assessor_b, nam_staff):
    assert login(client, assessor_b).get(export_url("csv")).status_code == 404
    assert login(client, nam_staff).get(export_url("csv")).status_code == 200
    assert login(client, nam_staff).get(export_url("pdf")).status_code == 404
    client.logout()
    anonymous = client.get(export_url("csv"))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert AuditEvent.objects.filter(kind="export").count() == 1


def test_export_of_an_unstarted_assessment_is_404(client, cycle, executive_a):
    assert login(client, executive_a).get(export_url("csv")).status_code == 404


def test_export_query_count_is_constant(client, django_assert_num_queries, cycle, org_a, executive_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assessment = f.AssessmentFactory(organization=org_a, cycle=cycle)
    indicators = list(Indicator.objects.of_rubric(cycle.rubric).order_by("commitment__order", "order"))
    client = login(client, executive_a)
    client.get(reverse("assessments:overview", args=["alpha", "2026"]))  # warm the session

    Response.objects.bulk_create(
        Response(assessment=assessment, indicator=i, level=2) for i in indicators[:3]
    )
    with CaptureQueriesContext(connection) as small:
        assert client.get(export_url("csv")).status_code == 200
    Response.objects.bulk_create(
        Response(assessment=assessment, indicator=i, level=2) for i in indicators[3:]
    )
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(export_url("csv"))
    assert response.content.decode("utf-8-sig").count("2 Developing") == 30
