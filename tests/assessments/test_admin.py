"""assessments/admin.py, and the audit log's append-only rule at every level: model, queryset, admin."""

import pytest
from django.contrib import admin as django_admin

from assessments import models
from assessments.models import AuditEvent
from tests import factories as f

pytestmark = pytest.mark.django_db

MODEL_BACKEND = "assessments.backends.PortalBackend"


@pytest.fixture
def superuser_client(client):
    root = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root, backend=MODEL_BACKEND)
    return client


@pytest.fixture
def event(org_a, assessor_a):
    return AuditEvent.objects.create(
        kind="export", actor=assessor_a, actor_label="alice", organization=org_a, detail="scores.csv"
    )


def test_every_assessments_model_is_registered():
    from django.apps import apps

    registered = {
        m for m in apps.get_app_config("assessments").get_models() if m in django_admin.site._registry
    }
    assert registered == set(apps.get_app_config("assessments").get_models())


@pytest.mark.parametrize(
    "name",
    [
        "organization",
        "membership",
        "invitation",
        "auditevent",
        "assessmentcycle",
        "assessment",
        "response",
        "responsechange",
        "ratergroup",
        "ratinground",
        "rater",
        "rating",
        "consensusdecision",
    ],
)
def test_changelists_load(superuser_client, event, name):
    response = superuser_client.get(f"/admin/assessments/{name}/")
    assert response.status_code == 200
    assert "<h1>Select" in response.content.decode()


def test_the_audit_log_cannot_be_changed_in_the_admin_even_by_a_superuser(superuser_client, event):
    url = f"/admin/assessments/auditevent/{event.pk}/change/"
    page = superuser_client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "scores.csv" in html
    assert 'name="_save"' not in html and "deletelink" not in html
    assert superuser_client.post(url, {"detail": "tampered"}).status_code == 403
    assert superuser_client.get("/admin/assessments/auditevent/add/").status_code == 403
    assert (
        superuser_client.post(
            f"/admin/assessments/auditevent/{event.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    changelist = superuser_client.get("/admin/assessments/auditevent/").content.decode()
    assert 'name="action"' not in changelist  # no bulk delete
    event.refresh_from_db()
    assert event.detail == "scores.csv"
    assert AuditEvent.objects.filter(kind="export").count() == 1


def test_the_audit_log_model_and_queryset_refuse_updates_and_deletes(event):
    event.detail = "tampered"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(detail="tampered")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().detail == "scores.csv"


def test_invitation_admin_hides_the_nonce_and_adds_nothing(superuser_client, org_a):
    invitation = models.Invitation.objects.create(
        organization=org_a, email="x@example.org", role="assessor", nonce="secretnonce" * 2
    )
    html = superuser_client.get(f"/admin/assessments/invitation/{invitation.pk}/change/").content.decode()
    assert "x@example.org" in html and "secretnonce" not in html
    assert superuser_client.get("/admin/assessments/invitation/add/").status_code == 403


def test_organization_region_is_derived_not_entered(superuser_client, org_a):
    html = superuser_client.get(f"/admin/assessments/organization/{org_a.pk}/change/").content.decode()
    assert 'name="region"' not in html and "Midwest" in html
