"""Wording used in pages, messages and e-mails: `{{ organization.name|possessive }}`."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()


def possessive(name: str) -> str:
    """ "Alpha Regional Hospital's", but "Cape Ann Health Clinics'" for a name ending in s."""
    name = str(name)
    return f"{name}'" if name.endswith(("s", "S")) else f"{name}'s"


@register.filter(name="possessive", needs_autoescape=True)
def possessive_filter(name, autoescape=True):
    # The name is escaped as any value would be; the apostrophe is ours, so it is written as it is.
    escaped = conditional_escape(name) if autoescape else str(name)
    return mark_safe(possessive(escaped))  # noqa: S308 (escaped above)
