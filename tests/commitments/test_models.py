"""commitments/models.py: a published or retired rubric can never change, whichever way one tries."""

import pytest
from django.core.exceptions import ValidationError

from commitments.models import (
    Commitment,
    Indicator,
    LevelDescriptor,
    MaturityLevel,
    Rubric,
    RubricImmutableError,
    level_label,
)
from tests import factories as f

pytestmark = pytest.mark.django_db


def snapshot():
    return [
        list(model.objects.order_by("pk").values())
        for model in (Rubric, Commitment, Indicator, LevelDescriptor)
    ]


@pytest.fixture(params=["published", "retired"])
def locked(request, rubric):
    if request.param == "retired":
        rubric.status = Rubric.Status.RETIRED
        rubric.save()
    return rubric


def _change_rubric_title(rubric):
    rubric.title = "Changed"
    rubric.save()


def _change_rubric_version(rubric):
    rubric.version = "2026.9"
    rubric.save()


def _rubric_back_to_draft(rubric):
    rubric.status = Rubric.Status.DRAFT
    rubric.save()


def _commitment_save(rubric):
    commitment = rubric.commitments.first()
    commitment.definition = "Changed"
    commitment.save()


def _commitment_add(rubric):
    Commitment.objects.create(rubric=rubric, slug="extra", order=11, name="Extra", definition="d")


def _commitment_move_to_a_draft(rubric):
    draft = Rubric.objects.create(version="2027.1")
    commitment = Commitment.objects.get(rubric=rubric, slug="engaged")
    commitment.rubric = draft
    commitment.save()


def _indicator_save(rubric):
    indicator = Indicator.objects.of_rubric(rubric).first()
    indicator.guidance = "Changed"
    indicator.save()


def _descriptor_save(rubric):
    descriptor = LevelDescriptor.objects.filter(indicator__commitment__rubric=rubric).first()
    descriptor.text = "Changed"
    descriptor.save()


def _rubric_delete(rubric):
    rubric.delete()


def _commitment_delete(rubric):
    rubric.commitments.first().delete()


def _indicator_delete(rubric):
    Indicator.objects.of_rubric(rubric).first().delete()


def _descriptor_delete(rubric):
    LevelDescriptor.objects.filter(indicator__commitment__rubric=rubric).first().delete()


def _queryset_update_commitments(rubric):
    Commitment.objects.filter(rubric=rubric).update(name="Changed")


def _queryset_update_indicators(rubric):
    Indicator.objects.all().update(title="Changed")


def _queryset_update_descriptors(rubric):
    LevelDescriptor.objects.filter(level=3).update(text="Changed")


def _queryset_delete_commitments(rubric):
    Commitment.objects.filter(rubric=rubric).delete()


def _queryset_delete_indicators(rubric):
    Indicator.objects.filter(code="ENG-1").delete()


def _queryset_delete_descriptors(rubric):
    LevelDescriptor.objects.all().delete()


def _queryset_delete_rubrics(rubric):
    Rubric.objects.all().delete()


def _queryset_update_rubrics(rubric):
    Rubric.objects.all().update(title="Changed")


def _bulk_create_descriptors(rubric):
    indicator = Indicator.objects.of_rubric(rubric).select_related("commitment__rubric").first()
    LevelDescriptor.objects.bulk_create([LevelDescriptor(indicator=indicator, level=5, text="Again")])


@pytest.mark.parametrize(
    "attempt",
    [
        _change_rubric_title,
        _change_rubric_version,
        _rubric_back_to_draft,
        _commitment_save,
        _commitment_add,
        _commitment_move_to_a_draft,
        _indicator_save,
        _descriptor_save,
        _rubric_delete,
        _commitment_delete,
        _indicator_delete,
        _descriptor_delete,
        _queryset_update_commitments,
        _queryset_update_indicators,
        _queryset_update_descriptors,
        _queryset_delete_commitments,
        _queryset_delete_indicators,
        _queryset_delete_descriptors,
        _queryset_delete_rubrics,
        _queryset_update_rubrics,
        _bulk_create_descriptors,
    ],
    ids=lambda attempt: attempt.__name__.strip("_"),
)
def test_a_locked_rubric_refuses_every_change(locked, attempt):
    before = snapshot()
    with pytest.raises(RubricImmutableError):
        attempt(Rubric.objects.get(pk=locked.pk))
    after = snapshot()
    assert after[1:] == before[1:]
    # Some attempts create a draft first; the locked version's own row is what must not change.
    assert [r for r in after[0] if r["id"] == locked.pk] == [r for r in before[0] if r["id"] == locked.pk]


def test_a_published_rubric_may_be_retired_and_keeps_its_content(rubric):
    before = snapshot()[1:]
    rubric.status = Rubric.Status.RETIRED
    rubric.save()
    Rubric.objects.filter(pk=rubric.pk).update(
        status=Rubric.Status.PUBLISHED
    )  # status-only bulk changes pass
    assert Rubric.objects.get(pk=rubric.pk).status == "published"
    assert snapshot()[1:] == before


def test_a_draft_is_freely_editable_and_deletable():
    draft = f.build_rubric("2027.1", commitments=2, indicators=1, publish=False)
    Commitment.objects.filter(rubric=draft).update(name="Renamed")
    LevelDescriptor.objects.filter(indicator__commitment__rubric=draft, level=1).update(text="New")
    indicator = Indicator.objects.of_rubric(draft).first()
    indicator.title = "New title"
    indicator.save()
    assert set(Commitment.objects.values_list("name", flat=True)) == {"Renamed"}
    draft.delete()
    assert snapshot() == [[], [], [], []]


def test_publishing_sets_published_at():
    draft = f.build_rubric("2027.1", commitments=1, indicators=1, publish=False)
    assert draft.published_at is None
    draft.status = Rubric.Status.PUBLISHED
    draft.save()
    assert Rubric.objects.get(pk=draft.pk).published_at is not None


def test_an_indicator_may_only_continue_one_of_the_previous_version(rubric):
    unrelated = f.build_rubric("2025.1", commitments=1, indicators=1)
    draft = f.build_rubric("2027.1", commitments=1, indicators=1, publish=False, previous=rubric)
    indicator = Indicator.objects.of_rubric(draft).get()
    assert indicator.continues == Indicator.objects.of_rubric(rubric).get(code="ENG-1")
    indicator.full_clean()
    indicator.continues = Indicator.objects.of_rubric(unrelated).get()
    with pytest.raises(ValidationError) as excinfo:
        indicator.full_clean()
    assert excinfo.value.message_dict == {
        "continues": ["An indicator can only continue an indicator of the previous rubric version."]
    }


def test_the_maturity_scale():
    assert [(level.value, level.label) for level in MaturityLevel] == [
        (1, "Initial"),
        (2, "Developing"),
        (3, "Defined"),
        (4, "Managed"),
        (5, "Learning"),
    ]
    assert level_label(3) == "3 Defined"
    assert level_label(None) == "N/A"
    assert MaturityLevel.LEARNING.meaning.startswith("Learning: results feed back")


def test_latest_published_is_the_most_recently_published(rubric):
    newer = f.build_rubric("2027.1", commitments=1, indicators=1, previous=rubric)
    f.build_rubric("2028.1", commitments=1, indicators=1, publish=False)
    assert Rubric.objects.latest_published() == newer
    assert list(Rubric.objects.readable().order_by("version").values_list("version", flat=True)) == [
        "2026.1",
        "2027.1",
    ]
