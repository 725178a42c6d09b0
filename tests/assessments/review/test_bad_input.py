"""Bad input to the review and the attestation: a clear message, and nothing changed in the database."""

import html
import re

import pytest
from django.urls import reverse

from assessments.models import Assessment
from assessments.review.models import ReviewMessage, ReviewThread
from assessments.review.selectors import answers_sha256
from commitments.models import Indicator
from tests import factories as f
from tests.test_access_matrix import _model_counts

from .access_rows import review_snapshot

pytestmark = pytest.mark.django_db
BACKEND = "assessments.backends.PortalBackend"


def state(world):
    return (_model_counts(), review_snapshot(world))


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def as_user(client, user):
    client.force_login(user, backend=BACKEND)
    return client


@pytest.fixture
def world(world):
    """The access matrix's world with A's assessment answered in full."""
    f.answer_all(world.assessment_a, 3)
    world.eng1 = Indicator.objects.get(commitment__rubric=world.rubric, code="ENG-1")
    return world


def _set_status(assessment, status):
    assessment.status = status
    assessment.save()


def _thread(world, *, blocking=True, awaiting=True):
    thread = ReviewThread.objects.create(
        assessment=world.assessment_a,
        indicator=world.eng1,
        kind="evidence",
        blocking=blocking,
        awaiting_reply=awaiting,
    )
    ReviewMessage.objects.create(
        thread=thread, author=world.users["nam_staff"], from_nam=True, body="Minutes?"
    )
    return thread


def test_a_comment_on_a_validated_assessment(client, world):
    _set_status(world.assessment_a, Assessment.Status.VALIDATED)
    before = state(world)
    url = reverse("assessments:thread_create", args=[world.assessment_a.pk])
    data = {"indicator": world.eng1.pk, "kind": "question", "body": "Why?"}
    response = as_user(client, world.users["nam_staff"]).post(url, data, follow=True)
    assert (
        "This assessment is validated: reviewers comment only on a submitted or returned assessment of an "
        "open cycle. Nothing was saved."
    ) in text(response)
    assert state(world) == before


def test_attesting_twice(client, world):
    _set_status(world.assessment_a, Assessment.Status.AWAITING_ATTESTATION)
    world.assessment_a.attestations.create(status_before="draft", requested_by=world.users["assessor_a"])
    client = as_user(client, world.users["executive_a"])
    url = reverse("assessments:attest", kwargs={"slug": "alpha", "cycle_slug": "2026"})
    data = {"answers_sha256": answers_sha256(world.assessment_a), "confirm": "on"}
    client.post(url, data)
    before = state(world)
    response = client.post(url, data, follow=True)
    assert re.search(r"This assessment was already submitted on .*; nothing was changed\.", text(response))
    assert state(world) == before
    assert world.assessment_a.attestations.get().status == "attested"


@pytest.mark.parametrize("role", ["assessor_a", "admin_a"])
def test_attesting_as_someone_other_than_an_executive(client, world, role):
    _set_status(world.assessment_a, Assessment.Status.AWAITING_ATTESTATION)
    world.assessment_a.attestations.create(status_before="draft", requested_by=world.users["assessor_a"])
    before = state(world)
    url = reverse("assessments:attest", kwargs={"slug": "alpha", "cycle_slug": "2026"})
    data = {"answers_sha256": answers_sha256(world.assessment_a), "confirm": "on"}
    response = as_user(client, world.users[role]).post(url, data, follow=True)
    assert (
        "Only an executive of Alpha Regional Hospital attests its assessment. Nothing was changed."
        in text(response)
    )
    assert state(world) == before


def test_attesting_by_an_executive_of_another_organization(client, world):
    _set_status(world.assessment_a, Assessment.Status.AWAITING_ATTESTATION)
    world.assessment_a.attestations.create(status_before="draft", requested_by=world.users["assessor_a"])
    outsider = f.MembershipFactory(organization=world.org_b, role="executive").user
    before = state(world)
    url = reverse("assessments:attest", kwargs={"slug": "alpha", "cycle_slug": "2026"})
    data = {"answers_sha256": answers_sha256(world.assessment_a), "confirm": "on"}
    response = as_user(client, outsider).post(url, data)
    # Another organization's assessment does not exist for them (ids and slugs reveal nothing).
    assert (response.status_code, "Page not found" in text(response)) == (404, True)
    assert state(world) == before


def test_attesting_answers_other_than_those_shown(client, world):
    _set_status(world.assessment_a, Assessment.Status.AWAITING_ATTESTATION)
    world.assessment_a.attestations.create(status_before="draft", requested_by=world.users["assessor_a"])
    before = state(world)
    url = reverse("assessments:attest", kwargs={"slug": "alpha", "cycle_slug": "2026"})
    response = as_user(client, world.users["executive_a"]).post(
        url, {"answers_sha256": "0" * 64, "confirm": "on"}, follow=True
    )
    assert "The answers changed since you opened the summary: read it again. Nothing was changed." in text(
        response
    )
    assert state(world) == before


def test_replying_to_another_organizations_thread(client, world):
    _set_status(world.assessment_a, Assessment.Status.RETURNED)
    thread = _thread(world)
    before = state(world)
    url = reverse("assessments:thread_reply", kwargs={"slug": "bravo", "cycle_slug": "2026", "pk": thread.pk})
    response = as_user(client, world.users["assessor_b"]).post(url, {"body": "Not ours."}, follow=True)
    assert "That thread belongs to another organization's assessment. Nothing was changed." in text(response)
    assert state(world) == before


def test_resubmission_with_a_blocking_thread_unanswered(client, world):
    _set_status(world.assessment_a, Assessment.Status.RETURNED)
    _thread(world)
    _thread(world, blocking=False)  # not blocking: does not stop the resubmission
    before = state(world)
    url = reverse("assessments:submit", kwargs={"slug": "alpha", "cycle_slug": "2026"})
    response = as_user(client, world.users["assessor_a"]).post(url)
    assert (
        "Reply to the reviewer's blocking comments before submitting again: ENG-1 (request for evidence). "
        "Nothing was changed."
    ) in text(response)
    assert state(world) == before
    assert Assessment.objects.get(pk=world.assessment_a.pk).status == "returned"


def test_a_reply_unblocks_the_resubmission(client, world):
    _set_status(world.assessment_a, Assessment.Status.RETURNED)
    thread = _thread(world)
    client = as_user(client, world.users["assessor_a"])
    reply = reverse(
        "assessments:thread_reply", kwargs={"slug": "alpha", "cycle_slug": "2026", "pk": thread.pk}
    )
    empty = client.post(reply, {"body": "  "}, follow=True)
    assert "Write the reply first. Nothing was changed." in text(empty)
    client.post(reply, {"body": "Minutes added to the evidence."})
    client.post(reverse("assessments:submit", kwargs={"slug": "alpha", "cycle_slug": "2026"}))
    assert Assessment.objects.get(pk=world.assessment_a.pk).status == "attesting"
