import pytest
from django.template import Context, Template

from assessments.templatetags.wording import possessive


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Alpha Regional Hospital", "Alpha Regional Hospital's"),
        ("Cape Ann Health Clinics", "Cape Ann Health Clinics'"),
        ("ST. LUKES", "ST. LUKES'"),
        ("Elena Marsh", "Elena Marsh's"),
    ],
)
def test_possessive(name, expected):
    assert possessive(name) == expected


def test_possessive_filter_escapes_the_name_not_its_apostrophe():
    template = Template(
        "{% load wording %}{{ name|possessive }} | "
        "{% autoescape off %}{{ name|possessive }}{% endautoescape %}"
    )
    assert template.render(Context({"name": "Bell & Sons"})) == "Bell &amp; Sons' | Bell & Sons'"
