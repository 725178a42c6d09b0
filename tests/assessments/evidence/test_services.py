"""Evidence services against PostgreSQL and a real folder: what is stored, and what a refusal leaves."""

import hashlib

import pytest
from django.core.exceptions import ValidationError

from assessments.evidence import services
from assessments.evidence.models import EvidenceDocument, EvidenceLink
from assessments.models import Assessment, AssessmentCycle, Response
from assessments.services import workflow
from tests import factories as f

from .fake_clamd import EICAR, FakeClamd
from .samples import ELF, MZ, PDF, PNG, upload

CONTROL = "The file name contains control characters; rename the file with letters, digits and punctuation."
FOLDER = "The file name contains a folder path (“/” or “\\”); upload the file under its own name only."
pytestmark = pytest.mark.django_db


def put(assessment, indicator, name="minutes.pdf", content=PDF, user=None):
    return services.evidence_upload(
        assessment=assessment, indicator_id=indicator.pk, file=upload(name, content), name=name, user=user
    )


def test_upload_stores_the_bytes_under_a_generated_name(draft, eng, assessor_a, stored, evidence_root):
    link = put(draft, eng["ENG-1"], "Board minutes.pdf", user=assessor_a)
    document = link.document
    assert (document.original_name, document.kind, document.content_type, document.size) == (
        "Board minutes.pdf",
        "pdf",
        "application/pdf",
        len(PDF),
    )
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert stored.files() == [document.stored_name]
    assert (
        document.stored_name.startswith(f"evidence/{draft.pk}/")
        and len(document.stored_name.split("/")[-1]) == 32
    )
    assert (evidence_root / document.stored_name).read_bytes() == PDF
    assert (link.assessment, link.indicator, link.added_by, link.carried_from) == (
        draft,
        eng["ENG-1"],
        assessor_a,
        None,
    )


def _refused(stored, call, message):
    before = stored.state()
    with pytest.raises(ValidationError) as refused:
        call()
    assert refused.value.messages == [message]
    assert stored.state() == before


def test_oversize_file(draft, eng, stored, settings):
    settings.EVIDENCE_MAX_FILE_BYTES = 100
    _refused(
        stored,
        lambda: put(draft, eng["ENG-1"], content=PDF + b"x" * 200),
        "The file is 325\xa0bytes; a file may be at most 100\xa0bytes. Nothing was uploaded.",
    )


def test_quota_of_the_assessment(draft, eng, stored, settings):
    settings.EVIDENCE_MAX_ASSESSMENT_BYTES = 2 * len(PDF) + 10
    put(draft, eng["ENG-1"], "one.pdf")
    put(draft, eng["ENG-2"], "two.pdf")
    _refused(
        stored,
        lambda: put(draft, eng["ENG-3"], "three.pdf"),
        "This file (125\xa0bytes) would take the assessment's evidence files past their limit of "
        "260\xa0bytes (250\xa0bytes used). Remove files that are no longer needed, or upload a smaller one. "
        "Nothing was uploaded.",
    )


@pytest.mark.parametrize("content", [ELF, MZ])
def test_renamed_executable(draft, eng, stored, content):
    _refused(
        stored,
        lambda: put(draft, eng["ENG-1"], "x.pdf", content),
        "This file is not one of the allowed types (PDF, Word (.docx, .doc), Excel (.xlsx, .xls), PowerPoint "
        "(.pptx, .ppt), CSV, plain text (.txt), PNG or JPEG); it was not uploaded.",
    )


def test_empty_file(draft, eng, stored):
    _refused(
        stored,
        lambda: put(draft, eng["ENG-1"], "x.pdf", b""),
        "The file is empty (0 bytes); nothing was uploaded.",
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "../../x.pdf",
            FOLDER,
        ),
        ("a" * 296 + ".pdf", "The file name has 300 characters; at most 200 are allowed. Rename the file."),
        (
            "x\x1b[31m.pdf",
            CONTROL,
        ),
    ],
)
def test_odd_names(draft, eng, stored, name, message):
    _refused(stored, lambda: put(draft, eng["ENG-1"], name), message)


@pytest.mark.parametrize("status", [Assessment.Status.SUBMITTED, Assessment.Status.VALIDATED])
def test_no_upload_after_submission(draft, eng, stored, status):
    Assessment.objects.filter(pk=draft.pk).update(status=status)
    label = status.label.lower()
    _refused(
        stored,
        lambda: put(draft, eng["ENG-1"]),
        f"This assessment is {label}: its evidence files can no longer be added or removed. "
        "Nothing was changed.",
    )


def test_an_indicator_of_another_rubric_is_refused(draft, stored):
    other = f.build_rubric(version="2099")
    indicator = other.commitments.first().indicators.first()
    _refused(
        stored,
        lambda: put(draft, indicator),
        "That indicator is not part of this assessment; nothing was uploaded.",
    )


def test_one_document_serves_several_indicators(draft, eng, assessor_a, stored):
    link = put(draft, eng["ENG-1"], user=assessor_a)
    again = services.evidence_attach(
        assessment=draft, indicator_id=eng["ENG-2"].pk, document_id=link.document_id, user=assessor_a
    )
    assert again.document_id == link.document_id
    assert len(stored.files()) == 1
    _refused(
        stored,
        lambda: services.evidence_attach(
            assessment=draft, indicator_id=eng["ENG-2"].pk, document_id=link.document_id, user=assessor_a
        ),
        "minutes.pdf is already evidence for ENG-2.",
    )


def test_a_document_of_another_organization_cannot_be_picked(draft, eng, cycle, org_b, stored):
    theirs = put(f.AssessmentFactory(organization=org_b, cycle=cycle), eng["ENG-1"], "secret.pdf")
    _refused(
        stored,
        lambda: services.evidence_attach(
            assessment=draft, indicator_id=eng["ENG-2"].pk, document_id=theirs.document_id, user=None
        ),
        "That document is not one of this assessment's evidence files; nothing changed.",
    )


def test_removal_is_kept_in_the_history_and_the_last_removal_deletes_the_bytes(
    draft, eng, assessor_a, stored, django_capture_on_commit_callbacks
):
    first = put(draft, eng["ENG-1"], user=assessor_a)
    second = services.evidence_attach(
        assessment=draft, indicator_id=eng["ENG-2"].pk, document_id=first.document_id, user=assessor_a
    )
    services.evidence_remove(assessment=draft, link_id=first.pk, user=assessor_a)
    assert len(stored.files()) == 1  # still evidence for ENG-2
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_remove(assessment=draft, link_id=second.pk, user=assessor_a)
    assert stored.files() == []
    assert list(
        EvidenceLink.objects.order_by("pk").values_list("indicator__code", "removed_by__username")
    ) == [
        ("ENG-1", "alice"),
        ("ENG-2", "alice"),
    ]
    assert EvidenceDocument.objects.get().deleted_at is not None
    assert services.assessment_usage(draft) == 0


@pytest.mark.parametrize("status", [Assessment.Status.SUBMITTED, Assessment.Status.VALIDATED])
def test_files_of_a_submitted_or_validated_assessment_cannot_be_removed(draft, eng, stored, status):
    link = put(draft, eng["ENG-1"])
    Assessment.objects.filter(pk=draft.pk).update(status=status)
    _refused(
        stored,
        lambda: services.evidence_remove(assessment=draft, link_id=link.pk, user=None),
        f"This assessment is {status.label.lower()}: its evidence files can no longer be added or removed. "
        "Nothing was changed.",
    )


def test_copy_from_the_previous_cycle_carries_documents_as_references(rubric, org_a, assessor_a, stored):
    last_cycle = f.AssessmentCycleFactory(name="2025", rubric=rubric)
    previous = f.AssessmentFactory(organization=org_a, cycle=last_cycle)
    indicators = {i.code: i for i in rubric.commitments.get(slug="engaged").indicators.all()}
    link = put(previous, indicators["ENG-1"], "charter.pdf", user=assessor_a)
    put(previous, indicators["ENG-2"], "chart.png", PNG, user=assessor_a)
    f.answer_all(previous, 3, status=Assessment.Status.VALIDATED)
    AssessmentCycle.objects.filter(pk=last_cycle.pk).update(status=AssessmentCycle.Status.CLOSED)
    current = f.AssessmentFactory(
        organization=org_a, cycle=f.AssessmentCycleFactory(name="2026", rubric=rubric)
    )
    files_before = stored.files()

    assert workflow.assessment_copy_previous(assessment=current, user=assessor_a) == 30
    carried = EvidenceLink.objects.filter(assessment=current).order_by("indicator__code")
    assert list(carried.values_list("indicator__code", "document__original_name", "carried_from__name")) == [
        ("ENG-1", "charter.pdf", "2025"),
        ("ENG-2", "chart.png", "2025"),
    ]
    assert carried.first().document_id == link.document_id
    assert stored.files() == files_before  # references: no bytes copied
    assert services.assessment_usage(current) == 0  # they count in 2025's quota
    assert Response.objects.filter(assessment=current).count() == 30


@pytest.fixture
def clamd(tmp_path, settings):
    server = FakeClamd(str(tmp_path / "clamd.sock"))
    settings.CLAMD_SOCKET = server.path
    yield server
    server.close()


def test_the_virus_scan_passes_clean_files(draft, eng, stored, clamd):
    put(draft, eng["ENG-1"], "notes.txt", b"Board minutes\n")
    assert clamd.received == [b"Board minutes\n"]
    assert len(stored.files()) == 1


def test_the_virus_scan_rejects_infected_files_before_they_are_stored(draft, eng, stored, clamd):
    _refused(
        stored,
        lambda: put(draft, eng["ENG-1"], "eicar.txt", EICAR),
        "The virus scanner found Eicar-Test-Signature in this file; it was not uploaded.",
    )
    assert clamd.received == [EICAR]


def test_an_unreachable_scanner_refuses_the_upload(draft, eng, stored, settings, tmp_path):
    settings.CLAMD_SOCKET = str(tmp_path / "no-such.sock")
    _refused(
        stored,
        lambda: put(draft, eng["ENG-1"]),
        "The virus scanner could not be reached, so the file was not uploaded. Try again in a few minutes.",
    )


def test_a_document_counts_as_evidence_for_the_level_4_warning(draft, eng, assessor_a, stored):
    """Issue 18's data-review warning (assessments.selectors.review_issues): level 4 or 5 without evidence
    warns unless the answer has a summary or a file."""
    from assessments.selectors import review_issues

    for code in ("ENG-1", "ENG-2"):
        Response.objects.update_or_create(assessment=draft, indicator=eng[code], defaults={"level": 4})

    def warned():
        return sorted(
            w.indicator.code for w in review_issues(draft).warnings if "without evidence" in w.message
        )

    assert warned()[:2] == ["ENG-1", "ENG-2"]
    put(draft, eng["ENG-1"], user=assessor_a)
    assert "ENG-1" not in warned() and "ENG-2" in warned()
