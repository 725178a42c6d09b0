"""Number filters of the organization dashboard: a signed difference and a percentile rank as an ordinal."""

from django import template
from django.contrib.humanize.templatetags.humanize import ordinal
from django.template.defaultfilters import floatformat

register = template.Library()

NO_VALUE = "\u2013"  # an en dash
MINUS = "\u2212"


@register.filter
def signed(value) -> str:
    """A difference with its sign: "+0.50", "\u22120.50" (a minus sign), "\u00b10.00"; an en dash for none."""
    if value is None:
        return NO_VALUE
    if value > 0:
        return f"+{value}"
    if value < 0:
        # The digits as {{ value|stringformat:".2f" }} writes them (through float), without their "-".
        return MINUS + format(float(value), ".2f")[1:]
    return "\u00b10.00"


@register.filter
def ordinal_rank(value) -> str:
    """A percentile rank as an ordinal, "33rd": {{ value|floatformat:0|ordinal }}."""
    return ordinal(floatformat(value, 0))
