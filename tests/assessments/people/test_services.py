"""assessments/people/services.py: invitations, roles, organizations, lockouts, each audited."""

import re
import time

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessments.models import AuditEvent, Invitation, Membership, Organization, Role
from assessments.people import services
from tests import factories as f

pytestmark = pytest.mark.django_db


class _PastSigner(signing.TimestampSigner):
    """Signs as if it were `days_ago` days ago: an invitation link e-mailed back then."""

    days_ago = 15

    def timestamp(self):
        return signing.b62_encode(int(time.time()) - self.days_ago * 24 * 3600)


def _old_token(invitation, days_ago):
    signer = _PastSigner(salt=services.INVITATION_SALT)
    signer.days_ago = days_ago
    return signer.sign(f"{invitation.pk}:{invitation.nonce}")


@pytest.fixture
def invitation(org_a, admin_a):
    return services.invitation_send(
        organization=org_a, email="  Newcomer@Example.ORG ", role=Role.ASSESSOR, invited_by=admin_a
    )


def test_send_creates_an_invitation_emails_the_link_and_audits(invitation, org_a, admin_a):
    assert invitation.email == "newcomer@example.org"
    assert invitation.role == Role.ASSESSOR
    assert len(invitation.nonce) == 32
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["newcomer@example.org"]
    assert message.subject == "You are invited to join Alpha Regional Hospital on the LHS Commitments Portal"
    token = re.search(r"http://127\.0\.0\.1:8000/invitations/([^/\s]+)/", message.body).group(1)
    assert services.invitation_from_token(token) == invitation
    assert "expires in 14 days" in message.body
    event = AuditEvent.objects.get()
    assert (event.kind, event.actor, event.organization) == ("invitation_sent", admin_a, org_a)
    assert event.detail == "newcomer@example.org invited as Assessor"


def test_the_link_uses_site_url(invitation, settings):
    settings.SITE_URL = "https://portal.example.org"
    assert services.invitation_url(invitation).startswith("https://portal.example.org/invitations/")


def test_token_round_trip(invitation):
    assert services.invitation_from_token(services.invitation_token(invitation)) == invitation


@pytest.mark.parametrize(
    ("days_ago", "ok"),
    [(13, True), (15, False)],
)
def test_token_expires_after_invitation_max_age_days(invitation, days_ago, ok):
    token = _old_token(invitation, days_ago)
    if ok:
        assert services.invitation_from_token(token) == invitation
    else:
        with pytest.raises(services.InvitationLinkError) as error:
            services.invitation_from_token(token)
        assert (error.value.reason, error.value.gone) == ("expired", True)


@pytest.mark.parametrize(
    "token",
    ["garbage", "", "1:abc:xyz:sig", signing.TimestampSigner(salt="other").sign("1:" + "n" * 32)],
)
def test_tampered_or_garbage_tokens_are_invalid(invitation, token):
    with pytest.raises(services.InvitationLinkError) as error:
        services.invitation_from_token(token)
    assert (error.value.reason, error.value.gone) == ("invalid", False)


def test_a_token_signed_for_another_invitation_id_is_invalid(invitation):
    forged = signing.TimestampSigner(salt=services.INVITATION_SALT).sign(
        f"{invitation.pk + 99}:{invitation.nonce}"
    )
    with pytest.raises(services.InvitationLinkError) as error:
        services.invitation_from_token(forged)
    assert error.value.reason == "invalid"


def test_resend_rotates_the_nonce_so_the_old_link_dies(invitation, admin_a):
    old_token = services.invitation_token(invitation)
    old_nonce = invitation.nonce
    services.invitation_resend(invitation=invitation, user=admin_a)
    invitation.refresh_from_db()
    assert invitation.nonce != old_nonce
    with pytest.raises(services.InvitationLinkError) as error:
        services.invitation_from_token(old_token)
    assert error.value.reason == "replaced"
    assert services.invitation_from_token(services.invitation_token(invitation)) == invitation
    assert len(mail.outbox) == 2
    assert f"/invitations/{invitation.pk}:{invitation.nonce}:" in mail.outbox[1].body
    assert list(AuditEvent.objects.values_list("kind", flat=True)) == ["invitation_sent", "invitation_sent"]


def test_revoke_kills_the_link_and_audits(invitation, admin_a, org_a):
    token = services.invitation_token(invitation)
    services.invitation_revoke(invitation=invitation, user=admin_a)
    with pytest.raises(services.InvitationLinkError) as error:
        services.invitation_from_token(token)
    assert error.value.reason == "revoked"
    event = AuditEvent.objects.filter(kind="invitation_revoked").get()
    assert (event.actor, event.organization) == (admin_a, org_a)
    with pytest.raises(ValidationError, match="already revoked"):
        services.invitation_revoke(invitation=invitation, user=admin_a)
    with pytest.raises(ValidationError, match="already revoked"):
        services.invitation_resend(invitation=invitation, user=admin_a)


def test_accept_new_user_creates_account_and_membership(invitation, org_a):
    user = services.invitation_accept_new_user(
        invitation=invitation, first_name=" Nora ", last_name="Newman", password="a long passphrase 42"
    )
    assert (user.username, user.email, user.first_name, user.last_name) == (
        "newcomer@example.org",
        "newcomer@example.org",
        "Nora",
        "Newman",
    )
    assert user.check_password("a long passphrase 42")
    assert Membership.objects.get(user=user).organization == org_a
    assert Membership.objects.get(user=user).role == Role.ASSESSOR
    invitation.refresh_from_db()
    assert invitation.accepted_by == user and invitation.accepted_at is not None
    with pytest.raises(services.InvitationLinkError) as error:
        services.invitation_from_token(services.invitation_token(invitation))
    assert error.value.reason == "used"
    event = AuditEvent.objects.filter(kind="invitation_accepted").get()
    assert (event.actor, event.organization, event.detail) == (
        user,
        org_a,
        "newcomer@example.org joined as Assessor",
    )


def test_accept_new_user_refuses_when_the_email_has_an_account(invitation):
    nora = f.UserFactory(username="nora", email="NEWCOMER@example.org")
    with pytest.raises(ValidationError, match="sign in"):
        services.invitation_accept_new_user(
            invitation=invitation, first_name="N", last_name="N", password="a long passphrase 42"
        )
    assert list(
        Membership.objects.filter(organization=invitation.organization).values_list("user", flat=True)
    ) == [invitation.invited_by.pk]
    assert not nora.memberships.exists()
    assert Invitation.objects.get().accepted_at is None


def test_accept_by_existing_user_with_matching_email(invitation, org_a, assessor_b):
    assessor_b.email = "newcomer@example.org"
    assessor_b.save()
    acceptance = services.invitation_accept(invitation=invitation, user=assessor_b)
    assert acceptance.already_member is False
    assert sorted(assessor_b.memberships.values_list("organization__slug", "role")) == [
        ("alpha", "assessor"),
        ("bravo", "assessor"),
    ]


def test_accept_refuses_another_account(invitation, assessor_b):
    with pytest.raises(ValidationError, match="signed in as bob"):
        services.invitation_accept(invitation=invitation, user=assessor_b)
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not assessor_b.memberships.filter(organization=invitation.organization).exists()


def test_accept_twice_is_refused(invitation):
    user = services.invitation_accept_new_user(
        invitation=invitation, first_name="N", last_name="N", password="a long passphrase 42"
    )
    with pytest.raises(ValidationError, match="already been accepted"):
        services.invitation_accept(invitation=invitation, user=user)


def test_cannot_invite_a_member_or_someone_already_invited(invitation, org_a, admin_a, assessor_a):
    with pytest.raises(ValidationError) as error:
        services.invitation_send(
            organization=org_a, email="ALICE@example.org", role="assessor", invited_by=admin_a
        )
    assert error.value.message_dict == {
        "email": ["alice@example.org is already a member of Alpha Regional Hospital."]
    }
    with pytest.raises(ValidationError) as error:
        services.invitation_send(
            organization=org_a, email="newcomer@example.org", role="executive", invited_by=admin_a
        )
    assert "pending invitation" in error.value.message_dict["email"][0]
    assert Invitation.objects.count() == 1


def test_a_failing_mail_server_saves_nothing(org_a, admin_a, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    with pytest.raises(ValidationError, match="could not send"):
        services.invitation_send(
            organization=org_a, email="x@example.org", role="assessor", invited_by=admin_a
        )
    assert Invitation.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_change_role_audits_old_and_new(org_a, admin_a, assessor_a):
    membership = assessor_a.memberships.get()
    services.membership_change_role(membership=membership, role=Role.EXECUTIVE, user=admin_a)
    assert Membership.objects.get(pk=membership.pk).role == Role.EXECUTIVE
    event = AuditEvent.objects.get()
    assert (event.kind, event.actor, event.organization, event.detail) == (
        "role_changed",
        admin_a,
        org_a,
        "alice: Assessor -> Executive",
    )


def test_the_last_org_admin_cannot_be_demoted_or_removed(org_a, admin_a):
    membership = admin_a.memberships.get()
    with pytest.raises(ValidationError, match="at least one organization admin"):
        services.membership_change_role(membership=membership, role=Role.ASSESSOR, user=admin_a)
    with pytest.raises(ValidationError, match="at least one organization admin"):
        services.membership_remove(membership=membership, user=admin_a)
    assert Membership.objects.get(pk=membership.pk).role == Role.ORG_ADMIN
    assert AuditEvent.objects.count() == 0


def test_an_admin_can_step_down_when_another_admin_exists(org_a, admin_a):
    other = f.MembershipFactory(organization=org_a, role=Role.ORG_ADMIN).user
    services.membership_change_role(membership=admin_a.memberships.get(), role=Role.EXECUTIVE, user=admin_a)
    with pytest.raises(ValidationError):
        services.membership_remove(membership=other.memberships.get(), user=admin_a)
    assert list(org_a.memberships.filter(role=Role.ORG_ADMIN).values_list("user__username", flat=True)) == [
        other.username
    ]


def test_remove_member_keeps_the_account(org_a, admin_a, assessor_a):
    services.membership_remove(membership=assessor_a.memberships.get(), user=admin_a)
    assert not Membership.objects.filter(user=assessor_a).exists()
    assessor_a.refresh_from_db()
    event = AuditEvent.objects.get()
    assert (event.kind, event.detail) == ("role_changed", "alice: Assessor -> removed")


def test_organization_create_derives_slug_and_region_and_invites_the_admin(nam_staff):
    f.OrganizationFactory(name="Other", slug="charlie-medical-center")
    organization, invitation = services.organization_create(
        name=" Charlie Medical Center ",
        org_type="hospital",
        size_band="lt100",
        state="TX",
        ownership="public",
        is_teaching=True,
        admin_email="Chief@Charlie.example.org",
        created_by=nam_staff,
    )
    assert (organization.name, organization.slug, organization.region, organization.is_teaching) == (
        "Charlie Medical Center",
        "charlie-medical-center-2",
        "south",
        True,
    )
    assert (invitation.organization, invitation.email, invitation.role) == (
        organization,
        "chief@charlie.example.org",
        Role.ORG_ADMIN,
    )
    assert mail.outbox[0].to == ["chief@charlie.example.org"]


def test_organization_names_are_unique_ignoring_case(nam_staff, org_a):
    with pytest.raises(ValidationError):
        services.organization_create(
            name="alpha regional HOSPITAL",
            org_type="hospital",
            size_band="lt100",
            state="TX",
            ownership="public",
            is_teaching=False,
            admin_email="x@example.org",
            created_by=nam_staff,
        )
    assert Organization.objects.count() == 1


def test_lockout_clear_resets_axes_and_audits(nam_staff):
    from axes.models import AccessAttempt

    AccessAttempt.objects.create(
        username="alice",
        ip_address="127.0.0.1",
        user_agent="ua",
        http_accept="*/*",
        path_info="/accounts/login/",
        get_data="",
        post_data="",
        failures_since_start=5,
        attempt_time=timezone.now(),
    )
    assert services.lockout_clear(username="alice", user=nam_staff) == 1
    assert AccessAttempt.objects.count() == 0
    event = AuditEvent.objects.get()
    assert (event.kind, event.actor, event.detail) == (
        "unlock",
        nam_staff,
        "Sign-in lockout of 'alice' cleared (1 record)",
    )


def test_accept_with_a_link_replaced_meanwhile_is_refused(invitation, org_a, admin_a):
    opened = services.invitation_from_token(services.invitation_token(invitation))
    services.invitation_resend(invitation=invitation, user=admin_a)
    with pytest.raises(ValidationError, match="newer invitation"):
        services.invitation_accept_new_user(
            invitation=opened, first_name="N", last_name="N", password="a long passphrase 42"
        )
    assert not Membership.objects.filter(user__email="newcomer@example.org").exists()
