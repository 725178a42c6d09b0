"""assessments/people/views.py: members and invitations end to end, new organizations, lockouts, audit log."""

import html
import re
import time
from urllib.parse import quote

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from assessments.models import AuditEvent, Invitation, Membership, Organization, Role
from assessments.people import services
from assessments.templatetags.wording import possessive
from tests import factories as f

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
MODEL_BACKEND = "assessments.backends.PortalBackend"
MEMBERS = "/orgs/alpha/people/"


def _link_from_mail(message) -> str:
    match = re.search(r"http://127\.0\.0\.1:8000(/invitations/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def _invite(client, email="nora@example.org", role="assessor", slug="alpha"):
    return client.post(f"/orgs/{slug}/people/", {"email": email, "role": role})


def _audit(kind):
    return list(
        AuditEvent.objects.filter(kind=kind).values_list(
            "actor__username", "organization__slug", "ip_address", "detail"
        )
    )


# ---------------------------------------------------------------------------------------------------------
# The people page


def test_members_page_lists_members_and_pending_invitations(
    client, admin_a, assessor_a, executive_a, assessor_b
):
    services.invitation_send(
        organization=admin_a.memberships.get().organization,
        email="p@example.org",
        role="executive",
        invited_by=admin_a,
    )
    client.force_login(admin_a, backend=MODEL_BACKEND)
    response = client.get(MEMBERS)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html and "People at Alpha Regional Hospital" in html
    assert "<caption>Members (3)</caption>" in html
    for user in (admin_a, assessor_a, executive_a):
        assert user.email in html
    assert assessor_b.email not in html
    assert "p@example.org" in html and "Resend" in html and "Revoke" in html
    # The only admin cannot be demoted or removed from the page.
    assert "The only admin" in html
    assert f'action="/orgs/alpha/people/{admin_a.memberships.get().pk}/remove/"' not in html
    assert f'action="/orgs/alpha/people/{assessor_a.memberships.get().pk}/remove/"' in html


def test_members_page_has_no_n_plus_one(client, admin_a, django_assert_num_queries, org_a):
    client.force_login(admin_a, backend=MODEL_BACKEND)
    client.get(MEMBERS)  # warm the session
    for extra in (2, 20):
        for _ in range(extra):
            f.MembershipFactory(organization=org_a)
            Invitation.objects.create(
                organization=org_a,
                email=f"{time.time_ns()}@example.org",
                role="assessor",
                invited_by=admin_a,
                nonce="x" * 32,
            )
        # session, user (with the NAM staff flag), memberships (with the organization), members, invitations,
        # admin count
        with django_assert_num_queries(6):
            assert client.get(MEMBERS).status_code == 200


def test_invite_sends_the_email_and_lists_the_invitation(client, admin_a, org_a):
    client.force_login(admin_a, backend=MODEL_BACKEND)
    response = _invite(client, email="Nora@Example.org", role="executive")
    assert response.status_code == 302 and response["Location"] == MEMBERS
    invitation = Invitation.objects.get()
    assert (invitation.organization, invitation.email, invitation.role, invitation.invited_by) == (
        org_a,
        "nora@example.org",
        "executive",
        admin_a,
    )
    assert mail.outbox[0].to == ["nora@example.org"]
    assert _audit("invitation_sent") == [
        ("adam", "alpha", "127.0.0.1", "nora@example.org invited as Executive")
    ]
    page = client.get(MEMBERS).content.decode()
    assert "Invitation sent to nora@example.org." in page
    assert "nora@example.org" in page


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"email": "not an e-mail", "role": "assessor"}, "Enter a valid email address."),
        (
            {"email": "x" * 250 + "@example.org", "role": "assessor"},
            "Ensure this value has at most 254 characters",
        ),
        ({"email": "n@example.org", "role": "superuser"}, "Select a valid choice."),
        ({"email": "alice@example.org", "role": "assessor"}, "alice@example.org is already a member"),
    ],
)
def test_bad_invitations_are_refused_on_the_form(client, admin_a, assessor_a, data, error):
    client.force_login(admin_a, backend=MODEL_BACKEND)
    response = client.post(MEMBERS, data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert Invitation.objects.count() == 0 and len(mail.outbox) == 0


def test_the_organization_of_an_invitation_comes_from_the_url_not_the_form(client, admin_a, org_b):
    client.force_login(admin_a, backend=MODEL_BACKEND)
    client.post(MEMBERS, {"email": "z@example.org", "role": "assessor", "organization": org_b.pk})
    assert list(Invitation.objects.values_list("organization__slug", "email")) == [("alpha", "z@example.org")]


@pytest.mark.parametrize(("who", "status"), [("assessor_a", 403), ("executive_a", 403), ("assessor_b", 404)])
def test_only_org_admins_invite(client, request, who, status):
    client.force_login(request.getfixturevalue(who), backend=MODEL_BACKEND)
    assert _invite(client).status_code == status
    assert Invitation.objects.count() == 0 and len(mail.outbox) == 0


def test_nam_staff_may_invite_into_any_organization(client, nam_staff, org_b):
    client.force_login(nam_staff, backend=MODEL_BACKEND)
    assert _invite(client, slug="bravo").status_code == 302
    assert Invitation.objects.get().organization == org_b


# ---------------------------------------------------------------------------------------------------------
# Accepting: new and existing users, from the link in the e-mail


def test_new_user_accepts_end_to_end(client, admin_a, org_a):
    client.force_login(admin_a, backend=MODEL_BACKEND)
    _invite(client, email="nora@example.org", role="executive")
    client.logout()
    link = _link_from_mail(mail.outbox[0])

    page = client.get(link)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Join Alpha Regional Hospital" in html and "nora@example.org" in html and "Executive" in html

    weak = client.post(
        link, {"first_name": "Nora", "last_name": "Ng", "password1": "short", "password2": "short"}
    )
    assert weak.status_code == 400
    assert "This password is too short. It must contain at least 12 characters." in weak.content.decode()
    assert not Membership.objects.filter(user__email="nora@example.org").exists()

    done = client.post(
        link,
        {
            "first_name": "Nora",
            "last_name": "Ng",
            "password1": "tidal-lantern-93-orbit",
            "password2": "tidal-lantern-93-orbit",
        },
    )
    assert done.status_code == 302 and done["Location"] == reverse("home")
    membership = Membership.objects.get(user__username="nora@example.org")
    assert (membership.organization, membership.role) == (org_a, Role.EXECUTIVE)
    assert int(client.session[SESSION_KEY]) == membership.user.pk  # signed in
    assert _audit("invitation_accepted") == [
        ("nora@example.org", "alpha", "127.0.0.1", "nora@example.org joined as Executive")
    ]
    # The link is single-use.
    client.logout()
    again = client.get(link)
    assert again.status_code == 410
    assert "This invitation was already accepted" in again.content.decode()
    # The new account signs in with its e-mail as username.
    response = client.post(
        "/accounts/login/", {"username": "nora@example.org", "password": "tidal-lantern-93-orbit"}
    )
    assert response.status_code == 302
    assert int(client.session[SESSION_KEY]) == membership.user.pk


def test_existing_user_signs_in_then_accepts(client, admin_a, org_a, assessor_b):
    client.force_login(admin_a, backend=MODEL_BACKEND)
    _invite(client, email="BOB@example.org", role="assessor")
    client.logout()
    link = _link_from_mail(mail.outbox[0])

    page = client.get(link)
    assert page.status_code == 200
    assert "Sign in to join Alpha Regional Hospital" in page.content.decode()
    assert f'href="/accounts/login/?next={quote(link, safe="/")}"' in page.content.decode()
    # Posting the new-account form for an e-mail that has an account creates nothing.
    client.post(
        link,
        {
            "first_name": "X",
            "last_name": "Y",
            "password1": "tidal-lantern-93-orbit",
            "password2": "tidal-lantern-93-orbit",
        },
    )
    assert not Membership.objects.filter(organization=org_a, user=assessor_b).exists()

    signed_in = client.post(
        f"/accounts/login/?next={link}", {"username": "bob", "password": PASSWORD, "next": link}
    )
    assert signed_in.status_code == 302 and signed_in["Location"] == link
    confirm = client.get(link)
    assert "Accept the invitation" in confirm.content.decode()
    assert not Membership.objects.filter(organization=org_a, user=assessor_b).exists()  # GET changes nothing

    accepted = client.post(link)
    assert accepted.status_code == 302
    assert Membership.objects.get(organization=org_a, user=assessor_b).role == Role.ASSESSOR
    assert client.session["active_org"] == "alpha"
    assert client.post(link).status_code == 410


def test_another_signed_in_account_cannot_accept(client, admin_a, org_a, assessor_b):
    invitation = services.invitation_send(
        organization=org_a, email="nora@example.org", role="assessor", invited_by=admin_a
    )
    link = reverse("assessments:invitation_accept", args=[services.invitation_token(invitation)])
    client.force_login(assessor_b, backend=MODEL_BACKEND)
    for response in (client.get(link), client.post(link)):
        assert response.status_code == 403
        assert "This invitation is for another account" in response.content.decode()
    assert not Membership.objects.filter(organization=org_a, user=assessor_b).exists()
    assert Invitation.objects.get().accepted_at is None


class _PastSigner(signing.TimestampSigner):
    def timestamp(self):
        return signing.b62_encode(int(time.time()) - 15 * 24 * 3600)


def test_expired_link_gets_410_and_changes_nothing(client, admin_a, org_a):
    invitation = services.invitation_send(
        organization=org_a, email="nora@example.org", role="assessor", invited_by=admin_a
    )
    token = _PastSigner(salt=services.INVITATION_SALT).sign(f"{invitation.pk}:{invitation.nonce}")
    link = reverse("assessments:invitation_accept", args=[token])
    for response in (
        client.get(link),
        client.post(
            link,
            {
                "first_name": "N",
                "last_name": "N",
                "password1": "tidal-lantern-93-orbit",
                "password2": "tidal-lantern-93-orbit",
            },
        ),
    ):
        assert response.status_code == 410
        assert "This invitation has expired" in response.content.decode()
    assert not Membership.objects.filter(user__email="nora@example.org").exists()


def test_zero_max_age_expires_links_after_a_second(client, admin_a, org_a, settings):
    settings.INVITATION_MAX_AGE_DAYS = 0
    invitation = services.invitation_send(
        organization=org_a, email="nora@example.org", role="assessor", invited_by=admin_a
    )
    link = _link_from_mail(mail.outbox[0])
    assert link.startswith(f"/invitations/{invitation.pk}:{invitation.nonce}:")
    time.sleep(1.1)
    assert client.get(link).status_code == 410


def test_revoked_link_gets_410(client, admin_a, org_a):
    client.force_login(admin_a, backend=MODEL_BACKEND)
    _invite(client)
    invitation = Invitation.objects.get()
    link = _link_from_mail(mail.outbox[0])
    response = client.post(f"/orgs/alpha/invitations/{invitation.pk}/revoke/")
    assert response.status_code == 302
    assert _audit("invitation_revoked") == [
        ("adam", "alpha", "127.0.0.1", "Invitation of nora@example.org withdrawn")
    ]
    assert "nora@example.org" not in client.get(MEMBERS).content.decode().split("Pending invitations")[1]
    client.logout()
    response = client.get(link)
    assert response.status_code == 410
    assert "This invitation was withdrawn" in response.content.decode()


def test_resend_kills_the_old_link(client, admin_a, org_a):
    client.force_login(admin_a, backend=MODEL_BACKEND)
    _invite(client)
    invitation = Invitation.objects.get()
    old_link = _link_from_mail(mail.outbox[0])
    assert client.post(f"/orgs/alpha/invitations/{invitation.pk}/resend/").status_code == 302
    new_link = _link_from_mail(mail.outbox[1])
    assert new_link != old_link
    client.logout()
    old = client.get(old_link)
    assert old.status_code == 410 and "A newer invitation was sent" in old.content.decode()
    assert client.get(new_link).status_code == 200
    assert [e[3] for e in _audit("invitation_sent")] == [
        "nora@example.org invited again as Assessor (new link)",
        "nora@example.org invited as Assessor",
    ]


@pytest.mark.parametrize("token", ["garbage", "1:2:3", "x" * 300])
def test_garbage_link_gets_404(client, token, org_a):
    response = client.get(reverse("assessments:invitation_accept", args=[token]))
    assert response.status_code == 404
    assert "This invitation link is not valid" in response.content.decode()


def test_invitations_of_another_organization_cannot_be_touched(client, admin_a, org_b, nam_staff):
    other = services.invitation_send(
        organization=org_b, email="o@example.org", role="assessor", invited_by=nam_staff
    )
    client.force_login(admin_a, backend=MODEL_BACKEND)
    for action in ("resend", "revoke"):
        assert client.post(f"/orgs/alpha/invitations/{other.pk}/{action}/").status_code == 404
        assert client.post(f"/orgs/bravo/invitations/{other.pk}/{action}/").status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None and len(mail.outbox) == 1


# ---------------------------------------------------------------------------------------------------------
# Roles


def test_admin_changes_a_role(client, admin_a, assessor_a):
    client.force_login(admin_a, backend=MODEL_BACKEND)
    membership = assessor_a.memberships.get()
    response = client.post(f"/orgs/alpha/people/{membership.pk}/role/", {"role": "executive"}, follow=True)
    name = assessor_a.get_full_name()  # a factory name: "...'s", or "...'" when it ends in s
    assert f"{possessive(name)} role is now Executive." in html.unescape(response.content.decode())
    assert Membership.objects.get(pk=membership.pk).role == "executive"
    assert _audit("role_changed") == [("adam", "alpha", "127.0.0.1", "alice: Assessor -> Executive")]


def test_a_bad_role_is_refused_cleanly(client, admin_a, assessor_a):
    client.force_login(admin_a, backend=MODEL_BACKEND)
    membership = assessor_a.memberships.get()
    response = client.post(f"/orgs/alpha/people/{membership.pk}/role/", {"role": "god"}, follow=True)
    assert "Choose one of the roles." in response.content.decode()
    assert Membership.objects.get(pk=membership.pk).role == "assessor"


def test_the_last_admin_cannot_demote_or_remove_themselves(client, admin_a):
    client.force_login(admin_a, backend=MODEL_BACKEND)
    membership = admin_a.memberships.get()
    for url, data in (
        (f"/orgs/alpha/people/{membership.pk}/role/", {"role": "assessor"}),
        (f"/orgs/alpha/people/{membership.pk}/remove/", {}),
    ):
        response = client.post(url, data, follow=True)
        assert "needs at least one organization admin" in response.content.decode()
    assert Membership.objects.get(pk=membership.pk).role == Role.ORG_ADMIN


def test_admin_removes_a_member(client, admin_a, assessor_a):
    client.force_login(admin_a, backend=MODEL_BACKEND)
    response = client.post(f"/orgs/alpha/people/{assessor_a.memberships.get().pk}/remove/", follow=True)
    assert "no longer has access to Alpha Regional Hospital" in response.content.decode()
    assert not Membership.objects.filter(user=assessor_a).exists()
    client.force_login(assessor_a, backend=MODEL_BACKEND)
    assert client.get("/orgs/alpha/people/").status_code == 404


def test_members_of_another_organization_cannot_be_changed(client, admin_a, assessor_b):
    client.force_login(admin_a, backend=MODEL_BACKEND)
    pk = assessor_b.memberships.get().pk
    assert client.post(f"/orgs/alpha/people/{pk}/role/", {"role": "executive"}).status_code == 404
    assert client.post(f"/orgs/alpha/people/{pk}/remove/").status_code == 404
    assert client.post(f"/orgs/bravo/people/{pk}/remove/").status_code == 404
    assert Membership.objects.get(pk=pk).role == "assessor"


# ---------------------------------------------------------------------------------------------------------
# Org switcher (assessments:switch_org in views/core.py)


def test_switch_org_changes_the_active_organization(client, admin_a, org_b):
    f.MembershipFactory(user=admin_a, organization=org_b, role=Role.EXECUTIVE)
    client.force_login(admin_a, backend=MODEL_BACKEND)
    response = client.post("/orgs/switch/", {"organization": "bravo"}, follow=True)
    assert client.session["active_org"] == "bravo"
    assert "You are now working in Bravo Community Clinic." in response.content.decode()


def test_switch_org_to_a_foreign_organization_is_refused(client, assessor_a, org_b):
    client.force_login(assessor_a, backend=MODEL_BACKEND)
    response = client.post("/orgs/switch/", {"organization": "bravo"}, follow=True)
    assert client.session.get("active_org") != "bravo"
    assert "You are not a member of that organization." in response.content.decode()


# ---------------------------------------------------------------------------------------------------------
# NAM staff: organizations


def test_nam_staff_create_an_organization_and_invite_its_admin(client, nam_staff, org_a, assessor_a):
    client.force_login(nam_staff, backend=MODEL_BACKEND)
    page = client.get("/nam/organizations/").content.decode()
    assert "Alpha Regional Hospital" in page and "Midwest" in page
    response = client.post(
        "/nam/organizations/",
        {
            "name": "Charlie Medical Center",
            "org_type": "academic",
            "size_band": "500plus",
            "state": "CA",
            "ownership": "nonprofit",
            "is_teaching": "on",
            "admin_email": "Chief@charlie.example.org",
            "slug": "evil",
        },
        follow=True,
    )
    html = response.content.decode()
    assert (
        "Charlie Medical Center created; an invitation to be its admin went to chief@charlie.example.org."
        in html
    )
    org = Organization.objects.get(name="Charlie Medical Center")
    assert (org.slug, org.org_type, org.region, org.is_teaching) == (
        "charlie-medical-center",
        "academic",
        "west",
        True,
    )
    assert Invitation.objects.get(organization=org).role == Role.ORG_ADMIN
    link = _link_from_mail(mail.outbox[0])
    client.logout()
    client.post(
        link,
        {
            "first_name": "Cleo",
            "last_name": "Chief",
            "password1": "tidal-lantern-93-orbit",
            "password2": "tidal-lantern-93-orbit",
        },
    )
    assert Membership.objects.get(organization=org).role == Role.ORG_ADMIN
    assert client.get(f"/orgs/{org.slug}/people/").status_code == 200


def test_the_organizations_list_shows_members_count_in_constant_queries(
    client, nam_staff, django_assert_num_queries
):
    client.force_login(nam_staff, backend=MODEL_BACKEND)
    client.get("/nam/organizations/")
    for n in (3, 30):
        for _ in range(n):
            f.MembershipFactory()
        with django_assert_num_queries(4):
            response = client.get("/nam/organizations/")
    assert "33 organizations" in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("name", "", "This field is required."),
        ("name", "x" * 201, "Ensure this value has at most 200 characters"),
        ("state", "ZZ", "Select a valid choice."),
        ("admin_email", "nope", "Enter a valid email address."),
        ("name", "ALPHA regional hospital", "An organization with this name already exists."),
    ],
)
def test_bad_organizations_are_refused_on_the_form(client, nam_staff, org_a, field, value, error):
    client.force_login(nam_staff, backend=MODEL_BACKEND)
    data = {
        "name": "Delta",
        "org_type": "hospital",
        "size_band": "lt100",
        "state": "TX",
        "ownership": "public",
        "admin_email": "d@example.org",
        field: value,
    }
    response = client.post("/nam/organizations/", data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert Organization.objects.count() == 1 and Invitation.objects.count() == 0


# ---------------------------------------------------------------------------------------------------------
# NAM staff: lockouts


def _fail(client, username, times):
    for _ in range(times):
        client.post("/accounts/login/", {"username": username, "password": "wrong password"})


def test_nam_staff_unlock_a_locked_account(client, assessor_a, nam_staff):
    _fail(client, "alice", 5)
    locked = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert "Too many failed sign-in attempts" in locked.content.decode()

    staff = client.__class__()
    staff.force_login(nam_staff, backend=MODEL_BACKEND)
    page = staff.get("/nam/lockouts/").content.decode()
    assert "alice" in page and "Locked" in page
    response = staff.post("/nam/lockouts/unlock/", {"username": "alice"}, follow=True)
    assert "alice can sign in again." in response.content.decode()
    assert _audit("unlock") == [("nadia", None, "127.0.0.1", "Sign-in lockout of 'alice' cleared (1 record)")]

    signed_in = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert signed_in.status_code == 302
    assert int(client.session[SESSION_KEY]) == assessor_a.pk


def test_unlock_without_a_username_changes_nothing(client, nam_staff):
    client.force_login(nam_staff, backend=MODEL_BACKEND)
    response = client.post("/nam/lockouts/unlock/", {"username": ""}, follow=True)
    assert "Say whose lockout to clear." in response.content.decode()
    assert not AuditEvent.objects.filter(kind="unlock").exists()


def test_lockouts_page_when_nobody_is_locked(client, nam_staff):
    client.force_login(nam_staff, backend=MODEL_BACKEND)
    assert "nobody is locked out" in client.get("/nam/lockouts/").content.decode()


# ---------------------------------------------------------------------------------------------------------
# NAM staff: the audit log


def _event(kind, actor=None, organization=None, when=None, detail=""):
    return AuditEvent.objects.create(
        kind=kind,
        actor=actor,
        actor_label=actor.username if actor else "",
        organization=organization,
        created_at=when or timezone.now(),
        detail=detail,
    )


def test_audit_log_filters(client, nam_staff, assessor_a, assessor_b, org_a, org_b):
    import datetime as dt

    day = timezone.make_aware(dt.datetime(2026, 3, 10, 12))
    _event("export", assessor_a, org_a, day, "first")
    _event("export", assessor_b, org_b, day + dt.timedelta(days=1), "second")
    _event("role_changed", assessor_a, org_a, day + dt.timedelta(days=2), "third")
    client.force_login(nam_staff, backend=MODEL_BACKEND)

    def details(**params):
        html = client.get("/nam/audit/", params).content.decode()
        return re.findall(r'<td class="small">(first|second|third)</td>', html)

    assert details() == ["third", "second", "first"]  # newest first (the sign-in of nadia is not among these)
    assert details(kind="export") == ["second", "first"]
    assert details(organization=org_b.pk) == ["second"]
    assert details(actor="ALI") == ["third", "first"]
    assert details(date_from="2026-03-11", date_to="2026-03-11") == ["second"]
    assert details(date_from="2026-03-12", date_to="2026-03-10") == []
    assert (
        "The end date is before the start date."
        in client.get("/nam/audit/", {"date_from": "2026-03-12", "date_to": "2026-03-10"}).content.decode()
    )
    assert "Select a valid choice" in client.get("/nam/audit/", {"organization": "99999"}).content.decode()


def test_audit_log_is_paginated_by_50_in_constant_queries(
    client, nam_staff, org_a, assessor_a, django_assert_num_queries
):
    client.force_login(nam_staff, backend=MODEL_BACKEND)
    client.get("/nam/audit/")
    for n in (5, 120):
        AuditEvent.objects.bulk_create(
            AuditEvent(
                kind="export", actor=assessor_a, actor_label="alice", organization=org_a, detail=f"e{i}"
            )
            for i in range(n)
        )
        # session, user (with the NAM staff flag), memberships, count, page, organizations of the filter
        with django_assert_num_queries(6):
            response = client.get("/nam/audit/", {"kind": "export"})
    html = response.content.decode()
    assert "125 events, newest first · page 1 of 3" in html
    assert html.count('<td class="small">e') == 50
    assert 'href="?kind=export&amp;page=2"' in html
    assert (
        client.get("/nam/audit/", {"kind": "export", "page": 3}).content.decode().count('<td class="small">e')
        == 25
    )


def test_audit_log_has_no_edit_or_delete(client, nam_staff, assessor_a, org_a):
    _event("export", assessor_a, org_a)
    client.force_login(nam_staff, backend=MODEL_BACKEND)
    html = client.get("/nam/audit/").content.decode()
    assert "<form" in html  # the filter form, by GET
    assert 'method="post"' not in html.split("</nav>", 1)[1]
    for name in ("edit", "delete", "Delete", "Edit"):
        assert f">{name}<" not in html
