"""commitments/loader.py: the keys added for 2026.2 (applicability, practices, NAM framework wording,
rating rule, content statement, compliance items), each bad value named at its place."""

import pytest

from commitments.loader import RubricFileError, parse_file
from commitments.models import ComplianceItem, Indicator, Rubric
from commitments.services import rubric_load

from .conftest import small_rubric

pytestmark = pytest.mark.django_db


def _with(mutate) -> dict:
    data = small_rubric()
    mutate(data)
    return data


def _first_indicator(d) -> dict:
    return d["commitments"][0]["indicators"][0]


LAW = {"code": "LAW-1", "title": "A risk analysis is current.", "basis": "45 CFR 164.308"}


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda d: _first_indicator(d).update(applies_to=["hospital", "clinic"]),
            "commitments[0].indicators[0].applies_to: unknown organization type 'clinic' "
            "(known: hospital, health_system, academic, chc, ambulatory, other)",
        ),
        (
            lambda d: _first_indicator(d).update(applies_to="hospitals"),
            "commitments[0].indicators[0].applies_to: expected 'all' or a list of organization types "
            "(hospital, health_system, academic, chc, ambulatory, other), got the text 'hospitals'",
        ),
        (
            lambda d: _first_indicator(d).update(applies_to=["chc", "chc"]),
            "commitments[0].indicators[0].applies_to: an organization type is listed twice",
        ),
        (
            lambda d: _first_indicator(d).update(practices={"huddle": 6}),
            "commitments[0].indicators[0].practices.huddle: expected a level 1-5, got the number 6",
        ),
        (
            lambda d: d["commitments"][0].update(framework={"name": "Equitable", "source": "nam.edu"}),
            "commitments[0].framework: missing 'definition'",
        ),
        (lambda d: d.update(rating_rule=""), "rating_rule: expected text, got an empty string"),
        (lambda d: d.update(compliance=[{**LAW, "basis": None}]), "compliance[0]: missing 'basis'"),
        (lambda d: d.update(compliance=[LAW, LAW]), "compliance[1].code: duplicate code LAW-1"),
        (
            lambda d: d.update(compliance=[{**LAW, "applies_to": ["nursing_home"]}]),
            "compliance[0].applies_to: unknown organization type 'nursing_home' "
            "(known: hospital, health_system, academic, chc, ambulatory, other)",
        ),
    ],
)
def test_bad_new_keys_are_named_at_their_place(write_rubric, mutate, expected):
    data = _with(mutate)
    if data.get("compliance") and data["compliance"][0].get("basis") is None:
        del data["compliance"][0]["basis"]
    with pytest.raises(RubricFileError) as excinfo:
        parse_file(write_rubric(data))
    assert excinfo.value.errors == [expected]


def test_applicability_and_compliance_load_and_a_published_version_refuses_a_change(write_rubric):
    def mutate(d):
        _first_indicator(d)["applies_to"] = ["chc", "ambulatory"]
        d["commitments"][0]["indicators"][1]["applies_to"] = "all"
        d["rating_rule"] = "Levels are cumulative."
        d["compliance"] = [{**LAW, "applies_to": ["hospital"]}]

    path = write_rubric(_with(mutate))
    first = rubric_load(spec=parse_file(path), publish=True)
    again = rubric_load(spec=parse_file(path))
    assert (first.action, again.action) == ("created", "unchanged")
    rubric = Rubric.objects.get(version="9.1")
    assert rubric.rating_rule == "Levels are cumulative."
    assert dict(Indicator.objects.of_rubric(rubric).values_list("code", "applies_to")) == {
        "ENG-1": ["chc", "ambulatory"],
        "ENG-2": [],
        "SAF-1": [],
        "SAF-2": [],
    }
    assert list(ComplianceItem.objects.filter(rubric=rubric).values_list("code", "applies_to")) == [
        ("LAW-1", ["hospital"])
    ]

    changed = _with(mutate)
    _first_indicator(changed)["applies_to"] = ["chc"]
    with pytest.raises(RubricFileError) as excinfo:
        rubric_load(spec=parse_file(write_rubric(changed, "changed.yaml")))
    assert excinfo.value.errors == [
        "version 9.1 is published and differs from the file; give the changes a new version "
        "(first difference: commitments[0].indicators[0].applies_to (the file has 1, the database 2))"
    ]
