"""Fixtures of the workbook tests: Alpha's 2026 draft with two saved answers, and helpers that download,
edit and upload its workbook as an officer would."""

import html
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import strip_tags
from openpyxl import load_workbook

from assessments.models import Response, ResponseChange
from commitments.models import Indicator
from tests import factories as f


@pytest.fixture
def assessment(cycle, org_a):
    assessment = f.AssessmentFactory(organization=org_a, cycle=cycle)
    eng1 = Indicator.objects.get(commitment__rubric=cycle.rubric, code="ENG-1")
    saf1 = Indicator.objects.get(commitment__rubric=cycle.rubric, code="SAF-1")
    f.ResponseFactory(assessment=assessment, indicator=eng1, level=2, evidence_summary="Minutes of May.")
    f.ResponseFactory(assessment=assessment, indicator=saf1, level=3, version=4)
    return assessment


def download(client, assessment) -> bytes:
    response = client.get(
        reverse("assessments:workbook_download", args=[assessment.organization.slug, assessment.cycle.slug])
    )
    assert response.status_code == 200, response.content[:300]
    return response.content


def edit(data: bytes, changes: dict) -> bytes:
    """changes: {(sheet title, cell): value}; the workbook saved again as Excel would."""
    book = load_workbook(io.BytesIO(data))
    for (sheet, cell), value in changes.items():
        book[sheet][cell] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, assessment, data: bytes, name="alpha.xlsx"):
    return client.post(
        reverse("assessments:workbook_upload", args=[assessment.organization.slug, assessment.cycle.slug]),
        {"workbook": SimpleUploadedFile(name, data)},
    )


def preview_url(assessment) -> str:
    return reverse("assessments:workbook_preview", args=[assessment.organization.slug, assessment.cycle.slug])


def snapshot() -> tuple:
    """Every answer and the length of the history: equal before and after a refused upload."""
    answers = list(
        Response.objects.order_by("pk").values_list(
            "pk",
            "indicator__code",
            "level",
            "not_applicable",
            "na_justification",
            "evidence_summary",
            "version",
        )
    )
    return answers, ResponseChange.objects.count()


def visible(page: str) -> str:
    """The page's text as read: tags dropped, white space collapsed."""
    return re.sub(r"\s+", " ", html.unescape(strip_tags(page)))
