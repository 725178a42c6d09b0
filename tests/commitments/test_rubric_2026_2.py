"""fixtures/rubric/2026.2.yaml: the rules a program can check on its descriptors; the crosswalk."""

import io
import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command

from assessments.models import OrgType
from commitments import selectors
from commitments.loader import parse_file
from commitments.models import ORGANIZATION_TYPES, ComplianceItem, Indicator, Rubric
from commitments.services import rubric_load

RUBRICS = Path(settings.BASE_DIR) / "fixtures" / "rubric"
FILE = RUBRICS / "2026.2.yaml"

NEGATION = re.compile(
    r"\b(no|not|never|without|nothing|none|lacks?|cannot|nor|rarely|neither|only)\b|n't\b", re.I
)
STARTS_WITH_ABSENCE = re.compile(r"\s*(no|there is no|there are no|nothing|none|not)\b", re.I)
PUBLICATION = re.compile(
    r"\b(publish\w*|shares?|shared|sharing|presents?|presented|peers?|peer systems)\b", re.I
)
LEARNING = re.compile(
    r"\b(redesign\w*|improv\w*|declin\w*|narrow\w*|reduc\w*|sustained|over time|over (two|several) years|"
    r"lower|fewer|shorter|higher)\b",
    re.I,
)
# Indicators whose practice is publishing itself: their level 5 may speak of it (it is about learning too).
PUBLISHING_IS_THE_PRACTICE = {"TRN-1"}
# 2026.1 indicators that only fitted hospitals, and their ambulatory counterparts in 2026.2.
HOSPITAL_TYPES = ["hospital", "health_system", "academic"]
AMBULATORY_TYPES = ["chc", "ambulatory", "other"]
PAIRS = {"SAF-2": "SAF-2-AMB", "EFC-2": "EFC-2-AMB", "ACC-2": "ACC-2-AMB"}


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(FILE.read_text(encoding="utf-8"))


@pytest.fixture
def spec(db):
    """2026.2 parsed: the loader checks its crosswalk against 2026.1, which must be loaded first."""
    rubric_load(spec=parse_file(RUBRICS / "2026.1.yaml"), publish=True)
    return parse_file(FILE)


def _indicators(data):
    return [i for c in data["commitments"] for i in c["indicators"]]


def _descriptors(data):
    return [(i["code"], level, text) for i in _indicators(data) for level, text in i["levels"].items()]


def test_no_level_is_defined_only_by_absence(raw):
    offending = []
    for code, level, text in _descriptors(raw):
        clauses = [c for c in re.split(r"[;,:]|\band\b", text) if c.strip()]
        if STARTS_WITH_ABSENCE.match(text) or all(NEGATION.search(c) for c in clauses):
            offending.append(f"{code} level {level}")
    assert offending == []


def test_level_5_is_about_learning_and_never_publication_alone(raw):
    without_learning = [i["code"] for i in _indicators(raw) if not LEARNING.search(i["levels"][5])]
    publishing = [
        i["code"]
        for i in _indicators(raw)
        if PUBLICATION.search(i["levels"][5]) and i["code"] not in PUBLISHING_IS_THE_PRACTICE
    ]
    assert without_learning == []
    assert publishing == []


def test_every_indicator_declares_its_organization_types(raw):
    undeclared = [i["code"] for i in _indicators(raw) if "applies_to" not in i]
    assert undeclared == []


def test_each_marked_practice_sits_at_one_level_in_the_whole_rubric(raw):
    marked = {
        (i["code"], phrase, level)
        for i in _indicators(raw)
        for phrase, level in i.get("practices", {}).items()
    }
    assert {(code, phrase) for code, phrase, _ in marked} == {
        ("ENG-1", "hold seats on the quality"),
        ("ADP-1", "huddle"),
    }
    for code, phrase, level in marked:
        places = {(c, lv) for c, lv, text in _descriptors(raw) if phrase.lower() in text.lower()}
        assert (code, level) in places, f"{phrase!r} is not in {code} level {level}"
        assert {lv for _, lv in places} == {level}, f"{phrase!r} appears at levels {sorted(places)}"


def test_every_organization_type_gets_three_indicators_per_commitment(spec):
    for org_type in ORGANIZATION_TYPES:
        counts = [
            sum(1 for i in c.indicators if not i.applies_to or org_type in i.applies_to)
            for c in spec.commitments
        ]
        assert counts == [3] * 10, org_type


def test_hospital_only_indicators_have_ambulatory_counterparts(spec):
    by_code = {i.code: i for c in spec.commitments for i in c.indicators}
    for hospital, ambulatory in PAIRS.items():
        assert list(by_code[hospital].applies_to) == HOSPITAL_TYPES
        assert list(by_code[ambulatory].applies_to) == AMBULATORY_TYPES
        assert by_code[ambulatory].continues is None
    # Reworded to fit every type instead.
    assert [by_code[code].applies_to for code in ("SAF-1", "SAF-3", "TRN-3")] == [(), (), ()]


def test_the_rubric_knows_every_organization_type_of_the_portal():
    assert tuple(OrgType.values) == ORGANIZATION_TYPES


def test_fair_keeps_the_announcement_and_shows_the_framework_wording(spec):
    fair = next(c for c in spec.commitments if c.slug == "fair")
    assert (fair.name, fair.definition) == (
        "Fair",
        "Advancing parity in people\u2019s opportunities to reach full health potential",
    )
    assert (fair.framework_name, fair.framework_definition) == (
        "Equitable",
        "Advances parity in individual opportunity to reach full health potential",
    )
    assert "nam-launches-shared-commitments-initiative" in fair.definition_source
    assert "learning-health-system" in fair.framework_source


def test_legal_minimums_are_compliance_items_and_no_level_asks_for_them(raw):
    codes = [item["code"] for item in raw["compliance"]]
    assert codes == ["LAW-1", "LAW-2", "LAW-3", "LAW-4", "LAW-5", "LAW-6", "LAW-7"]
    legal = re.compile(r"HIPAA|Section 1557|501\(r\)|federal rules|Schedule H|information-blocking", re.I)
    assert [f"{code} {level}" for code, level, text in _descriptors(raw) if legal.search(text)] == []


@pytest.mark.django_db
def test_2026_2_loads_publishes_and_crosswalks_every_2026_1_indicator():
    out = io.StringIO()
    call_command("load_rubric", str(RUBRICS / "2026.1.yaml"), "--publish", stdout=out)
    call_command("load_rubric", str(FILE), "--publish", stdout=out)
    assert out.getvalue().splitlines()[-1] == (
        "Rubric 2026.2: 10 commitments, 33 indicators, 165 descriptors (created, published)"
    )
    old, new = Rubric.objects.get(version="2026.1"), Rubric.objects.get(version="2026.2")
    assert (new.status, new.previous_id) == (Rubric.Status.PUBLISHED, old.pk)
    assert new.rating_rule.startswith("Levels are cumulative: choose the highest level whose description")
    assert "not NAM text" in new.content_statement
    assert Indicator.objects.of_rubric(new).count() == 33
    assert ComplianceItem.objects.filter(rubric=new).count() == 7

    mapping = selectors.crosswalk(old, new)
    codes = dict(Indicator.objects.of_rubric(new).values_list("pk", "code"))
    old_codes = dict(Indicator.objects.of_rubric(old).values_list("pk", "code"))
    assert len(mapping) == 30
    assert all(codes[new_pk] == old_codes[old_pk] for old_pk, new_pk in mapping.items())
