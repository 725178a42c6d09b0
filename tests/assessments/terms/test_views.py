"""The participation terms pages: every version, an organization's acceptance and withdrawal, NAM's view."""

import pytest
from django.urls import reverse

from assessments.terms.models import TermsAcceptance, Withdrawal
from assessments.terms.services import terms_accept, withdrawal_request
from tests import factories as f

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user, backend="assessments.backends.PortalBackend")
    return client


def test_the_list_and_each_version_are_public(client, terms, load_version):
    load_version("2027.1")
    page = client.get(reverse("terms:list")).content.decode()
    assert '<a href="/terms/2027.1/">2027.1</a>' in page and '<a href="/terms/2026.1/">2026.1</a>' in page
    assert "In effect" in page and "Earlier version" in page
    page = client.get(reverse("terms:detail", args=["2026.1"])).content.decode()
    assert "<h1>Participation terms</h1>" in page
    assert (
        "<strong>Template for NAM's counsel to adapt.</strong>" in page or "Template for NAM&#x27;s" in page
    )
    assert f"<code>{terms.sha256}</code>" in page
    assert "Not the version in effect" in page
    assert client.get(reverse("terms:detail", args=["1999.1"])).status_code == 404


def test_raw_html_in_a_terms_file_is_shown_as_text(client, load_version):
    load_version("2027.1", body="# Terms\n\n<script>alert(1)</script>\n")
    page = client.get(reverse("terms:detail", args=["2027.1"])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_an_admin_accepts_on_the_organization_page(client, terms, org_a, admin_a):
    url = reverse("terms:organization", args=["alpha"])
    page = _login(client, admin_a).get(url).content.decode()
    assert "Not accepted" in page and "Accept version 2026.1" in page
    response = client.post(reverse("terms:accept", args=["alpha"]), {"version": "2026.1", "agree": "on"})
    assert response.status_code == 302 and response["Location"] == url
    acceptance = TermsAcceptance.objects.get()
    assert (acceptance.organization, acceptance.accepted_by, acceptance.text_sha256) == (
        org_a,
        admin_a,
        terms.sha256,
    )
    page = client.get(url).content.decode()
    assert "Alpha Regional Hospital accepted the participation terms 2026.1." in page
    assert "Accepted</span> Alpha Regional Hospital accepted" in page


@pytest.mark.parametrize(
    "data, message",
    [
        ({"version": "2026.1"}, "Tick the box to accept the terms for your organization."),
        ({"version": "1999.1", "agree": "on"}, "There is no such version of the participation terms."),
    ],
)
def test_a_bad_acceptance_says_why_and_records_nothing(data, message, client, terms, admin_a):
    response = _login(client, admin_a).post(reverse("terms:accept", args=["alpha"]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert TermsAcceptance.objects.count() == 0


def test_accepting_an_old_version_on_the_page(client, terms, load_version, admin_a):
    load_version("2027.1")
    response = _login(client, admin_a).post(
        reverse("terms:accept", args=["alpha"]), {"version": "2026.1", "agree": "on"}
    )
    assert response.status_code == 400
    assert "Version 2026.1 is not the current version of the participation terms" in response.content.decode()
    assert TermsAcceptance.objects.count() == 0


def test_a_non_admin_sees_the_status_but_no_form(client, terms, assessor_a):
    page = _login(client, assessor_a).get(reverse("terms:organization", args=["alpha"])).content.decode()
    assert "Only an organization admin can accept the terms for the organization." in page
    assert "Accept version" not in page and "Ask to withdraw" not in page


def test_asking_to_withdraw_twice_on_the_page(client, org_a, admin_a):
    _login(client, admin_a)
    url = reverse("terms:withdraw", args=["alpha"])
    assert client.post(url, {"understood": "on", "reason": "Merging"}).status_code == 302
    before = list(Withdrawal.objects.values_list("pk", "requested_at", "reason"))
    response = client.post(url, {"understood": "on", "reason": "Again"})
    assert response.status_code == 400
    assert "Alpha Regional Hospital has asked to withdraw already" in response.content.decode()
    assert list(Withdrawal.objects.values_list("pk", "requested_at", "reason")) == before


def test_withdrawing_needs_the_box_ticked(client, admin_a):
    response = _login(client, admin_a).post(reverse("terms:withdraw", args=["alpha"]), {"reason": "x"})
    assert response.status_code == 400
    assert "Tick the box to confirm that you understand what withdrawal does." in response.content.decode()
    assert Withdrawal.objects.count() == 0


def test_submitting_before_acceptance_shows_the_reason_and_a_link(client, terms, cycle, org_a, assessor_a):
    f.answer_all(f.AssessmentFactory(organization=org_a, cycle=cycle), 3)
    _login(client, assessor_a)
    response = client.post(reverse("assessments:submit", args=["alpha", "2026"]))
    page = response.content.decode()
    assert "has not accepted the participation terms (2026.1)" in page
    assert (
        '<a href="/orgs/alpha/terms/" class="alert-link">Read and accept the participation terms</a>' in page
    )
    assert org_a.assessments.get().status == "draft"


@pytest.mark.parametrize("size", [3, 30])
def test_nam_sees_acceptance_per_organization(size, client, terms, nam_staff, django_assert_num_queries):
    organizations = [f.OrganizationFactory(name=f"Org {i:02}") for i in range(size)]
    admin = f.MembershipFactory(organization=organizations[0], role="org_admin").user
    terms_accept(organization=organizations[0], terms=terms, user=admin)
    withdrawal_request(
        organization=organizations[1],
        user=f.MembershipFactory(organization=organizations[1], role="org_admin").user,
    )
    _login(client, nam_staff)
    client.get(reverse("terms:nam_terms"))  # the session and the user's groups, once
    with django_assert_num_queries(9):
        page = client.get(reverse("terms:nam_terms")).content.decode()
    assert page.count("Not accepted") == size - 1
    assert page.count('<span class="badge text-bg-success">Accepted</span>') == 1
    assert "Confirm the withdrawal of Org 01" in page
