"""commitments/services.py: loading versions (idempotent, all or nothing), publishing, retiring."""

import pytest
from django.utils import timezone

from commitments.loader import RubricFileError, parse_file
from commitments.models import Commitment, Indicator, LevelDescriptor, Rubric
from commitments.services import RubricStateError, rubric_load, rubric_publish, rubric_retire

from .conftest import SHIPPED, small_rubric

pytestmark = pytest.mark.django_db

# Copied from the NAM announcement (shared/seed/nam-lhs-shared-commitments-announcement.txt), in its order.
NAM_COMMITMENTS = [  # "\u2019" is the typographic apostrophe of the original
    ("engaged", "Engaged", "Understanding and acting on people\u2019s goals"),
    ("safe", "Safe", "Using validated safeguards to prevent harm"),
    ("effective", "Effective", "Applying continuously updated evidence"),
    ("efficient", "Efficient", "Delivering optimal outcomes for resources available"),
    ("fair", "Fair", "Advancing parity in people\u2019s opportunities to reach full health potential"),
    ("accessible", "Accessible", "Offering timely, convenient, interoperable, and affordable services"),
    ("accountable", "Accountable", "Measuring what matters, with clear responsibility and feedback"),
    ("transparent", "Transparent", "Open sharing of activities, decision-making processes, and results"),
    ("secure", "Secure", "Using protected data sharing and digital/AI responsibly to speed progress"),
    ("adaptive", "Adaptive", "Centering continuous learning and improvement in organizational priorities"),
]


def snapshot() -> dict:
    """Every rubric row with its id and every field: equal snapshots mean nothing was written."""
    return {
        "rubrics": list(Rubric.objects.order_by("pk").values()),
        "commitments": list(Commitment.objects.order_by("pk").values()),
        "indicators": list(Indicator.objects.order_by("pk").values()),
        "descriptors": list(LevelDescriptor.objects.order_by("pk").values()),
    }


def load(path, publish=False):
    return rubric_load(spec=parse_file(path), publish=publish)


def test_the_shipped_file_loads_the_ten_commitments_in_the_seed_order_with_its_definitions():
    result = load(SHIPPED, publish=True)
    assert (
        result.summary()
        == "Rubric 2026.1: 10 commitments, 30 indicators, 150 descriptors (created, published)"
    )
    rubric = Rubric.objects.get()
    assert (rubric.version, rubric.status, rubric.previous) == ("2026.1", "published", None)
    assert rubric.published_at is not None
    assert (
        list(rubric.commitments.order_by("order").values_list("slug", "name", "definition"))
        == NAM_COMMITMENTS
    )
    assert list(rubric.commitments.values_list("order", flat=True)) == list(range(1, 11))
    assert Commitment.objects.count() == 10
    assert Indicator.objects.count() == 30
    assert LevelDescriptor.objects.count() == 150
    for commitment in rubric.commitments.all():
        assert list(commitment.indicators.values_list("order", flat=True)) == [1, 2, 3]
    engaged = list(Indicator.objects.filter(commitment__slug="engaged").values_list("code", flat=True))
    assert engaged == ["ENG-1", "ENG-2", "ENG-3"]
    eng1 = Indicator.objects.get(code="ENG-1")
    assert eng1.title == "Patient and family partnership in governance and design"
    assert list(eng1.descriptors.values_list("level", flat=True)) == [1, 2, 3, 4, 5]
    assert eng1.descriptors.get(level=1).text.startswith("No patient and family advisory council exists;")
    assert eng1.guidance.startswith(
        "Ask for the patient and family advisory council (PFAC) charter, its roster"
    )


def test_loading_the_same_file_again_changes_nothing():
    load(SHIPPED, publish=True)
    before = snapshot()
    result = load(SHIPPED, publish=True)
    assert result.summary() == "Rubric 2026.1: 10 commitments, 30 indicators, 150 descriptors (unchanged)"
    assert result.changed is False
    assert snapshot() == before


def test_a_published_version_that_differs_from_the_file_is_refused_and_untouched(write_rubric, shipped_data):
    load(SHIPPED, publish=True)
    before = snapshot()
    shipped_data["commitments"][2]["indicators"][1]["levels"][4] = "Changed after publication."
    with pytest.raises(RubricFileError) as excinfo:
        load(write_rubric(shipped_data))
    assert excinfo.value.errors == [
        "version 2026.1 is published and differs from the file; give the changes a new version "
        "(first difference: commitments[2].indicators[1].levels[4])"
    ]
    assert snapshot() == before


def test_a_retired_version_can_be_reloaded_unchanged_but_not_changed(write_rubric, shipped_data):
    rubric_retire(rubric=load(SHIPPED, publish=True).rubric)
    before = snapshot()
    assert load(SHIPPED, publish=True).summary().endswith("(unchanged, retired)")
    shipped_data["title"] = "Another title"
    with pytest.raises(RubricFileError) as excinfo:
        load(write_rubric(shipped_data))
    assert excinfo.value.errors == [
        "version 2026.1 is retired and differs from the file; give the changes a new version "
        "(first difference: title)"
    ]
    assert snapshot() == before


def test_a_draft_is_updated_in_place_keeping_the_ids_of_what_stays(write_rubric):
    data = small_rubric(commitments=2, indicators=2)
    first = load(write_rubric(data))
    assert first.summary() == "Rubric 9.1: 2 commitments, 4 indicators, 20 descriptors (created, draft)"
    ids = dict(Indicator.objects.values_list("code", "pk"))
    # Swap the commitments, reword one descriptor, drop SAF-2, add ENG-3.
    data["commitments"].reverse()
    data["commitments"][1]["indicators"][0]["levels"][2] = "Reworded."
    del data["commitments"][0]["indicators"][1]
    data["commitments"][1]["indicators"].append(
        {
            "code": "ENG-3",
            "title": "New",
            "guidance": "New guidance.",
            "levels": {n: f"L{n}" for n in range(1, 6)},
        }
    )
    result = load(write_rubric(data))
    assert result.summary() == "Rubric 9.1: 2 commitments, 4 indicators, 20 descriptors (updated, draft)"
    rubric = Rubric.objects.get(version="9.1")
    assert list(rubric.commitments.values_list("slug", "order")) == [("commitment-2", 1), ("commitment-1", 2)]
    assert list(Indicator.objects.of_rubric(rubric).values_list("code", "order")) == [
        ("SAF-1", 1),
        ("ENG-1", 1),
        ("ENG-2", 2),
        ("ENG-3", 3),
    ]
    assert Indicator.objects.get(code="ENG-1").pk == ids["ENG-1"]
    assert Indicator.objects.get(code="SAF-1").pk == ids["SAF-1"]
    assert not Indicator.objects.filter(code="SAF-2").exists()
    assert LevelDescriptor.objects.get(indicator__code="ENG-1", level=2).text == "Reworded."
    assert LevelDescriptor.objects.count() == 20
    before = snapshot()
    assert load(write_rubric(data)).summary().endswith("(unchanged, draft)")
    assert snapshot() == before


def test_publish_on_an_unchanged_draft_publishes_it(write_rubric):
    path = write_rubric(small_rubric())
    load(path)
    result = load(path, publish=True)
    assert (
        result.summary() == "Rubric 9.1: 2 commitments, 4 indicators, 20 descriptors (unchanged, published)"
    )
    rubric = Rubric.objects.get()
    assert rubric.status == Rubric.Status.PUBLISHED
    assert rubric.published_at is not None


def test_a_new_version_links_previous_and_continues(write_rubric, shipped_data):
    load(SHIPPED, publish=True)
    shipped_data["version"] = "2027.1"
    shipped_data["previous"] = "2026.1"
    shipped_data["commitments"][0]["indicators"][0]["continues"] = "ENG-1"
    shipped_data["commitments"][0]["indicators"][1]["code"] = "ENG-4"
    shipped_data["commitments"][0]["indicators"][1]["continues"] = "ENG-2"
    result = load(write_rubric(shipped_data), publish=True)
    assert (
        result.summary()
        == "Rubric 2027.1: 10 commitments, 30 indicators, 150 descriptors (created, published)"
    )
    old, new = Rubric.objects.get(version="2026.1"), Rubric.objects.get(version="2027.1")
    assert new.previous == old
    continued = {
        i.code: i.continues.code
        for i in Indicator.objects.of_rubric(new).filter(continues__isnull=False).select_related("continues")
    }
    assert continued == {"ENG-1": "ENG-1", "ENG-4": "ENG-2"}
    assert Indicator.objects.get(commitment__rubric=new, code="ENG-1").continues.commitment.rubric == old
    assert Rubric.objects.latest_published() == new


def test_publishing_checks_the_draft_is_complete(rubric):
    draft = Rubric.objects.create(version="2027.1")
    with pytest.raises(RubricStateError) as excinfo:
        rubric_publish(rubric=draft)
    assert excinfo.value.messages == ["Rubric 2027.1 has no commitments."]
    commitment = Commitment.objects.create(
        rubric=draft, slug="engaged", order=1, name="Engaged", definition="d"
    )
    indicator = Indicator.objects.create(
        commitment=commitment, order=1, code="ENG-1", title="t", guidance="g"
    )
    LevelDescriptor.objects.create(indicator=indicator, level=1, text="one")
    with pytest.raises(RubricStateError) as excinfo:
        rubric_publish(rubric=draft)
    assert excinfo.value.messages == ["ENG-1 needs a descriptor for each of the levels 1-5."]
    draft.refresh_from_db()
    assert (draft.status, draft.published_at) == ("draft", None)


def test_publish_and_retire_follow_the_life_cycle(rubric):
    with pytest.raises(RubricStateError) as excinfo:
        rubric_publish(rubric=rubric)
    assert excinfo.value.messages == ["Rubric 2026.1 is already published."]
    published_at = rubric.published_at
    retired = rubric_retire(rubric=rubric)
    assert (retired.status, retired.published_at) == ("retired", published_at)
    with pytest.raises(RubricStateError):
        rubric_retire(rubric=rubric)
    assert published_at <= timezone.now()
