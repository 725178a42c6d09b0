"""commitments/admin.py: drafts are editable; published and retired versions are read-only in every view."""

import pytest
from django.urls import reverse

from commitments.models import Commitment, Indicator, LevelDescriptor, Rubric
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, db):
    user = f.UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def snapshot():
    return [list(m.objects.order_by("pk").values()) for m in (Rubric, Commitment, Indicator, LevelDescriptor)]


def change_url(obj):
    return reverse(f"admin:commitments_{obj._meta.model_name}_change", args=[obj.pk])


def _objects(rubric):
    commitment = rubric.commitments.get(slug="engaged")
    indicator = commitment.indicators.get(order=1)
    return {
        "rubric": rubric,
        "commitment": commitment,
        "indicator": indicator,
        "descriptor": indicator.descriptors.get(level=1),
    }


@pytest.mark.parametrize("kind", ["rubric", "commitment", "indicator", "descriptor"])
def test_a_published_version_is_shown_read_only(admin_client, rubric, kind):
    obj = _objects(rubric)[kind]
    response = admin_client.get(change_url(obj))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="_save"' not in html
    assert 'name="_continue"' not in html
    assert "/delete/" not in html
    # No editable field, in the form or in its inlines.
    for field in ("title", "version", "name", "definition", "guidance", "text", "code", "order"):
        assert f'name="{field}"' not in html
    assert 'name="commitments-0-name"' not in html
    assert 'name="indicators-0-title"' not in html
    assert 'name="descriptors-0-text"' not in html
    context = response.context
    assert (context["has_change_permission"], context["has_delete_permission"]) == (False, False)
    for inline in context["inline_admin_formsets"]:
        assert (inline.has_add_permission, inline.has_change_permission, inline.has_delete_permission) == (
            False,
            False,
            False,
        )


@pytest.mark.parametrize("kind", ["rubric", "commitment", "indicator", "descriptor"])
def test_a_forged_post_to_a_published_version_changes_nothing(admin_client, rubric, kind):
    obj = _objects(rubric)[kind]
    before = snapshot()
    data = {
        "title": "Changed",
        "name": "Changed",
        "definition": "Changed",
        "text": "Changed",
        "guidance": "X",
    }
    response = admin_client.post(change_url(obj), data)
    assert response.status_code == 403
    delete = admin_client.post(change_url(obj).replace("/change/", "/delete/"), {"post": "yes"})
    assert delete.status_code == 403
    assert snapshot() == before


def test_the_delete_action_refuses_published_versions(admin_client, rubric):
    before = snapshot()
    response = admin_client.post(
        reverse("admin:commitments_rubric_changelist"),
        {"action": "delete_selected", "_selected_action": [rubric.pk], "post": "yes"},
    )
    assert response.status_code == 403
    assert snapshot() == before


def test_nothing_can_be_added_to_a_published_version(admin_client, rubric):
    response = admin_client.get(reverse("admin:commitments_commitment_add"))
    rubric_choices = response.context["adminform"].form.fields["rubric"].queryset
    assert list(rubric_choices) == []
    before = snapshot()
    response = admin_client.post(
        reverse("admin:commitments_commitment_add"),
        {"rubric": rubric.pk, "order": 11, "slug": "extra", "name": "Extra", "definition": "d",
         "indicators-TOTAL_FORMS": 0, "indicators-INITIAL_FORMS": 0},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert snapshot() == before


def test_a_draft_is_editable(admin_client):
    draft = f.build_rubric("2027.1", commitments=1, indicators=1, publish=False)
    indicator = Indicator.objects.of_rubric(draft).get()
    response = admin_client.get(change_url(indicator))
    assert 'name="_save"' in response.content.decode()
    descriptors = list(indicator.descriptors.order_by("level"))
    data = {
        "commitment": indicator.commitment_id,
        "order": 1,
        "code": "ENG-1",
        "title": "A better title",
        "guidance": "Look for this.",
        "continues": "",
        "descriptors-TOTAL_FORMS": 5,
        "descriptors-INITIAL_FORMS": 5,
        "descriptors-MIN_NUM_FORMS": 0,
        "descriptors-MAX_NUM_FORMS": 5,
    }
    for n, d in enumerate(descriptors):
        data |= {f"descriptors-{n}-id": d.pk, f"descriptors-{n}-indicator": indicator.pk,
                 f"descriptors-{n}-level": d.level, f"descriptors-{n}-text": d.text}  # fmt: skip
    data["descriptors-2-text"] = "Defined, reworded."
    response = admin_client.post(change_url(indicator), data)
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert (indicator.title, indicator.guidance) == ("A better title", "Look for this.")
    assert indicator.descriptors.get(level=3).text == "Defined, reworded."


def test_the_publish_action_publishes_complete_drafts_only(admin_client, rubric):
    complete = f.build_rubric("2027.1", commitments=1, indicators=1, publish=False)
    empty = Rubric.objects.create(version="2028.1")
    response = admin_client.post(
        reverse("admin:commitments_rubric_changelist"),
        {"action": "publish_drafts", "_selected_action": [rubric.pk, complete.pk, empty.pk]},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [
        "2026.1 is already published.",
        "Rubric 2027.1 is published.",
        "2028.1 was not published: Rubric 2028.1 has no commitments.",
    ]
    assert dict(Rubric.objects.values_list("version", "status")) == {
        "2026.1": "published",
        "2027.1": "published",
        "2028.1": "draft",
    }


def test_the_publish_button_asks_then_publishes_a_draft(admin_client, rubric):
    draft = f.build_rubric("2027.1", commitments=2, indicators=1, publish=False)
    url = reverse("admin:commitments_rubric_publish", args=[draft.pk])
    assert f'href="{url}"' in admin_client.get(change_url(draft)).content.decode()
    assert "/publish/" not in admin_client.get(change_url(rubric)).content.decode()
    confirm = admin_client.get(url).content.decode()
    assert "Version 2027.1 has 2 commitments, 2 indicators and 10 level descriptors." in confirm
    assert Rubric.objects.get(pk=draft.pk).status == "draft"
    response = admin_client.post(url)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published"
    assert draft.published_at is not None
    # Published: the button is gone and the view refuses.
    assert admin_client.post(url).status_code == 403


def test_the_publish_button_explains_why_an_incomplete_draft_cannot_be_published(admin_client):
    draft = Rubric.objects.create(version="2027.1")
    url = reverse("admin:commitments_rubric_publish", args=[draft.pk])
    response = admin_client.post(url)
    assert "Rubric 2027.1 has no commitments." in response.content.decode()
    assert Rubric.objects.get(pk=draft.pk).status == "draft"
