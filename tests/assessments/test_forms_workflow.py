"""assessments/forms/workflow.py: the answer form's text fields as the commitment page renders them."""

import re

from django.template import Context, Template

from assessments.forms.workflow import NOT_APPLICABLE, answer_formset_class

TEXT_FIELDS = ["na_justification", "evidence_summary", "evidence_links"]


def unbound(**initial):
    formset = answer_formset_class(1)(
        prefix="answers", indicator_ids=[7], initial=[{"indicator": 7, "version": 0, **initial}]
    )
    return formset.forms[0]


def bound(**data):
    values = {
        "answers-TOTAL_FORMS": "1",
        "answers-INITIAL_FORMS": "1",
        "answers-0-indicator": "7",
        "answers-0-version": "0",
        **{f"answers-0-{name}": value for name, value in data.items()},
    }
    formset = answer_formset_class(1)(values, prefix="answers", indicator_ids=[7])
    formset.is_valid()
    return formset.forms[0]


def disabled(form):
    for field in form.fields.values():
        field.disabled = True
    return form


STATES = {
    "empty": lambda: unbound(),
    "saved text with markup": lambda: unbound(
        evidence_summary='Policy <b>"A"</b> & minutes', na_justification="x"
    ),
    "read-only": lambda: disabled(unbound(evidence_summary="Audit 2025", evidence_links="https://a.example")),
    "not applicable without a reason": lambda: bound(answer=NOT_APPLICABLE, na_justification=""),
    "a bad link": lambda: bound(answer="3", evidence_links="ftp://files.example/x"),
    "too long": lambda: bound(answer="3", evidence_summary="x" * 5000),
}


def layout(markup: str) -> str:
    """The markup with the whitespace between and inside tags' text closed up: crispy's templates indent."""
    return re.sub(r"\s+", " ", re.sub(r">\s+", ">", re.sub(r"\s+<", "<", markup))).strip()


def widget(field) -> str:
    return field.as_widget()


def crispy_field(field) -> str:
    """The field as the commitment page renders it: {{ field|as_crispy_field }}."""
    return Template("{% load crispy_forms_tags %}{{ field|as_crispy_field }}").render(
        Context({"field": field})
    )


def test_a_text_field_with_an_error_and_help_text_through_crispy():
    field = STATES["not applicable without a reason"]()["na_justification"]
    i = "id_answers-0-na_justification"
    assert layout(crispy_field(field)) == layout(
        "\n".join(
            [
                f'<div id="div_{i}" class="mb-3">',
                f'  <label for="{i}" class="form-label">Why does this indicator not apply?</label>',
                '  <textarea name="answers-0-na_justification" cols="40" rows="2"'
                ' class="textarea form-control is-invalid" data-maxlength="2000" aria-invalid="true"'
                f' aria-describedby="{i}_helptext {i}_error" id="{i}">',
                "</textarea>",
                f'  <div id="{i}_error" class="invalid-feedback"><p id="error_1_{i}"><strong>'
                "Say why this indicator does not apply to your organization.</strong></p></div>",
                f'  <div id="{i}_helptext" class="form-text">'
                "Required for Not applicable. A reviewer reads this. At most 2,000 characters.</div>",
                "</div>",
            ]
        )
    )


def test_the_states_cover_errors_and_disabled_fields():
    assert 'aria-invalid="true"' in widget(STATES["not applicable without a reason"]()["na_justification"])
    assert 'aria-invalid="true"' in widget(STATES["a bad link"]()["evidence_links"])
    assert " disabled" in widget(STATES["read-only"]()["evidence_summary"])
    assert "&lt;b&gt;&quot;A&quot;&lt;/b&gt; &amp; minutes</textarea>" in widget(
        STATES["saved text with markup"]()["evidence_summary"]
    )
