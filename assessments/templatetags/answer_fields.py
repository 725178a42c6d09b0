"""{% textarea field %}: a form field's text area exactly as Django renders it, without its widget templates.

Why: the commitment page, the portal's busiest, shows three text areas per indicator, and rendering each
through the form renderer's templates was ~8% of the page's CPU. The markup is that of Django's
django/forms/widgets/textarea.html and attrs.html; tests/assessments/test_templatetags_answer_fields.py
compares it with the field's own rendering in every state the page shows.
"""

from django import template
from django.forms import Textarea
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def textarea(field) -> SafeString:
    widget = field.field.widget
    if type(widget) is not Textarea:  # any other widget: Django's own rendering
        return field.as_widget()
    # As BoundField.as_widget() builds them: required, disabled, aria-invalid, aria-describedby, then the id.
    attrs = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    attributes = format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in context["attrs"].items()
            if value is not False
        ),
    )
    return format_html(
        '<textarea name="{}"{}>\n{}</textarea>', context["name"], attributes, context["value"] or ""
    )
