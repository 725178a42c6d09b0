"""The commitment page's text fields, written in Python: `{% text_field field %}` and `{% textarea field %}`.

Why: the commitment page, the portal's busiest, shows three text fields per indicator. Through crispy-forms'
nested templates they were a fifth of its CPU time, then through an included template and Django's widget
templates still a tenth. The markup is unchanged: crispy-bootstrap5's field (label, text area, errors, help
text) around Django's own text area (django/forms/widgets/textarea.html and attrs.html);
tests/assessments/test_templatetags_answer_fields.py compares both with crispy's and Django's rendering in
every state the page shows.
"""

from django import template
from django.forms import Textarea
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def textarea(field) -> SafeString:
    """field.as_widget() for a Textarea."""
    widget = field.field.widget
    if type(widget) is not Textarea:  # any other widget: Django's own rendering
        return field.as_widget()
    # As BoundField.as_widget() builds them: required, disabled, aria-invalid, aria-describedby, then the id.
    attrs = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    # As attrs.html: a True value as a bare name, a False one not at all, others through |stringformat.
    attributes = "".join(
        f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{escape(value)}"'
        for name, value in context["attrs"].items()
        if value is not False
    )
    value = conditional_escape(context["value"]) if context["value"] else ""
    name = conditional_escape(context["name"])
    return mark_safe(f'<textarea name="{name}"{attributes}>\n{value}</textarea>')  # noqa: S308 (escaped above)


@register.simple_tag
def text_field(field) -> SafeString:
    """The field as crispy-bootstrap5 lays it out: label, text area, errors, help text."""
    auto_id = conditional_escape(field.auto_id)
    parts = [
        f'<div id="div_{auto_id}" class="mb-3">\n',
        f'  <label for="{conditional_escape(field.id_for_label)}" class="form-label">'
        f"{conditional_escape(field.label)}</label>\n",
        f"  {textarea(field)}\n",
    ]
    if field.errors:
        errors = "".join(
            f'<p id="error_{number}_{auto_id}"><strong>{conditional_escape(error)}</strong></p>'
            for number, error in enumerate(field.errors, start=1)
        )
        parts.append(f'  <div id="{auto_id}_error" class="invalid-feedback">{errors}</div>\n')
    if field.help_text:
        parts.append(
            f'  <div id="{auto_id}_helptext" class="form-text">{conditional_escape(field.help_text)}</div>\n'
        )
    parts.append("</div>")
    return mark_safe("".join(parts))  # noqa: S308 (every value escaped above)
