"""The access matrix of the evidence file URLs, with the machinery and world of tests/test_access_matrix.py
(which lists these names in SKIPPED and leaves them to this file)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments.evidence import services
from assessments.evidence.models import EvidenceDocument, EvidenceLink
from tests import test_access_matrix as matrix
from tests.test_access_matrix import LOGIN, ORG_MEMBERS_ONLY, POST_ONLY, ROLES

from .samples import PDF

pytestmark = pytest.mark.django_db
world = matrix.world  # the matrix's fixture: org A and B, their people, the rubric, cycle 2026

WRITE_REFUSED = {"anonymous": LOGIN, "executive_a": 403, "assessor_b": 404, "nam_staff": 403}
NAM_ONLY = {**dict.fromkeys(ROLES, 403), "anonymous": LOGIN, "nam_staff": 200}
_ALPHA_2026 = {"slug": "alpha", "cycle_slug": "2026"}


def _indicator(world, code):
    return world.engaged.indicators.get(code=code)


def _evidence(world):
    """Alpha's charter.pdf, evidence for ENG-1 (made once per world, on first use)."""
    if not hasattr(world, "evidence_a"):
        world.evidence_a = services.evidence_upload(
            assessment=world.assessment_a,
            indicator_id=_indicator(world, "ENG-1").pk,
            file=SimpleUploadedFile("charter.pdf", PDF),
            name="charter.pdf",
            user=None,
        )
    return world.evidence_a


def _snapshot(world):
    return (
        sorted(EvidenceLink.objects.values_list("pk", "indicator_id", "document_id", "removed_at")),
        sorted(EvidenceDocument.objects.values_list("pk", "stored_name", "deleted_at")),
    )


ROWS = {
    "assessments:evidence_upload": {
        "kwargs": _ALPHA_2026,
        "expect": POST_ONLY,
        "post": WRITE_REFUSED,
        "data": lambda w: {
            "indicator": _indicator(w, "ENG-2").pk,
            "file": SimpleUploadedFile("minutes.pdf", PDF),
        },
        "snapshot": _snapshot,
    },
    "assessments:evidence_attach": {
        "kwargs": _ALPHA_2026,
        "expect": POST_ONLY,
        "post": WRITE_REFUSED,
        "data": lambda w: {"indicator": _indicator(w, "ENG-2").pk, "document": _evidence(w).document_id},
        "snapshot": _snapshot,
    },
    "assessments:evidence_remove": {
        "kwargs": {**_ALPHA_2026, "pk": lambda w: _evidence(w).pk},
        "expect": POST_ONLY,
        "post": WRITE_REFUSED,
        "snapshot": _snapshot,
    },
    "assessments:evidence_download": {
        "kwargs": {"slug": "alpha", "pk": lambda w: _evidence(w).document_id},
        "expect": ORG_MEMBERS_ONLY,
    },
    "assessments:evidence_zip": {"kwargs": {"pk": lambda w: w.assessment_a.pk}, "expect": NAM_ONLY},
}


def test_every_evidence_url_has_a_row_here_and_is_skipped_there():
    names = {name for name in matrix.named_urls() if name.startswith("assessments:evidence_")}
    assert names == set(ROWS)
    assert names <= matrix.SKIPPED


@pytest.mark.parametrize("name", sorted(ROWS))
def test_get(name, client, world):
    matrix.check_get(client, world, name, ROWS[name], roles=ROLES)


@pytest.mark.parametrize("name", sorted(n for n, row in ROWS.items() if "post" in row))
def test_refused_post_changes_nothing(name, client, world):
    matrix.check_refused_posts(client, world, name, ROWS[name])


def test_hidden_states(client, world, stored):
    """A document is reached only through its own organization, and only while it is stored."""
    bravo = services.evidence_upload(
        assessment=world.assessment_b,
        indicator_id=_indicator(world, "ENG-1").pk,
        file=SimpleUploadedFile("bravo.pdf", PDF),
        name="bravo.pdf",
        user=None,
    )
    alice = matrix._client_for(client, world, "assessor_a")
    assert alice.get(f"/orgs/alpha/evidence/{bravo.document_id}/").status_code == 404
    link = _evidence(world)
    services.evidence_remove(assessment=world.assessment_a, link_id=link.pk, user=None)
    assert alice.get(f"/orgs/alpha/evidence/{link.document_id}/").status_code == 404
    # A link of Bravo's cannot be removed through Alpha's assessment.
    before = stored.state()
    response = alice.post(f"/orgs/alpha/assessments/2026/evidence/{bravo.pk}/remove/")
    assert response["Location"] == "/orgs/alpha/assessments/2026/"
    assert stored.state() == before
