"""Withdrawal: asked by an organization admin, confirmed by NAM staff; later releases leave the organization
out, earlier ones stay as published; its members lose access."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from assessments.models import Assessment, Organization
from assessments.terms.models import Withdrawal
from assessments.terms.services import withdrawal_confirm, withdrawal_request
from reports.disclosure import method_context
from reports.models import ReleasedResult
from reports.services.releases import ReleaseRefused, release_publish
from tests import factories as f

pytestmark = pytest.mark.django_db


def _withdrawals():
    return list(Withdrawal.objects.values_list("organization_id", "requested_at", "confirmed_at", "reason"))


def test_an_admin_asks_and_nam_staff_confirm(org_a, admin_a, nam_staff):
    withdrawal = withdrawal_request(organization=org_a, user=admin_a, reason="Merging with Bravo.")
    assert (withdrawal.organization_ref, withdrawal.organization_name) == (
        org_a.pk,
        "Alpha Regional Hospital",
    )
    assert (withdrawal.requested_by_label, withdrawal.reason, withdrawal.confirmed_at) == (
        "adam",
        "Merging with Bravo.",
        None,
    )
    assert Organization.objects.get(pk=org_a.pk).is_active is True  # not before NAM confirms
    confirmed = withdrawal_confirm(withdrawal=withdrawal, user=nam_staff)
    assert confirmed.confirmed_by == nam_staff and confirmed.confirmed_at is not None
    assert Organization.objects.get(pk=org_a.pk).is_active is False


@pytest.mark.parametrize("who", ["assessor_a", "executive_a", "assessor_b", "nam_staff"])
def test_only_an_admin_asks_to_withdraw(who, org_a, request):
    with pytest.raises(
        PermissionDenied, match=re.escape("Only an organization admin can ask to withdraw the organization.")
    ):
        withdrawal_request(organization=org_a, user=request.getfixturevalue(who))
    assert _withdrawals() == []


def test_a_withdrawal_twice_is_refused_and_changes_nothing(org_a, admin_a, nam_staff):
    withdrawal = withdrawal_request(organization=org_a, user=admin_a)
    before = _withdrawals()
    with pytest.raises(ValidationError) as error:
        withdrawal_request(organization=org_a, user=admin_a, reason="Again")
    assert error.value.messages[0].startswith(
        "Alpha Regional Hospital has asked to withdraw already: it was asked on "
    )
    assert error.value.messages[0].endswith(" by adam. Nothing was changed.")
    assert _withdrawals() == before
    withdrawal_confirm(withdrawal=withdrawal, user=nam_staff)
    before = _withdrawals()
    with pytest.raises(ValidationError) as error:
        withdrawal_confirm(withdrawal=withdrawal, user=nam_staff)
    assert error.value.messages[0].startswith(
        "The withdrawal of Alpha Regional Hospital was confirmed already, on "
    )
    assert _withdrawals() == before


def test_only_nam_staff_confirm(org_a, admin_a):
    withdrawal = withdrawal_request(organization=org_a, user=admin_a)
    with pytest.raises(PermissionDenied, match=re.escape("Only NAM staff confirm a withdrawal.")):
        withdrawal_confirm(withdrawal=withdrawal, user=admin_a)
    assert Withdrawal.objects.get().confirmed_at is None


def test_members_lose_access_once_confirmed(client, org_a, admin_a, assessor_a, nam_staff):
    client.force_login(assessor_a, backend="assessments.backends.PortalBackend")
    url = reverse("reports:org_dashboard", args=["alpha"])
    assert client.get(url).status_code == 200
    withdrawal_confirm(withdrawal=withdrawal_request(organization=org_a, user=admin_a), user=nam_staff)
    response = client.get(url)
    assert response.status_code == 404
    assert client.get(reverse("terms:organization", args=["alpha"])).status_code == 404


def _overall(release):
    return sorted(r.scores["overall"] for r in ReleasedResult.objects.filter(release=release))


def _submitted(org, cycle, level):
    return f.answer_all(
        f.AssessmentFactory(organization=org, cycle=cycle), level, status=Assessment.Status.SUBMITTED
    )


def test_a_release_before_and_after_a_withdrawal(client, cycle, org_a, admin_a, nam_staff):
    _submitted(org_a, cycle, 5)
    peers = [f.OrganizationFactory(name=f"Peer {level}") for level in (1, 2, 3, 4, 5)]
    for level, peer in zip((1, 2, 3, 4, 5), peers, strict=True):
        _submitted(peer, cycle, level)
    before = release_publish(cycle=cycle, inclusion="submitted")
    assert (before.number, before.n_organizations) == (1, 6)
    assert _overall(before) == [1.0, 2.0, 3.0, 4.0, 5.0, 5.0]
    assert set(ReleasedResult.objects.filter(release=before).values_list("organization_id", flat=True)) == {
        org_a.pk,
        *(p.pk for p in peers),
    }

    withdrawal_confirm(withdrawal=withdrawal_request(organization=org_a, user=admin_a), user=nam_staff)
    # The withdrawal alone is one change: two releases one result apart could be differenced (rule 5).
    with pytest.raises(ReleaseRefused):
        release_publish(cycle=cycle, inclusion="submitted")
    for _ in range(4):
        _submitted(f.OrganizationFactory(), cycle, 1)
    after = release_publish(cycle=cycle, inclusion="submitted")
    assert (after.number, after.n_organizations, after.n_added, after.n_changed, after.n_withdrawn) == (
        2,
        9,
        4,
        0,
        1,
    )
    assert _overall(after) == [1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    assert not ReleasedResult.objects.filter(release=after, organization_id=org_a.pk).exists()
    # The earlier release stays as published, and its method text says an organization withdrew since.
    assert _overall(before) == [1.0, 2.0, 3.0, 4.0, 5.0, 5.0]
    assert method_context(before)["releases_before_withdrawal"]() == [before]
    assert method_context(after)["releases_before_withdrawal"]() == []
    page = client.get(reverse("reports:how_scores_work")).content.decode()
    assert "Published before a withdrawal, and so still counting that organization's result: " in page
    assert "release 1 of the 2026 cycle." in page and "release 2 of" not in page


def test_an_asked_but_unconfirmed_withdrawal_stays_in_releases(cycle, org_a, admin_a):
    _submitted(org_a, cycle, 4)
    for level in (1, 2, 3, 4, 5):
        _submitted(f.OrganizationFactory(), cycle, level)
    withdrawal_request(organization=org_a, user=admin_a)
    release = release_publish(cycle=cycle, inclusion="submitted")
    assert ReleasedResult.objects.filter(release=release, organization_id=org_a.pk).exists()
