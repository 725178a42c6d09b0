"""commitments/loader.py: every kind of bad file is named precisely; good files become a RubricSpec."""

import pytest
import yaml

from commitments.loader import RubricFileError, parse_file, parse_text
from commitments.models import Commitment, Indicator, LevelDescriptor, Rubric

from .conftest import SHIPPED, small_rubric


def _errors(write_rubric, content) -> list[str]:
    with pytest.raises(RubricFileError) as excinfo:
        parse_file(write_rubric(content))
    return excinfo.value.errors


def test_the_shipped_file_parses_into_ten_commitments_of_three_indicators():
    spec = parse_file(SHIPPED)
    assert spec.version == "2026.1"
    assert spec.previous is None
    assert len(spec.commitments) == 10
    assert spec.indicator_count == 30
    assert spec.descriptor_count == 150
    assert [i.code for i in spec.commitments[0].indicators] == ["ENG-1", "ENG-2", "ENG-3"]
    assert all(sorted(i.levels) == [1, 2, 3, 4, 5] for c in spec.commitments for i in c.indicators)


def _drop_level_5(d):
    del d["commitments"][1]["indicators"][1]["levels"][5]


def _duplicate_code(d):
    d["commitments"][0]["indicators"][1]["code"] = "ENG-1"


def _duplicate_code_across_commitments(d):
    d["commitments"][1]["indicators"][0]["code"] = "ENG-2"


def _misspelt_key(d):
    d["commitments"][1]["definiton"] = d["commitments"][1].pop("definition")


def _missing_key(d):
    del d["commitments"][1]["definition"]


def _duplicate_slug(d):
    d["commitments"][1]["slug"] = "commitment-1"


def _version_as_number(d):
    d["version"] = 2026.1


def _empty_name(d):
    d["commitments"][0]["name"] = "   "


def _long_name(d):
    d["commitments"][0]["name"] = "N" * 61


def _levels_as_list(d):
    d["commitments"][0]["indicators"][0]["levels"] = ["a", "b", "c", "d", "e"]


def _extra_level(d):
    d["commitments"][0]["indicators"][0]["levels"][6] = "beyond"


def _empty_descriptor(d):
    d["commitments"][0]["indicators"][0]["levels"][3] = ""


def _unknown_top_key(d):
    d["titel"] = "typo"


def _no_indicators(d):
    d["commitments"][1]["indicators"] = []


def _bad_code(d):
    d["commitments"][0]["indicators"][0]["code"] = "eng 1"


def _bad_slug(d):
    d["commitments"][0]["slug"] = "Commitment One"


def _continues_without_previous(d):
    d["commitments"][0]["indicators"][0]["continues"] = "ENG-1"


def _number_as_text(d):
    d["commitments"][0]["indicators"][0]["title"] = 42


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            _drop_level_5,
            ["commitments[1].indicators[1].levels: expected exactly the levels 1-5, got 1, 2, 3, 4"],
        ),
        (
            _extra_level,
            ["commitments[0].indicators[0].levels: expected exactly the levels 1-5, got 1, 2, 3, 4, 5, 6"],
        ),
        (_duplicate_code, ["commitments[0].indicators[1].code: duplicate code ENG-1"]),
        (_duplicate_code_across_commitments, ["commitments[1].indicators[0].code: duplicate code ENG-2"]),
        (_misspelt_key, ["commitments[1]: unknown key 'definiton'", "commitments[1]: missing 'definition'"]),
        (_missing_key, ["commitments[1]: missing 'definition'"]),
        (_duplicate_slug, ["commitments[1].slug: duplicate slug commitment-1"]),
        (_version_as_number, ['version: expected text in quotes, such as "2026.1", got the number 2026.1']),
        (_empty_name, ["commitments[0].name: expected text, got an empty string"]),
        (_long_name, ["commitments[0].name: at most 60 characters, got 61"]),
        (_number_as_text, ["commitments[0].indicators[0].title: expected text, got the number 42"]),
        (
            _levels_as_list,
            [
                "commitments[0].indicators[0].levels: "
                "expected a mapping of the levels 1-5 to their descriptors, got a list"
            ],
        ),
        (_empty_descriptor, ["commitments[0].indicators[0].levels[3]: expected text, got an empty string"]),
        (_unknown_top_key, ["top level: unknown key 'titel'"]),
        (_no_indicators, ["commitments[1].indicators: expected a list of indicators, got an empty list"]),
        (
            _bad_code,
            [
                "commitments[0].indicators[0].code: "
                "'eng 1' is not valid (capital letters, digits and hyphens, such as ENG-1)"
            ],
        ),
        (
            _bad_slug,
            ["commitments[0].slug: 'Commitment One' is not valid (lower-case letters, digits and hyphens)"],
        ),
        (
            _continues_without_previous,
            [
                "commitments[0].indicators[0].continues: "
                "ENG-1 needs a top-level 'previous' version to continue from"
            ],
        ),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else "",
)
def test_a_bad_file_is_refused_with_the_place_of_each_problem(write_rubric, mutate, expected):
    data = small_rubric()
    mutate(data)
    assert _errors(write_rubric, data) == expected


def test_all_problems_are_reported_at_once(write_rubric):
    data = small_rubric()
    _drop_level_5(data)
    _duplicate_code(data)
    _missing_key(data)
    assert _errors(write_rubric, data) == [
        "commitments[0].indicators[1].code: duplicate code ENG-1",
        "commitments[1]: missing 'definition'",
        "commitments[1].indicators[1].levels: expected exactly the levels 1-5, got 1, 2, 3, 4",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'version: "1"\ncommitments:\n  - slug: a\n   name: b\n',
            "YAML syntax error at line 4, column 4: did not find expected '-' indicator "
            "(while parsing a block collection that starts at line 3, column 3)",
        ),
        (
            'version: "1"\ntitle: "unterminated\n',
            "YAML syntax error at line 3, column 1: found unexpected end of stream "
            "(while scanning a quoted scalar that starts at line 2, column 8)",
        ),
        (
            'version: "1"\ntitle: x\ntitle: y\ncommitments: []\n',
            "line 3, column 1: the key 'title' appears twice",
        ),
        ("", "top level: the file is empty; expected version, title and commitments"),
        ("- just\n- a list\n", "top level: expected a mapping, got a list"),
    ],
    ids=["syntax", "unterminated-string", "duplicate-key", "empty", "not-a-mapping"],
)
def test_yaml_problems_name_the_line(text, expected):
    with pytest.raises(RubricFileError) as excinfo:
        parse_text(text)
    assert excinfo.value.errors == [expected]


def test_levels_may_be_written_as_quoted_numbers():
    data = small_rubric(commitments=1, indicators=1)
    levels = data["commitments"][0]["indicators"][0]["levels"]
    data["commitments"][0]["indicators"][0]["levels"] = {str(k): v for k, v in levels.items()}
    spec = parse_text(yaml.safe_dump(data))
    assert spec.commitments[0].indicators[0].levels == {k: f"ENG-1 level {k}" for k in range(1, 6)}


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(RubricFileError) as excinfo:
        parse_file(tmp_path / "nope.yaml")
    assert excinfo.value.errors == [f"no such file: {tmp_path / 'nope.yaml'}"]


@pytest.mark.django_db
def test_previous_and_continues_are_checked_against_the_database(write_rubric, rubric):
    data = small_rubric(version="2026.2")
    data["previous"] = "2026.1"
    data["commitments"][0]["indicators"][0]["continues"] = "ENG-1"
    data["commitments"][0]["indicators"][1]["continues"] = "ENG-9"
    data["commitments"][1]["indicators"][0]["continues"] = "ENG-1"
    assert _errors(write_rubric, data) == [
        "commitments[0].indicators[1].continues: no indicator ENG-9 in version 2026.1",
        "commitments[1].indicators[0].continues: ENG-1 of version 2026.1 is already continued at "
        "commitments[0].indicators[0].continues",
    ]
    data["previous"] = "2025.9"
    assert _errors(write_rubric, data) == [
        "previous: no rubric version 2025.9 is loaded; load that file first"
    ]
    counts = (Rubric.objects.count(), Commitment.objects.count(), Indicator.objects.count())
    assert counts == (1, 10, 30)
    assert LevelDescriptor.objects.count() == 150
