import re
from html import unescape

import pytest
from django.core import mail
from django.urls import reverse

from assessments.models import Assessment, AssessmentCycle, Response, ResponseChange, Role
from commitments.models import Indicator
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(cycle, org_a):
    return f.AssessmentFactory(organization=org_a, cycle=cycle)


def login(client, user):
    client.force_login(user, backend="assessments.backends.PortalBackend")
    return client


def url(name, *extra, slug="alpha", cycle="2026"):
    return reverse(f"assessments:{name}", args=[slug, cycle, *extra])


def text(response) -> str:
    """The page's visible text, whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def snapshot(assessment):
    return (
        sorted(
            Response.objects.filter(assessment=assessment).values_list(
                "indicator__code",
                "level",
                "not_applicable",
                "na_justification",
                "evidence_summary",
                "evidence_links",
                "version",
            )
        ),
        ResponseChange.objects.count(),
        Assessment.objects.filter(pk=assessment.pk).values_list("status", "submitted_at").get(),
    )


def post_data(assessment, commitment_slug, changes=None, *, then="stay"):
    """A valid POST of a commitment page: what is stored, with `changes` {code: {field: value}} applied."""
    indicators = Indicator.objects.filter(
        commitment__rubric=assessment.cycle.rubric, commitment__slug=commitment_slug
    ).order_by("order")
    data = {
        "answers-TOTAL_FORMS": "3",
        "answers-INITIAL_FORMS": "3",
        "answers-MIN_NUM_FORMS": "3",
        "answers-MAX_NUM_FORMS": "3",
        "then": then,
    }
    for i, ind in enumerate(indicators):
        stored = Response.objects.filter(assessment=assessment, indicator=ind).first()
        values = {"indicator": ind.pk, "version": stored.version if stored else 0, "answer": ""}
        if stored:
            values.update(
                answer="na" if stored.not_applicable else str(stored.level or ""),
                na_justification=stored.na_justification,
                evidence_summary=stored.evidence_summary,
                evidence_links=stored.evidence_links,
            )
        values.update((changes or {}).get(ind.code, {}))
        data.update({f"answers-{i}-{key}": value for key, value in values.items()})
    return data


# ---------------------------------------------------------------------------------------------------------
# Landing


@pytest.mark.parametrize("page", ["org_home", "overview"])
def test_opening_the_assessment_never_starts_it(client, cycle, assessor_a, page):
    path = reverse("assessments:org_home", args=["alpha"]) if page == "org_home" else url("overview")
    response = login(client, assessor_a).get(path)
    assert response.status_code == 200
    assert "Alpha Regional Hospital has not started its 2026 assessment yet." in text(response)
    assert 'action="/orgs/alpha/assessments/2026/start/"' in response.content.decode()
    assert "Start the 2026 assessment" in text(response)
    assert Assessment.objects.count() == 0


def test_an_assessor_starts_the_assessment_with_a_post(client, cycle, assessor_a):
    client = login(client, assessor_a)
    response = client.post(url("start"), follow=True)
    assert response.redirect_chain == [(url("overview"), 302)]
    assert "The 2026 assessment is started: answer each commitment in turn." in text(response)
    assert list(Assessment.objects.values_list("organization__slug", "cycle__name", "status")) == [
        ("alpha", "2026", "draft")
    ]
    again = client.post(url("start"), follow=True)  # a second tab or a double click: still one draft
    assert "is started" not in text(again) and Assessment.objects.count() == 1


def test_start_opened_by_get_changes_nothing(client, cycle, assessor_a):
    response = login(client, assessor_a).get(url("start"))
    assert (response.status_code, response["Location"]) == (302, url("overview"))
    assert Assessment.objects.count() == 0


def test_start_refuses_a_closed_cycle(client, cycle, assessor_a):
    cycle.status = AssessmentCycle.Status.CLOSED
    cycle.save()
    response = login(client, assessor_a).post(url("start"), follow=True)
    assert "The 2026 cycle is not open: an assessment cannot be started." in text(response)
    assert Assessment.objects.count() == 0


def test_org_home_tells_an_executive_it_is_not_started(client, cycle, executive_a):
    response = login(client, executive_a).get(reverse("assessments:org_home", args=["alpha"]))
    assert response.status_code == 200
    assert "Alpha Regional Hospital has not started its 2026 assessment yet." in text(response)
    assert "Start the 2026 assessment" not in text(response)
    assert Assessment.objects.count() == 0


def test_org_home_lists_past_assessments_when_no_cycle_is_open(client, cycle, org_a, executive_a):
    f.answer_all(f.AssessmentFactory(organization=org_a, cycle=cycle), 3, status="validated")
    cycle.status = AssessmentCycle.Status.CLOSED
    cycle.save()
    response = login(client, executive_a).get(reverse("assessments:org_home", args=["alpha"]))
    assert response.status_code == 200
    page = text(response)
    assert "No assessment cycle is open at the moment." in page
    assert "2026 Validated Cycle closed" in page
    assert 'href="/orgs/alpha/assessments/2026/"' in response.content.decode()


# ---------------------------------------------------------------------------------------------------------
# Overview


def test_overview_shows_progress_deadline_and_last_change(client, draft, assessor_a, rubric):
    Response.objects.create(assessment=draft, indicator=Indicator.objects.get(code="SAF-2"), level=2)
    client = login(client, assessor_a)
    client.post(url("commitment", "engaged"), post_data(draft, "engaged", {"ENG-1": {"answer": "4"}}))
    response = client.get(url("overview"))
    page = text(response)
    assert response.status_code == 200
    assert "2 of 30 indicators answered" in page
    assert (
        '<progress class="portal-progress portal-progress-lg" value="2" max="30"' in response.content.decode()
    )
    assert "Draft" in page and "Deadline December 15, 2026" in page
    assert "Engaged 1 of 3" in page.replace("Definition of Engaged ", "")
    assert f"{assessor_a.get_full_name()} now · ENG-1" in page
    assert "Review and submit" in page and "Export CSV" in page and "History" in page
    assert "Start from last cycle" not in page  # there is no previous cycle


def test_overview_last_change_of_answers_loaded_without_history(client, draft, assessor_a, admin_a):
    # Answers loaded in bulk (the demo data) have no recorded change: who saved them and when, not a dash.
    import datetime

    from django.utils import timezone

    f.answer_all(draft, 3)
    Response.objects.filter(assessment=draft).update(
        updated_by=admin_a, updated_at=timezone.now() - datetime.timedelta(days=3)
    )
    Response.objects.filter(assessment=draft, indicator__code="SAF-3").update(updated_at=timezone.now())
    page = text(login(client, assessor_a).get(url("overview")))
    name = admin_a.get_full_name()
    assert f"Engaged Definition of Engaged 3 of 3 ✓ {name} 3 days ago · ENG-3" in page
    assert f"Safe Definition of Safe 3 of 3 ✓ {name} now · SAF-3" in page
    assert "Last change —" not in page and " — Edit" not in page


def test_overview_for_an_executive_has_no_edit_buttons(client, draft, executive_a):
    page = text(login(client, executive_a).get(url("overview")))
    assert "Review and submit" not in page and "Review summary" in page
    assert "Read Engaged" not in page  # the aria-label is an attribute, not text
    assert "Start Engaged" not in login(client, executive_a).get(url("overview")).content.decode()


def test_overview_shows_the_reviewer_comment_when_returned(client, draft, assessor_a, nam_staff):
    f.answer_all(draft, 3)
    draft.status = Assessment.Status.RETURNED
    draft.reviewer_comment = "Please add evidence for SAF-2."
    draft.reviewed_by = nam_staff
    draft.save()
    response = login(client, assessor_a).get(url("overview"))
    assert '<div class="alert alert-warning reviewer-comment" role="alert">' in response.content.decode()
    assert "NAM returned this assessment for changes Please add evidence for SAF-2." in text(response)


def test_copy_previous_button_and_action(client, draft, org_a, rubric, assessor_a):
    previous_cycle = f.AssessmentCycleFactory(name="2025", rubric=rubric, status="closed")
    f.answer_all(f.AssessmentFactory(organization=org_a, cycle=previous_cycle), 2, status="validated")
    client = login(client, assessor_a)
    assert "Start from last cycle's answers" in client.get(url("overview")).content.decode()
    response = client.post(url("copy_previous"), follow=True)
    assert "30 answers copied from last cycle." in text(response)
    assert Response.objects.filter(assessment=draft, level=2).count() == 30
    assert "Start from last cycle" not in text(client.get(url("overview")))
    again = client.post(url("copy_previous"), follow=True)
    assert "This assessment already has answers: copying would overwrite them." in text(again)
    assert Response.objects.filter(assessment=draft).count() == 30


# ---------------------------------------------------------------------------------------------------------
# Commitment page


def test_commitment_page_has_radio_cards_and_last_cycle(client, draft, org_a, rubric, assessor_a):
    previous_cycle = f.AssessmentCycleFactory(name="2025", rubric=rubric, status="closed")
    f.answer_all(f.AssessmentFactory(organization=org_a, cycle=previous_cycle), 3, status="validated")
    response = login(client, assessor_a).get(url("commitment", "engaged"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('<fieldset class="level-group" data-na-group>') == 3
    assert html.count('type="radio" name="answers-0-answer"') == 6
    assert '<legend class="h6 fw-semibold">Maturity level for ENG-1</legend>' in html
    assert re.search(
        r'<label class="level-card" for="answers-0-answer-3">\s*<input class="form-check-input level-radio" '
        r'type="radio" name="answers-0-answer" id="answers-0-answer-3" value="3">\s*'
        r'<span class="level-name">3 Defined</span>\s*<span class="level-text">ENG-1 at level 3.</span>',
        html,
    )
    assert 'value="na" data-na-option' in html
    assert html.count("Last cycle: 3 Defined") == 3
    assert 'name="answers-0-version" value="0"' in html
    assert 'src="/static/js/assessment.js"' in html and "<script>" not in html and 'style="' not in html


def test_save_keeps_a_partial_draft_and_save_and_next_moves_on(client, draft, assessor_a):
    client = login(client, assessor_a)
    response = client.post(
        url("commitment", "engaged"),
        post_data(
            draft,
            "engaged",
            {"ENG-2": {"answer": "na", "na_justification": "We have no patient portal of any kind."}},
        ),
    )
    assert response.status_code == 302 and response["Location"] == url("commitment", "engaged")
    assert snapshot(draft)[0] == [("ENG-2", None, True, "We have no patient portal of any kind.", "", "", 1)]
    response = client.post(
        url("commitment", "engaged"), post_data(draft, "engaged", {"ENG-1": {"answer": "5"}}, then="next")
    )
    assert response["Location"] == url("commitment", "safe")
    response = client.post(url("commitment", "adaptive"), post_data(draft, "adaptive", then="next"))
    assert response["Location"] == url("review")
    page = text(client.get(url("commitment", "engaged")))
    assert "Engaged: saved (1 answer changed)." in page


def test_a_repeated_save_says_the_answers_are_saved(client, draft, assessor_a):
    # A double click sends the same form twice: the second finds the answer saved at a newer version.
    client = login(client, assessor_a)
    form = post_data(draft, "engaged", {"ENG-1": {"answer": "4", "evidence_summary": "Board minutes"}})
    client.post(url("commitment", "engaged"), form)
    response = client.post(url("commitment", "engaged"), form, follow=True)
    page = text(response)
    assert "Engaged: saved (no answer had changed since the last save)." in page
    assert "nothing had changed" not in page and "A colleague saved" not in page
    assert snapshot(draft)[:2] == ([("ENG-1", 4, False, "", "Board minutes", "", 1)], 1)


def test_conflict_between_two_clients(client, django_user_model, draft, org_a, assessor_a):
    from django.test import Client

    carol = f.MembershipFactory(
        organization=org_a, role=Role.ASSESSOR, user=f.UserFactory(username="carol")
    ).user
    alice, other = login(client, assessor_a), login(Client(), carol)
    alice_form = post_data(draft, "engaged", {"ENG-1": {"answer": "4", "evidence_summary": "Our dashboard"}})
    carol_form = post_data(draft, "engaged", {"ENG-1": {"answer": "2"}})  # loaded at the same time
    assert other.post(url("commitment", "engaged"), carol_form).status_code == 302

    response = alice.post(url("commitment", "engaged"), alice_form)
    assert response.status_code == 200
    page = text(response)
    assert f"{carol.get_full_name()} saved 1 of these answers while you were editing" in page
    assert "Your answer: 4 Managed · Evidence: Our dashboard" in page
    assert re.search(rf"Saved meanwhile by {carol.get_full_name()} at \d\d:\d\d, \w+ \d+: 2 Developing", page)
    assert snapshot(draft)[0] == [("ENG-1", 2, False, "", "", "", 1)]
    html = response.content.decode()
    # The form was rebased on the stored version and defaults to "keep mine".
    assert 'name="answers-0-version" value="1"' in html
    assert re.search(r'name="answers-0-resolution" value="mine"[^>]*checked', html)

    rebased = {**alice_form, "answers-0-version": "1", "answers-0-resolution": "mine"}
    assert alice.post(url("commitment", "engaged"), rebased).status_code == 302
    assert snapshot(draft)[0] == [("ENG-1", 4, False, "", "Our dashboard", "", 2)]

    # "Take theirs": carol, now stale, keeps alice's answer by choosing the saved one.
    response = other.post(url("commitment", "engaged"), carol_form)
    assert "Saved meanwhile by" in text(response)
    take = {**carol_form, "answers-0-version": "2", "answers-0-resolution": "theirs"}
    assert other.post(url("commitment", "engaged"), take).status_code == 302
    assert snapshot(draft)[0] == [("ENG-1", 4, False, "", "Our dashboard", "", 2)]


def test_a_conflict_with_ones_own_other_tab_says_so(client, draft, assessor_a):
    from django.test import Client

    first_tab, second_tab = login(client, assessor_a), login(Client(), assessor_a)
    first_form = post_data(draft, "engaged", {"ENG-1": {"answer": "4"}})
    second_form = post_data(draft, "engaged", {"ENG-1": {"answer": "2"}})  # loaded at the same time
    assert second_tab.post(url("commitment", "engaged"), second_form).status_code == 302
    page = text(first_tab.post(url("commitment", "engaged"), first_form))
    assert "You, in another tab or window, saved 1 of these answers while you were editing" in page
    assert re.search(
        r"Saved meanwhile by you, in another tab or window, at \d\d:\d\d, \w+ \d+: 2 Developing", page
    )
    assert "colleague" not in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ENG-1": {"answer": "7"}}, "Choose a level from 1 to 5, or Not applicable."),
        ({"ENG-1": {"answer": "na", "na_justification": " "}}, "Say why this indicator does not apply"),
        (
            {"ENG-1": {"answer": "3", "evidence_summary": "x" * 4001}},
            "At most 4,000 characters: this text has 4,001 (1 too many). "
            "Shorten it, or put the rest in a document and link to it.",
        ),
        (
            {"ENG-1": {"answer": "na", "na_justification": "x" * 2050}},
            "At most 2,000 characters: this text has 2,050 (50 too many).",
        ),
        (
            {"ENG-1": {"evidence_links": "javascript:alert(1)"}},
            "http:// or https://. Not valid: javascript:alert(1)",
        ),
        (
            {"ENG-1": {"evidence_links": "\n".join(f"https://e.org/{i}" for i in range(11))}},
            "at most 10 links",
        ),
        ({"ENG-1": {"version": "-1"}}, "The form was damaged: reload the page."),
        ({"ENG-1": {"indicator": "abc"}}, "Enter a whole number."),
    ],
)
def test_bad_input_is_refused_with_nothing_changed(client, draft, assessor_a, changes, message):
    client = login(client, assessor_a)
    client.post(url("commitment", "engaged"), post_data(draft, "engaged", {"ENG-2": {"answer": "1"}}))
    before = snapshot(draft)
    # A valid change on ENG-3 alongside: it must not be saved either.
    data = post_data(draft, "engaged", {**changes, "ENG-3": {"answer": "5"}})
    response = client.post(url("commitment", "engaged"), data)
    assert response.status_code == 200
    page = text(response)
    assert "Nothing was saved." in page and message in page
    assert snapshot(draft) == before


def test_forged_indicators_are_refused(client, draft, rubric, assessor_a):
    client = login(client, assessor_a)
    other_rubric = f.build_rubric("2099.1")
    foreign = Indicator.objects.get(commitment__rubric=other_rubric, code="ENG-1")
    other_commitment = Indicator.objects.get(commitment__rubric=rubric, code="SAF-1")
    before = snapshot(draft)
    for forged in (foreign.pk, other_commitment.pk, 10**9):
        data = post_data(draft, "engaged", {"ENG-1": {"indicator": forged, "answer": "3"}})
        response = client.post(url("commitment", "engaged"), data)
        assert "This indicator is not part of this commitment; reload the page." in text(response)
    duplicate = post_data(
        draft,
        "engaged",
        {"ENG-2": {"indicator": Indicator.objects.get(code="ENG-1", commitment__rubric=rubric).pk}},
    )
    assert "The same indicator was sent twice" in text(client.post(url("commitment", "engaged"), duplicate))
    for total in ("1", "5", "abc"):
        data = post_data(draft, "engaged", {"ENG-1": {"answer": "3"}})
        data["answers-TOTAL_FORMS"] = total
        response = client.post(url("commitment", "engaged"), data)
        assert response.status_code == 200
        assert "Nothing was saved" in text(response) or "nothing was saved" in text(response)
    missing_management = {"answers-0-indicator": "1", "answers-0-answer": "3"}
    response = client.post(url("commitment", "engaged"), missing_management)
    assert response.status_code == 200 and "nothing was saved" in text(response)
    assert snapshot(draft) == before


def test_another_assessment_cannot_be_reached(client, cycle, draft, org_b, assessor_b):
    f.AssessmentFactory(organization=org_b, cycle=cycle)
    before = snapshot(draft)
    response = login(client, assessor_b).post(
        url("commitment", "engaged"), post_data(draft, "engaged", {"ENG-1": {"answer": "3"}})
    )
    assert response.status_code == 404
    assert snapshot(draft) == before


def test_executive_reads_but_cannot_post(client, draft, executive_a):
    client = login(client, executive_a)
    html = client.get(url("commitment", "engaged")).content.decode()
    assert "Save and next" not in html and html.count(" disabled") >= 18
    assert "your role does not allow changing it" in html
    before = snapshot(draft)
    response = client.post(
        url("commitment", "engaged"), post_data(draft, "engaged", {"ENG-1": {"answer": "3"}})
    )
    assert response.status_code == 403
    assert snapshot(draft) == before


def test_read_only_answers_show_values_never_placeholders(client, draft, executive_a):
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=["ENG-1", "ENG-2"])}
    Response.objects.create(
        assessment=draft,
        indicator=indicators["ENG-1"],
        level=3,
        evidence_summary="Patient council minutes.",
        evidence_links="https://intranet.alpha.org/council\nhttps://intranet.alpha.org/minutes",
    )
    Response.objects.create(
        assessment=draft, indicator=indicators["ENG-2"], not_applicable=True, na_justification="No portal."
    )
    response = login(client, executive_a).get(url("commitment", "engaged"))
    html = response.content.decode()
    assert "intranet.example.org" not in html and "placeholder=" not in html and "<textarea" not in html
    cards = {
        code: text_of_html(card)
        for code, card in re.findall(
            r'<section class="card indicator-card[^"]*" id="indicator-([A-Z]+-\d)"(.*?)</section>', html, re.S
        )
    }
    assert cards["ENG-1"].endswith(
        "Evidence summary Patient council minutes. "
        "Evidence links https://intranet.alpha.org/council https://intranet.alpha.org/minutes "
        "Evidence files for ENG-1 No evidence files yet."
    )
    assert cards["ENG-2"].endswith(
        "Why does this indicator not apply? No portal. Evidence summary none given Evidence links none given "
        "Evidence files for ENG-2 No evidence files yet."
    )
    assert cards["ENG-3"].endswith(
        "Evidence summary none given Evidence links none given "
        "Evidence files for ENG-3 No evidence files yet."
    )
    assert '<a href="https://intranet.alpha.org/council" rel="noopener noreferrer nofollow">' in html


@pytest.mark.parametrize("state", ["submitted", "validated", "closed"])
def test_read_only_assessments_refuse_posts(client, draft, cycle, assessor_a, state):
    f.answer_all(draft, 3)
    if state == "closed":
        cycle.status = AssessmentCycle.Status.CLOSED
        cycle.save()
    else:
        draft.status = state
        draft.save()
    client = login(client, assessor_a)
    before = snapshot(draft)
    response = client.post(
        url("commitment", "engaged"), post_data(draft, "engaged", {"ENG-1": {"answer": "1"}}), follow=True
    )
    page = text(response)
    expected = {
        "submitted": "This assessment has been submitted and is waiting for NAM review",
        "validated": "This assessment has been validated by NAM",
        "closed": "The 2026 cycle is closed",
    }[state]
    assert expected in page and "Nothing was changed." in page
    assert response.redirect_chain == [(url("overview"), 302)]
    copy = client.post(url("copy_previous"), follow=True)
    assert "can no longer" in text(copy)
    assert "Save and next" not in client.get(url("commitment", "engaged")).content.decode()
    assert snapshot(draft) == before


# ---------------------------------------------------------------------------------------------------------
# Review and submit


def test_review_lists_unanswered_and_every_warning(client, draft, org_a, rubric, assessor_a):
    previous_cycle = f.AssessmentCycleFactory(name="2025", rubric=rubric, status="closed")
    f.answer_all(f.AssessmentFactory(organization=org_a, cycle=previous_cycle), 1, status="validated")
    f.answer_all(draft, 1)
    Response.objects.filter(assessment=draft, indicator__code="ENG-1").update(level=None)
    Response.objects.filter(assessment=draft, indicator__code="SAF-1").update(level=4, evidence_summary="")
    Response.objects.filter(assessment=draft, indicator__code="SAF-2").update(
        level=None, not_applicable=True, na_justification="n/a"
    )
    Response.objects.filter(assessment=draft, indicator__code="SAF-3").update(
        level=None, not_applicable=True, na_justification="No wards."
    )
    Response.objects.filter(assessment=draft, indicator__code="EFT-1").update(
        level=3, evidence_summary="Audit"
    )
    response = login(client, assessor_a).get(url("review"))
    page = text(response)
    assert "1 indicator still needs an answer" in page
    assert "ENG-1 Engaged indicator 1 · Engaged" in page
    assert (
        "SAF-1 Safe indicator 1 Level 4 Managed without evidence: say what shows the practice is "
        "measured and managed. Up 3 levels since last cycle (1 Initial → 4 Managed)"
    ) in page
    assert "SAF-2 Safe indicator 2 Marked Not applicable with “n/a” as the reason" in page
    assert "SAF-3 Safe indicator 3 Marked Not applicable with a very short reason (9 characters)" in page
    assert "EFT-1 Effective indicator 1 Up 2 levels since last cycle" in page
    assert "you can ask for attestation once every indicator is answered" in page
    assert 'action="/orgs/alpha/assessments/2026/submit/"' not in response.content.decode()


def test_ask_for_attestation_then_attest_and_double_submit(
    client, draft, assessor_a, admin_a, executive_a, django_capture_on_commit_callbacks
):
    f.answer_all(draft, 3)
    client = login(client, assessor_a)
    page = client.get(url("review"))
    assert "When you have finished, ask your executive to attest" in text(page)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("submit"), follow=True)
    assert "The 2026 assessment now awaits your executive's attestation" in text(response)
    assert snapshot(draft)[2] == ("attesting", None)
    assert [m.to for m in mail.outbox] == [["erin@example.org"]]

    second = login(client, admin_a).post(url("submit"), follow=True)
    assert "This assessment already awaits the executive's attestation; nothing was changed." in text(second)

    client = login(client, executive_a)
    summary = client.get(url("attest"))
    digest = summary.context["summary"].answers_sha256
    assert "Attest and submit" in text(summary) and digest in text(summary)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("attest"), {"answers_sha256": digest, "confirm": "on"}, follow=True)
    assert "Attested: the 2026 assessment is submitted to NAM." in text(response)
    draft.refresh_from_db()
    first_submission = (draft.status, draft.submitted_by, draft.submitted_at)
    assert first_submission[:2] == ("submitted", executive_a)
    assert [m.to for m in mail.outbox[1:]] == [["adam@example.org", "alice@example.org", "erin@example.org"]]

    again = client.post(url("attest"), {"answers_sha256": digest, "confirm": "on"}, follow=True)
    assert "This assessment was already submitted on" in text(again)
    draft.refresh_from_db()
    assert (draft.status, draft.submitted_by, draft.submitted_at) == first_submission
    assert (len(mail.outbox), draft.attestations.count()) == (2, 1)


def test_submit_refuses_an_incomplete_assessment(client, draft, assessor_a, executive_a):
    f.answer_all(draft, 3)
    Response.objects.filter(assessment=draft, indicator__code="ADP-3").delete()
    response = login(client, assessor_a).post(url("submit"))
    assert "1 indicator is still unanswered" in text(response)
    assert snapshot(draft)[2] == ("draft", None)


def test_resubmission_after_return(client, draft, assessor_a, executive_a, nam_staff):
    f.answer_all(draft, 3)
    draft.status = Assessment.Status.RETURNED
    draft.reviewer_comment = "More evidence please."
    draft.save()
    client = login(client, assessor_a)
    client.post(
        url("commitment", "engaged"), post_data(draft, "engaged", {"ENG-1": {"evidence_summary": "Minutes"}})
    )
    client.post(url("submit"))
    draft.refresh_from_db()
    assert draft.status == "attesting"
    client = login(client, executive_a)
    digest = client.get(url("attest")).context["summary"].answers_sha256
    client.post(url("attest"), {"answers_sha256": digest, "confirm": "on"})
    draft.refresh_from_db()
    assert draft.status == "submitted"
    assert Response.objects.get(assessment=draft, indicator__code="ENG-1").evidence_summary == "Minutes"


def test_submit_opened_by_get_leads_to_the_review_page(client, draft, assessor_a):
    # A bookmark, or `next=` after signing in again from the review page: never the browser's bare 405.
    client = login(client, assessor_a)
    response = client.get(url("submit"))
    assert (response.status_code, response["Location"]) == (302, url("review"))
    page = text(client.get(response["Location"]))
    assert "Nothing was submitted: an assessment is submitted with the button on this page." in page
    assert snapshot(draft)[2] == ("draft", None)


def test_submit_after_signing_in_again_lands_on_the_review_page(client, draft, assessor_a):
    signed_out = client.get(url("submit"))
    assert signed_out["Location"] == "/accounts/login/?next=/orgs/alpha/assessments/2026/submit/"
    login(client, assessor_a)
    response = client.get("/orgs/alpha/assessments/2026/submit/", follow=True)
    assert response.redirect_chain == [(url("review"), 302)]
    assert "<h1" in response.content.decode() and "Review and submit" in text(response)


@pytest.mark.parametrize(
    "path",
    [
        "/orgs/alpha/assessments/2026/copy-previous/",
        "/orgs/alpha/people/1/remove/",
        "/orgs/switch/",
        "/nam/assessments/1/decision/",
    ],
)
def test_post_only_addresses_opened_by_get_show_a_portal_page(client, draft, admin_a, path):
    response = login(client, admin_a).get(path)
    assert (response.status_code, response["Allow"]) == (405, "POST")
    page = text(response)
    assert "This address is for a button, not a link" in page
    assert "opening it here changed nothing" in page and "Back to the portal" in page
    assert "LHS Commitments Portal" in page  # the portal's own page, with its navigation


# ---------------------------------------------------------------------------------------------------------
# History


def test_history_shows_exact_old_and_new_values(client, draft, assessor_a):
    client = login(client, assessor_a)
    client.post(url("commitment", "engaged"), post_data(draft, "engaged", {"ENG-1": {"answer": "2"}}))
    client.post(
        url("commitment", "engaged"),
        post_data(draft, "engaged", {"ENG-1": {"answer": "3", "evidence_links": "https://example.org/p"}}),
    )
    assert list(
        ResponseChange.objects.order_by("version").values_list("version", "old_values", "new_values")
    ) == [
        (1, {"level": None}, {"level": 2}),
        (2, {"level": 2, "evidence_links": ""}, {"level": 3, "evidence_links": "https://example.org/p"}),
    ]
    page = text(client.get(url("history")))
    name = assessor_a.get_full_name()
    assert "Changes 1\u20132 of 2" in page
    assert re.search(
        rf"{name} ENG-1 Engaged indicator 1 Engaged · version 2 Level 2 Developing → changed to 3 Defined "
        r"Evidence links — → changed to https://example.org/p",
        page,
    )
    assert re.search(
        rf"{name} ENG-1 Engaged indicator 1 Engaged · version 1 Level — → changed to 2 Developing", page
    )


def test_evidence_fields_say_their_limit_and_are_not_cut_by_the_browser(client, draft, assessor_a):
    html = login(client, assessor_a).get(url("commitment", "engaged")).content.decode()
    # The browser's maxlength would cut a longer paste without a sign: the page counts instead.
    assert " maxlength=" not in html
    assert html.count('data-maxlength="4000"') == 3 and html.count('data-maxlength="2000"') == 6
    assert (
        "What shows this level in practice: policies, measures, minutes, results. At most 4,000 characters."
        in (text_of_html(html))
    )


def text_of_html(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def test_history_folds_long_texts(client, draft, assessor_a):
    client = login(client, assessor_a)
    long_text = "Monthly board minutes record each measure. " * 10  # 429 characters once stripped
    client.post(
        url("commitment", "engaged"),
        post_data(draft, "engaged", {"ENG-1": {"answer": "3", "evidence_summary": long_text}}),
    )
    client.post(
        url("commitment", "engaged"),
        post_data(draft, "engaged", {"ENG-1": {"evidence_summary": long_text + "Reviewed in 2026."}}),
    )
    html = client.get(url("history")).content.decode()
    # Each long text once, folded to its start with its length; short values as they are.
    assert html.count("<details") == 3
    start = "Monthly board minutes record each measure. " * 2 + "Monthly board minutes record each…"
    shown = '<span class="small text-body-secondary">({} characters: show all)</span>'
    assert re.findall(r"<summary>(.*?)</summary>", html) == [
        f"{start} {shown.format(429)}",  # version 2: from
        f"{start} {shown.format(447)}",  # to
        f"{start} {shown.format(429)}",  # version 1
    ]
    assert "Level — → changed to 3 Defined" in text(client.get(url("history")))


def test_history_is_paginated(client, draft, assessor_a):
    response = Response.objects.create(
        assessment=draft, indicator=Indicator.objects.get(code="ENG-1"), level=1
    )
    ResponseChange.objects.bulk_create(
        ResponseChange(response=response, version=v, old_values={"level": 1}, new_values={"level": 2})
        for v in range(1, 31)
    )
    client = login(client, assessor_a)
    assert "Changes 1\u201325 of 30" in text(client.get(url("history")))
    assert "Changes 26\u201330 of 30" in text(client.get(url("history") + "?page=2"))


# ---------------------------------------------------------------------------------------------------------
# Query counts: no N+1 between 3 and 30 saved answers


@pytest.mark.parametrize("page", ["overview", "commitment"])
def test_query_counts_do_not_grow_with_answers(
    client, django_assert_num_queries, draft, org_a, rubric, assessor_a, page
):
    previous_cycle = f.AssessmentCycleFactory(name="2025", rubric=rubric, status="closed")
    f.answer_all(f.AssessmentFactory(organization=org_a, cycle=previous_cycle), 2, status="validated")
    client = login(client, assessor_a)
    target = url("overview") if page == "overview" else url("commitment", "engaged")
    indicators = list(Indicator.objects.of_rubric(rubric).order_by("commitment__order", "order"))

    def answer(n):
        Response.objects.filter(assessment=draft).delete()
        for indicator in indicators[:n]:
            saved = Response.objects.create(
                assessment=draft, indicator=indicator, level=3, updated_by=assessor_a
            )
            ResponseChange.objects.create(
                response=saved, changed_by=assessor_a, version=1, new_values={"level": 3}
            )

    answer(3)
    client.get(target)  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(target)
    answer(30)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(target)
    assert response.status_code == 200
