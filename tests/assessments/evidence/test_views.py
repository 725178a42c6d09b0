"""Evidence files over HTTP: the commitment page's controls, upload, reuse, remove, download, NAM's ZIP."""

import io
import zipfile

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from assessments.evidence import services
from assessments.models import Assessment, AuditEvent
from tests import factories as f

from .samples import MZ, PDF, PNG, upload

pytestmark = pytest.mark.django_db

PAGE = "/orgs/alpha/assessments/2026/commitments/engaged/"
UPLOAD = "/orgs/alpha/assessments/2026/evidence/upload/"
ATTACH = "/orgs/alpha/assessments/2026/evidence/attach/"


def login(client, user):
    client.force_login(user, backend="assessments.backends.PortalBackend")
    return client


def messages_of(response, client=None) -> list[str]:
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    if client is not None:
        client.get(response["Location"])  # shows them, so that the next request starts with none
    return shown


def raw_upload(client, url, indicator_id, filename, content):
    """A multipart POST with the file name exactly as a client sends it (Django's test client would
    shorten it to its last path component itself)."""
    boundary = "BoUnDaRy"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="indicator"\r\n\r\n{indicator_id}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.generic("POST", url, body, content_type=f"multipart/form-data; boundary={boundary}")


def test_the_commitment_page_offers_upload_and_reuse_beside_each_indicator(client, draft, eng, assessor_a):
    link = services.evidence_upload(
        assessment=draft,
        indicator_id=eng["ENG-1"].pk,
        file=upload("charter.pdf", PDF),
        name="charter.pdf",
        user=None,
    )
    html = login(client, assessor_a).get(PAGE).content.decode()
    assert 'name="answers-0-evidence_summary"' in html  # the text summary stays
    assert (
        f'<label class="form-label small" for="evidence-file-{eng["ENG-1"].pk}">Upload a document for ENG-1'
        "</label>" in html
    )
    assert (
        f'form="evidence-upload-{eng["ENG-2"].pk}" '
        'accept=".pdf,.docx,.doc,.xlsx,.xls,.pptx,.ppt,.csv,.txt,.png,.jpg,.jpeg"' in html
    )
    assert (
        "Allowed: PDF, Word (.docx, .doc), Excel (.xlsx, .xls), PowerPoint (.pptx, .ppt), CSV, "
        "plain text (.txt), PNG or JPEG. At most 20.0\xa0MB a file and 250.0\xa0MB for the whole assessment "
        "(125\xa0bytes used)."
    ) in html
    assert f'href="/orgs/alpha/evidence/{link.document_id}/" download>charter.pdf</a>' in html
    # ENG-2 may pick charter.pdf; ENG-1 has it already
    assert f'<select class="form-select" id="evidence-pick-{eng["ENG-2"].pk}"' in html
    assert f'id="evidence-pick-{eng["ENG-1"].pk}"' not in html
    assert (
        f'<form id="evidence-remove-{link.pk}" method="post" '
        f'action="/orgs/alpha/assessments/2026/evidence/{link.pk}/remove/">' in html
    )


def test_a_reader_sees_the_files_without_the_controls(client, draft, eng, executive_a):
    services.evidence_upload(
        assessment=draft,
        indicator_id=eng["ENG-1"].pk,
        file=upload("charter.pdf", PDF),
        name="charter.pdf",
        user=None,
    )
    html = login(client, executive_a).get(PAGE).content.decode()
    assert ">charter.pdf</a>" in html
    assert "Upload a document for" not in html and "evidence-upload-" not in html


def test_upload_reuse_and_remove_through_the_page(client, draft, eng, assessor_a, stored):
    client = login(client, assessor_a)
    response = client.post(UPLOAD, {"indicator": eng["ENG-1"].pk, "file": upload("charter.pdf", PDF)})
    assert response["Location"] == PAGE + "#evidence-ENG-1"
    assert messages_of(response, client) == ["charter.pdf is uploaded as evidence."]
    document = draft.evidence_documents.get()
    response = client.post(ATTACH, {"indicator": eng["ENG-3"].pk, "document": document.pk})
    assert response["Location"] == PAGE + "#evidence-ENG-3"
    assert messages_of(response) == ["The document is added as evidence for this indicator too."]
    link = document.links.get(indicator=eng["ENG-1"])
    response = client.post(f"/orgs/alpha/assessments/2026/evidence/{link.pk}/remove/")
    assert response["Location"] == PAGE + "#evidence-ENG-1"
    assert list(document.links.live().values_list("indicator__code", flat=True)) == ["ENG-3"]
    history = client.get("/orgs/alpha/assessments/2026/history/").content.decode()
    assert history.count("Removed charter.pdf") == 1 and history.count("Added charter.pdf") == 2


def _refused_over_http(client, stored, post, message, location=PAGE + "#evidence-ENG-1"):
    before = stored.state()
    response = post()
    assert (response.status_code, response["Location"]) == (302, location)
    assert messages_of(response, client) == [message]
    assert stored.state() == before


def test_bad_uploads_over_http_change_nothing(client, draft, eng, assessor_a, stored, settings):
    client = login(client, assessor_a)
    one = eng["ENG-1"].pk
    settings.EVIDENCE_MAX_FILE_BYTES = 100
    _refused_over_http(
        client,
        stored,
        lambda: client.post(UPLOAD, {"indicator": one, "file": upload("big.pdf", PDF)}),
        "The file is 125\xa0bytes; a file may be at most 100\xa0bytes. Nothing was uploaded.",
    )
    settings.EVIDENCE_MAX_FILE_BYTES = 1000
    settings.EVIDENCE_MAX_ASSESSMENT_BYTES = 100
    _refused_over_http(
        client,
        stored,
        lambda: client.post(UPLOAD, {"indicator": one, "file": upload("q.pdf", PDF)}),
        "This file (125\xa0bytes) would take the assessment's evidence files past their limit of "
        "100\xa0bytes (0\xa0bytes used). Remove files that are no longer needed, or upload a smaller one. "
        "Nothing was uploaded.",
    )
    settings.EVIDENCE_MAX_ASSESSMENT_BYTES = 10_000
    _refused_over_http(
        client,
        stored,
        lambda: client.post(UPLOAD, {"indicator": one, "file": upload("x.pdf", MZ)}),
        "This file is not one of the allowed types (PDF, Word (.docx, .doc), Excel (.xlsx, .xls), PowerPoint "
        "(.pptx, .ppt), CSV, plain text (.txt), PNG or JPEG); it was not uploaded.",
    )
    _refused_over_http(
        client,
        stored,
        lambda: client.post(UPLOAD, {"indicator": one, "file": upload("x.pdf", b"")}),
        "The file is empty (0 bytes); nothing was uploaded.",
    )
    # Django keeps at most 255 characters of a file name (the extension kept); the portal at most 200.
    _refused_over_http(
        client,
        stored,
        lambda: raw_upload(client, UPLOAD, one, "a" * 296 + ".pdf", PDF),
        "The file name has 255 characters; at most 200 are allowed. Rename the file.",
    )
    _refused_over_http(
        client,
        stored,
        lambda: client.post(UPLOAD, {"indicator": one}),
        "Choose a file to upload, then press Upload. Nothing was uploaded.",
    )


def test_a_path_or_control_characters_in_the_name_never_reach_the_storage(
    client, draft, eng, assessor_a, stored
):
    """Django's multipart parser keeps only the last path component and drops unprintable characters before
    the portal sees the name (the service refuses such names from any other caller: test_services.py)."""
    client = login(client, assessor_a)
    raw_upload(client, UPLOAD, eng["ENG-1"].pk, "../../x.pdf", PDF)
    raw_upload(client, UPLOAD, eng["ENG-2"].pk, "..\\..\\y\x07.pdf", PDF)
    documents = list(draft.evidence_documents.order_by("pk"))
    assert [d.original_name for d in documents] == ["x.pdf", "y.pdf"]
    assert stored.files() == sorted(d.stored_name for d in documents)
    assert all(name.startswith(f"evidence/{draft.pk}/") for name in stored.files())


def test_an_upload_to_another_organizations_indicator_is_404(client, draft, eng, assessor_b, stored):
    before = stored.state()
    response = login(client, assessor_b).post(
        UPLOAD, {"indicator": eng["ENG-1"].pk, "file": upload("x.pdf", PDF)}
    )
    assert response.status_code == 404
    assert stored.state() == before


def test_an_indicator_outside_the_rubric_is_refused(client, draft, assessor_a, stored):
    other = f.build_rubric(version="2099").commitments.first().indicators.first()
    client = login(client, assessor_a)
    _refused_over_http(
        client,
        stored,
        lambda: client.post(UPLOAD, {"indicator": other.pk, "file": upload("x.pdf", PDF)}),
        "That indicator is not part of this assessment; nothing was uploaded.",
        location="/orgs/alpha/assessments/2026/",
    )


def test_an_upload_after_submission_is_refused(client, draft, eng, assessor_a, stored):
    Assessment.objects.filter(pk=draft.pk).update(status=Assessment.Status.SUBMITTED)
    client = login(client, assessor_a)
    _refused_over_http(
        client,
        stored,
        lambda: client.post(UPLOAD, {"indicator": eng["ENG-1"].pk, "file": upload("x.pdf", PDF)}),
        "This assessment is submitted: its evidence files can no longer be added or removed. "
        "Nothing was changed.",
    )


@pytest.fixture
def document(draft, eng):
    link = services.evidence_upload(
        assessment=draft,
        indicator_id=eng["ENG-1"].pk,
        file=upload("Board minutes.pdf", PDF),
        name="Board minutes.pdf",
        user=None,
    )
    return link.document


@pytest.mark.parametrize("who", ["assessor_a", "executive_a", "admin_a", "nam_staff"])
def test_download_as_an_attachment_with_nosniff(client, document, who, request):
    response = login(client, request.getfixturevalue(who)).get(f"/orgs/alpha/evidence/{document.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert (
        response["Content-Type"],
        response["Content-Disposition"],
        response["X-Content-Type-Options"],
    ) == (
        "application/pdf",
        'attachment; filename="Board minutes.pdf"',
        "nosniff",
    )
    assert response["Cache-Control"] == "private, no-store"


def test_a_member_of_another_organization_cannot_download(client, document, assessor_b, org_b):
    assert login(client, assessor_b).get(f"/orgs/alpha/evidence/{document.pk}/").status_code == 404
    # nor through their own organization's address
    assert client.get(f"/orgs/bravo/evidence/{document.pk}/").status_code == 404
    assert AuditEvent.objects.filter(kind="access_denied", actor__username="bob").count() == 1


def test_nam_staff_download_every_document_as_one_zip(client, draft, eng, nam_staff, assessor_a):
    one, _, _ = (
        services.evidence_upload(
            assessment=draft, indicator_id=eng[code].pk, file=upload(name, content), name=name, user=None
        )
        for code, name, content in [
            ("ENG-1", "minutes.pdf", PDF),
            ("ENG-1", "MINUTES.pdf", PDF),
            ("ENG-2", "chart.png", PNG),
        ]
    )
    services.evidence_attach(
        assessment=draft, indicator_id=eng["ENG-2"].pk, document_id=one.document_id, user=None
    )
    response = login(client, nam_staff).get(f"/nam/assessments/{draft.pk}/evidence.zip")
    assert response["Content-Disposition"] == 'attachment; filename="evidence-alpha-2026.zip"'
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.namelist() == [
        "ENG-1/MINUTES.pdf",
        "ENG-1/minutes (2).pdf",
        "ENG-2/chart.png",
        "ENG-2/minutes.pdf",
    ]
    assert archive.read("ENG-2/chart.png") == PNG
    assert AuditEvent.objects.filter(kind="export").values_list("detail", flat=True).get() == (
        "evidence files of the 2026 assessment as ZIP (4 files)"
    )
    assert login(client, assessor_a).get(f"/nam/assessments/{draft.pk}/evidence.zip").status_code == 403


def test_the_export_lists_documents_per_indicator(client, document, draft, eng, executive_a):
    services.evidence_attach(
        assessment=draft, indicator_id=eng["ENG-3"].pk, document_id=document.pk, user=None
    )
    csv = login(client, executive_a).get(reverse("reports:assessment_export", args=["alpha", "2026", "csv"]))
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].endswith(",Evidence links,Evidence documents")
    assert lines[1:4] == [
        "Engaged,ENG-1,Engaged indicator 1,,Not answered,,,,Board minutes.pdf",
        "Engaged,ENG-2,Engaged indicator 2,,Not answered,,,,",
        "Engaged,ENG-3,Engaged indicator 3,,Not answered,,,,Board minutes.pdf",
    ]


def test_nam_review_shows_each_indicators_files_and_the_zip(client, document, draft, eng, nam_staff):
    Assessment.objects.filter(pk=draft.pk).update(status=Assessment.Status.SUBMITTED)
    html = login(client, nam_staff).get(f"/nam/assessments/{draft.pk}/").content.decode()
    assert (
        f'<a href="/nam/assessments/{draft.pk}/evidence.zip" download>Download all evidence files (ZIP)</a>'
        in html
    )
    assert html.count(f'<a href="/orgs/alpha/evidence/{document.pk}/" download>Board minutes.pdf</a>') == 1


def test_the_commitment_page_reads_evidence_in_constant_queries(
    client, draft, eng, assessor_a, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(name, code):
        services.evidence_upload(
            assessment=draft, indicator_id=eng[code].pk, file=upload(name, PDF), name=name, user=None
        )

    client = login(client, assessor_a)
    add("a.pdf", "ENG-1")
    client.get(PAGE)  # warm the session and the rubric cache
    with CaptureQueriesContext(connection) as small:
        assert client.get(PAGE).status_code == 200
    for number in range(6):
        add(f"more-{number}.pdf", ("ENG-1", "ENG-2", "ENG-3")[number % 3])
    with django_assert_num_queries(len(small.captured_queries)):
        html = client.get(PAGE).content.decode()
    assert html.count("download>more-") == 6


@pytest.mark.parametrize("name", ["evidencedocument", "evidencelink"])
def test_the_admin_lists_evidence_read_only(client, document, name):
    admin_user = f.UserFactory(username="root", is_staff=True, is_superuser=True)
    html = login(client, admin_user).get(f"/admin/assessments/{name}/").content.decode()
    assert "Board minutes.pdf" in html and "<h1>Select" in html
    assert client.get(f"/admin/assessments/{name}/add/").status_code == 403
