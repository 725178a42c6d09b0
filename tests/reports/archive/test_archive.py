"""The organization's data archive: what it holds, its progress, who may download it and until when."""

import csv
import datetime
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessments.models import AuditEvent, Organization
from reports.archive.models import DataArchive
from reports.archive.sections import SECTIONS
from reports.archive.services import archive_build, archive_request, archives_expired_delete
from reports.archive.tasks import build_data_archive
from tests import factories as f

from .conftest import PDF

pytestmark = pytest.mark.django_db


def _built(org, user):
    archive = DataArchive.objects.create(organization=org, requested_by=user, sections_total=len(SECTIONS))
    return archive_build(archive_id=archive.pk)


def _zip(archive):
    with archive.file.open("rb") as fh:
        return zipfile.ZipFile(io.BytesIO(fh.read()))


def _csv(zf, name):
    text = zf.read(name).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_task_name():
    assert build_data_archive.name == "reports.build_data_archive"


def test_the_archive_holds_everything_about_the_organization(
    alpha_data, org_a, admin_a, assessor_a, settings
):
    settings.DATA_ARCHIVE_EXPIRY_HOURS = 72
    archive = _built(org_a, admin_a)
    assert (archive.status, archive.sections_done, archive.sections_total, archive.percent) == (
        "ready",
        7,
        7,
        100,
    )
    assert archive.expires_at - archive.finished_at == datetime.timedelta(hours=72)
    zf = _zip(archive)
    root = f"alpha-data-{archive.finished_at:%Y%m%d}"
    names = sorted(n.removeprefix(root + "/") for n in zf.namelist())
    tables = [
        "assessments",
        "assessments/2026/history",
        "assessments/2026/legal_requirements",
        "assessments/2026/responses",
        "audit_events",
        "invitations",
        "members",
        "organization",
        "plans/2026",
        "terms_acceptances",
    ]
    assert names == sorted(
        [f"{t}.{ext}" for t in tables for ext in ("csv", "xlsx")] + ["README.txt", "scorecards/2026.pdf"]
    )
    assert zf.read(f"{root}/scorecards/2026.pdf") == PDF
    members = _csv(zf, f"{root}/members.csv")
    assert [row[0] + " " + row[3] for row in members[1:]] == ["adam Organization admin", "alice Assessor"]
    history = _csv(zf, f"{root}/assessments/2026/history.csv")
    assert history[0] == ["Indicator code", "Changed at", "Changed by", "Version", "Old values", "New values"]
    assert history[1][2:] == [assessor_a.get_full_name(), "2", '{"level": 2}', '{"level": 3}']
    responses = _csv(zf, f"{root}/assessments/2026/responses.csv")
    assert len(responses) == 31 and {row[3] for row in responses[1:]} == {"3"}
    audit = _csv(zf, f"{root}/audit_events.csv")
    assert [row[1:] for row in audit[1:]] == [["Export", "adam", "", "Alpha export"]]  # Bravo's is not there
    plan = _csv(zf, f"{root}/plans/2026.csv")
    assert "Run a learning huddle" in plan[1]
    sheet = load_workbook(io.BytesIO(zf.read(f"{root}/members.xlsx"))).active
    assert [c.value for c in sheet[2]][:2] == ["adam", members[1][1] or None]
    readme = zf.read(f"{root}/README.txt").decode()
    assert readme.startswith("Everything the LHS Commitments Portal holds about Alpha Regional Hospital\n")
    assert "for adam." in readme
    assert "- Scorecards (PDF)" in readme and "- members.csv (Members: 2 rows)" in readme


def test_only_an_admin_requests_an_archive(
    org_a, assessor_a, admin_a, nam_staff, django_capture_on_commit_callbacks
):
    for user in (assessor_a, nam_staff):
        with pytest.raises(PermissionDenied, match="Only an organization admin can download"):
            archive_request(organization=org_a, user=user)
    assert DataArchive.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        archive = archive_request(organization=org_a, user=admin_a)
    assert len(callbacks) == 1 and archive.status == "queued"
    with pytest.raises(ValidationError) as error:
        archive_request(organization=org_a, user=admin_a)
    assert error.value.messages == [
        "An archive of the organization is being built already: it will be listed here when ready. "
        "Nothing new was queued."
    ]
    assert DataArchive.objects.count() == 1


def test_the_admin_downloads_the_archive(client, alpha_data, org_a, admin_a):
    archive = _built(org_a, admin_a)
    client.force_login(admin_a, backend="assessments.backends.PortalBackend")
    page = client.get(reverse("archive:organization", args=["alpha"])).content.decode()
    assert f'href="/orgs/alpha/data/archive/{archive.pk}/download/"' in page
    response = client.get(reverse("archive:download", args=["alpha", archive.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="alpha-regional-hospital-data-{archive.finished_at:%Y-%m-%d}.zip"'
    )
    with archive.file.open("rb") as fh:
        assert b"".join(response.streaming_content) == fh.read()
    event = AuditEvent.objects.filter(organization=org_a, kind="export").first()
    assert (event.actor, event.detail) == (admin_a, f"Data archive {archive.pk} downloaded")


def test_another_organizations_archive_is_not_found(client, alpha_data, org_a, admin_a):
    archive = _built(org_a, admin_a)
    org_b = Organization.objects.get(slug="bravo")
    admin_b = f.MembershipFactory(organization=org_b, role="org_admin").user
    client.force_login(admin_b, backend="assessments.backends.PortalBackend")
    before = list(DataArchive.objects.values_list("pk", "status", "file", "expires_at"))
    assert client.get(reverse("archive:download", args=["alpha", archive.pk])).status_code == 404
    # Through Bravo's own URL, Alpha's archive id is not found either.
    response = client.get(reverse("archive:download", args=["bravo", archive.pk]))
    assert response.status_code == 404
    assert list(DataArchive.objects.values_list("pk", "status", "file", "expires_at")) == before


def test_an_expired_link_says_so_and_changes_nothing(client, alpha_data, org_a, admin_a):
    archive = _built(org_a, admin_a)
    DataArchive.objects.filter(pk=archive.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    before = list(DataArchive.objects.values_list("pk", "status", "file", "expires_at"))
    client.force_login(admin_a, backend="assessments.backends.PortalBackend")
    response = client.get(reverse("archive:download", args=["alpha", archive.pk]))
    assert response.status_code == 410
    page = response.content.decode()
    assert "This download link expired on " in page
    assert "archives can be downloaded for 72 hours. Build a new archive to take the data out." in page
    assert list(DataArchive.objects.values_list("pk", "status", "file", "expires_at")) == before


def test_expired_archives_lose_their_files(alpha_data, org_a, admin_a):
    archive = _built(org_a, admin_a)
    storage, name = archive.file.storage, archive.file.name
    assert archives_expired_delete() == 0
    assert archives_expired_delete(now=archive.expires_at + datetime.timedelta(seconds=1)) == 1
    assert not storage.exists(name)
    assert DataArchive.objects.get().file == ""


def test_sections_are_a_list_the_lead_can_extend():
    assert [s.title for s in SECTIONS] == [
        "Organization, terms acceptances and withdrawal",
        "Members and roles",
        "Assessments with their history",
        "Improvement plans",
        "Scorecards (PDF)",
        "Evidence files",
        "Audit events about the organization",
    ]


def test_the_archive_holds_the_evidence_files(alpha_data, org_a, assessor_a, admin_a, settings, tmp_path):
    """Issue 18's documents in issue 25's archive: a folder per cycle and indicator, the original bytes."""
    from assessments.evidence.services import evidence_upload
    from assessments.models import Assessment
    from tests.assessments.evidence.samples import PDF as EVIDENCE_PDF
    from tests.assessments.evidence.samples import upload

    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "evidence"},
        },
    }
    settings.CLAMD_SOCKET = ""
    Assessment.objects.filter(pk=alpha_data.pk).update(status="draft")  # files are added before submission
    indicator = alpha_data.responses.order_by("indicator__commitment__order", "indicator__order")[0].indicator
    for name in ("Board minutes.pdf", "Board minutes.pdf"):
        evidence_upload(
            assessment=Assessment.objects.get(pk=alpha_data.pk),
            indicator_id=indicator.pk,
            file=upload(name, EVIDENCE_PDF),
            name=name,
            user=assessor_a,
        )
    Assessment.objects.filter(pk=alpha_data.pk).update(status="submitted")

    archive = _built(org_a, admin_a)

    zf = _zip(archive)
    root = f"alpha-data-{archive.finished_at:%Y%m%d}"
    evidence = sorted(n.removeprefix(root + "/") for n in zf.namelist() if "/evidence/" in n)
    folder = f"evidence/2026/{indicator.code}"
    assert evidence == [f"{folder}/Board minutes (2).pdf", f"{folder}/Board minutes.pdf"]
    assert zf.read(f"{root}/{folder}/Board minutes.pdf") == EVIDENCE_PDF
    assert (
        f"- {folder}/Board minutes.pdf (evidence file of {indicator.code}, 2026)"
        in zf.read(f"{root}/README.txt").decode()
    )
