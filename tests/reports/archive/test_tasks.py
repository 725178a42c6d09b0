"""The archive built by a REAL Celery worker on the real broker (tests/reports/conftest.py celery_worker)."""

import time
import zipfile

import pytest
from django.urls import reverse

from reports.archive.models import DataArchive
from tests import factories as f

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_the_worker_builds_the_requested_archive(celery_worker, client, cycle, org_a, admin_a):
    f.answer_all(f.AssessmentFactory(organization=org_a, cycle=cycle), 2)  # a draft: no scorecard to draw
    client.force_login(admin_a, backend="assessments.backends.PortalBackend")
    response = client.post(reverse("archive:request", args=["alpha"]))
    assert response.status_code == 302
    archive = DataArchive.objects.get()
    page = client.get(reverse("archive:organization", args=["alpha"])).content.decode()
    assert 'data-scorecard-autorefresh="3"' in page or archive.status != "queued"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        archive.refresh_from_db()
        if archive.status in ("ready", "failed"):
            break
        time.sleep(0.2)
    assert (archive.status, archive.sections_done, archive.error_message) == ("ready", 7, "")
    with archive.file.open("rb") as fh:
        names = zipfile.ZipFile(fh).namelist()
    assert f"alpha-data-{archive.finished_at:%Y%m%d}/assessments/2026/responses.csv" in names
    assert not any("scorecards/" in n for n in names)
