from django import template

from assessments.terms.services import terms_block_reason

register = template.Library()


@register.inclusion_tag("assessments/terms/_notice.html")
def terms_notice(organization):
    """A warning with a link when the organization must accept the participation terms before submitting."""
    return {"organization": organization, "block_reason": terms_block_reason(organization)}
