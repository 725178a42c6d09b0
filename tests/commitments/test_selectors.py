"""commitments/selectors.py: the crosswalk between versions and the reads behind the public pages."""

import pytest
from django.http import Http404

from commitments import selectors
from commitments.models import Indicator, Rubric
from tests import factories as f

pytestmark = pytest.mark.django_db


def ind(rubric, code):
    return Indicator.objects.of_rubric(rubric).select_related("commitment").get(code=code)


@pytest.fixture
def versions(rubric):
    """2027.1 continues ENG-1 and (as NEW-2) SAF-2 of 2026.1; 2028.1 continues ENG-1 of 2027.1."""
    v1 = rubric
    v2 = f.build_rubric("2027.1", commitments=2, indicators=3, previous=v1, publish=False)
    # build_rubric continues codes that exist in `previous`: rewire to a code change, a drop and a new one.
    eng2, eng3 = ind(v2, "ENG-2"), ind(v2, "ENG-3")
    eng2.code, eng2.continues = "NEW-2", ind(v1, "SAF-2")
    eng2.save()
    eng3.continues = None
    eng3.save()
    Indicator.objects.of_rubric(v2).filter(code__startswith="SAF").update(continues=None)
    Rubric.objects.filter(pk=v2.pk).update(status=Rubric.Status.PUBLISHED)
    v3 = f.build_rubric("2028.1", commitments=1, indicators=2, previous=v2)
    return v1, Rubric.objects.get(pk=v2.pk), v3


def test_crosswalk_to_the_next_version(versions):
    v1, v2, _ = versions
    assert selectors.crosswalk(v1, v2) == {
        ind(v1, "ENG-1").pk: ind(v2, "ENG-1").pk,
        ind(v1, "SAF-2").pk: ind(v2, "NEW-2").pk,
    }


def test_crosswalk_follows_chains_across_versions(versions, django_assert_num_queries):
    v1, v2, v3 = versions
    # v3 continues ENG-1 of v2 (build_rubric links equal codes); its ENG-2 has no ENG-2 in v2 (renamed NEW-2).
    assert ind(v3, "ENG-2").continues is None
    with django_assert_num_queries(5):  # the new ids, then two queries per version step
        mapping = selectors.crosswalk(v1, v3)
    assert mapping == {ind(v1, "ENG-1").pk: ind(v3, "ENG-1").pk}
    assert selectors.crosswalk(v2, v3) == {ind(v2, "ENG-1").pk: ind(v3, "ENG-1").pk}


def test_crosswalk_of_a_version_to_itself_is_the_identity(rubric):
    ids = list(Indicator.objects.of_rubric(rubric).values_list("pk", flat=True))
    assert selectors.crosswalk(rubric, rubric) == {pk: pk for pk in ids}
    assert len(ids) == 30


def test_crosswalk_between_unrelated_versions_is_empty(rubric):
    other = f.build_rubric("2030.1", commitments=2, indicators=1)
    assert selectors.crosswalk(rubric, other) == {}
    assert selectors.crosswalk(other, rubric) == {}


def test_indicator_predecessor(versions):
    v1, v2, v3 = versions
    assert selectors.indicator_predecessor(ind(v3, "ENG-1")) == ind(v2, "ENG-1")
    assert selectors.indicator_predecessor(ind(v3, "ENG-1"), in_rubric=v1) == ind(v1, "ENG-1")
    assert selectors.indicator_predecessor(ind(v2, "NEW-2"), in_rubric=v1) == ind(v1, "SAF-2")
    assert selectors.indicator_predecessor(ind(v2, "ENG-3"), in_rubric=v1) is None
    assert selectors.indicator_predecessor(ind(v3, "ENG-2"), in_rubric=v1) is None
    assert selectors.indicator_predecessor(ind(v1, "ENG-1"), in_rubric=v1) == ind(v1, "ENG-1")


def test_rubric_for_display(rubric):
    draft = f.build_rubric("2027.1", commitments=1, indicators=1, publish=False)
    assert selectors.rubric_for_display(None) == rubric
    assert selectors.rubric_for_display("2026.1") == rubric
    for version in ("2027.1", "1999.1"):  # a draft is not public; an unknown version does not exist
        with pytest.raises(Http404):
            selectors.rubric_for_display(version)
    Rubric.objects.filter(pk=rubric.pk).update(status=Rubric.Status.RETIRED)
    assert selectors.rubric_for_display(None) is None
    assert selectors.rubric_for_display("2026.1") == rubric
    assert draft.status == "draft"


# --- rubric_outline: a locked rubric read once, then from the portal's cache ------------------------------


def test_outline_holds_commitments_indicators_and_descriptors_in_order(rubric, django_assert_num_queries):
    with django_assert_num_queries(3):  # commitments, indicators, descriptors
        outline = selectors.rubric_outline(rubric)
    with django_assert_num_queries(0):
        again = selectors.rubric_outline(rubric)
        engaged = outline.commitment("engaged")
        first = engaged.indicators.all()[0]
        texts = [d.text for d in first.descriptors.all()]
        assert selectors.crosswalk(rubric, rubric)[first.pk] == first.pk
    assert again == outline
    assert [c.order for c in outline.commitments] == list(range(1, 11))
    assert [i.code for i in engaged.indicators.all()] == ["ENG-1", "ENG-2", "ENG-3"]
    assert texts == [f"ENG-1 at level {level}." for level in range(1, 6)]
    assert len(outline.indicator_ids) == 30
    assert outline.commitment("no-such-commitment") is None


def test_outline_of_a_draft_is_read_afresh_every_time(django_assert_num_queries):
    draft = f.build_rubric("2031.1", commitments=1, indicators=1, publish=False)
    assert [i.code for i in selectors.rubric_outline(draft).commitments[0].indicators.all()] == ["ENG-1"]
    Indicator.objects.of_rubric(draft).update(code="ENG-9")  # drafts may still change
    with django_assert_num_queries(3):
        outline = selectors.rubric_outline(draft)
    assert [i.code for i in outline.commitments[0].indicators.all()] == ["ENG-9"]


def test_publishing_a_rubric_gives_it_a_new_outline(django_assert_num_queries):
    rubric = f.build_rubric("2032.1", commitments=1, indicators=2, publish=False)
    draft_outline = selectors.rubric_outline(rubric)
    rubric.status = Rubric.Status.PUBLISHED
    rubric.save()
    published = selectors.rubric_outline(rubric)
    assert published is not draft_outline
    with django_assert_num_queries(0):
        assert selectors.rubric_outline(rubric) == published


def test_crosswalk_between_locked_versions_is_kept(versions, django_assert_num_queries):
    v1, _, v3 = versions
    expected = {ind(v1, "ENG-1").pk: ind(v3, "ENG-1").pk}
    first = selectors.crosswalk(v1, v3)
    first[0] = 0  # a caller changing its copy changes nothing kept
    with django_assert_num_queries(0):
        assert selectors.crosswalk(v1, v3) == expected
