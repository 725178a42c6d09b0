"""The access-matrix rows of the review per indicator and the attestation (tests/test_access_matrix.py reads
them into its ROWS, so that every URL keeps a row without that file growing)."""

from django.urls import reverse

from tests.test_access_matrix import (
    LOGIN,
    ORG_MEMBERS_ONLY,
    POST_ONLY,
    REFUSED_TO_ALL_BUT_NAM,
    WORKFLOW_REFUSED,
    _workflow_snapshot,
    redirect_to,
)

_ALPHA_2026 = {"slug": "alpha", "cycle_slug": "2026"}


def thread_of(world):
    """A's open thread on ENG-1 (made on first use: the shared world stays as it is)."""
    from assessments.review.models import ReviewMessage, ReviewThread
    from commitments.models import Indicator

    indicator = Indicator.objects.get(commitment__rubric=world.rubric, code="ENG-1")
    thread, created = ReviewThread.objects.get_or_create(
        assessment=world.assessment_a, indicator=indicator, defaults={"kind": "question", "blocking": True}
    )
    if created:
        ReviewMessage.objects.create(thread=thread, from_nam=True, body="Why level 3?")
    return thread.pk


def review_snapshot(world):
    from assessments.review.models import Attestation, CarriedAnswer, ReviewMessage, ReviewThread

    return (
        _workflow_snapshot(world),
        sorted(ReviewThread.objects.values_list("pk", "status", "awaiting_reply")),
        ReviewMessage.objects.count(),
        sorted(CarriedAnswer.objects.values_list("pk", "confirmed_at")),
        sorted(Attestation.objects.values_list("pk", "status", "executive_id")),
    )


def _attest_url(world):
    return reverse("assessments:attest", kwargs=_ALPHA_2026)


ROWS = {
    "assessments:thread_create": {
        "kwargs": {"pk": lambda w: w.assessment_a.pk},
        "expect": POST_ONLY,
        "data": lambda w: {"indicator": w.engaged.indicators.first().pk, "kind": "question", "body": "Why?"},
        "post": REFUSED_TO_ALL_BUT_NAM,
        "snapshot": review_snapshot,
    },
    "assessments:thread_resolve": {
        "kwargs": {"pk": thread_of},
        "expect": POST_ONLY,
        "post": REFUSED_TO_ALL_BUT_NAM,
        "snapshot": review_snapshot,
    },
    "assessments:thread_reply": {
        "kwargs": {**_ALPHA_2026, "pk": thread_of},
        "expect": POST_ONLY,
        "data": {"body": "Because of the audit."},
        "post": WORKFLOW_REFUSED,
        "snapshot": review_snapshot,
    },
    "assessments:carried_confirm": {
        "kwargs": _ALPHA_2026,
        "expect": POST_ONLY,
        "data": lambda w: {"indicator": w.engaged.indicators.first().pk},
        "post": WORKFLOW_REFUSED,
        "snapshot": review_snapshot,
    },
    "assessments:attest": {
        "kwargs": _ALPHA_2026,
        "expect": ORG_MEMBERS_ONLY,
        "data": {"answers_sha256": "0" * 64, "confirm": "on"},
        # Only an executive of A attests: others in A are told so on the page (nothing changes); B's get 404.
        "post": {
            "anonymous": LOGIN,
            "assessor_a": redirect_to(_attest_url),
            "admin_a": redirect_to(_attest_url),
            "assessor_b": 404,
            "nam_staff": redirect_to(_attest_url),
        },
        "snapshot": review_snapshot,
    },
}
