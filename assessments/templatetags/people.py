"""Template filters for the people and account pages."""

import datetime

from django import template

register = template.Library()


@register.filter
def duration(value) -> str:
    """A timedelta in plain words: "30 minutes", "1 hour 30 minutes", "2 hours"."""
    if not isinstance(value, datetime.timedelta):
        return ""
    minutes = round(value.total_seconds() / 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes or not hours:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)
