"""Evidence files beside each indicator of a commitment page (context["evidence"]: a PageEvidence)."""

from django import template

from ..evidence.selectors import evidence_events, links_with_documents

register = template.Library()


@register.inclusion_tag("assessments/evidence/_indicator.html", takes_context=True)
def indicator_evidence(context, indicator):
    evidence = context.get("evidence")
    links = evidence.links.get(indicator.pk, []) if evidence else []
    linked = {link.document_id for link in links}
    return {
        "indicator": indicator,
        "links": links,
        "choices": [d for d in evidence.documents if d.pk not in linked] if evidence else [],
        "evidence": evidence,
        "can_edit": context.get("can_edit") and not context.get("read_only"),
        "organization": context["organization"],
        "cycle": context["cycle"],
    }


@register.inclusion_tag("assessments/evidence/_forms.html", takes_context=True)
def evidence_forms(context, items):
    """The upload, reuse and remove forms, outside the answers form (HTML forms do not nest); the controls
    beside each indicator name them with their form attribute."""
    evidence = context.get("evidence")
    return {
        "indicators": [item["row"].indicator for item in items],
        "links": [link for links in (evidence.links.values() if evidence else []) for link in links],
        "can_edit": context.get("can_edit") and not context.get("read_only"),
        "organization": context["organization"],
        "cycle": context["cycle"],
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag
def evidence_history(assessment):
    """The history page's evidence events (one query), without a change to the history view."""
    return evidence_events(assessment)


@register.inclusion_tag("assessments/evidence/_review_files.html", takes_context=True)
def review_evidence(context, assessment, indicator):
    """An indicator's files on NAM's review page: the assessment's links are read once per page render."""
    key = ("evidence-links", assessment.pk)
    if key not in context.render_context:
        by_indicator = {}
        for link in links_with_documents(assessment):
            by_indicator.setdefault(link.indicator_id, []).append(link)
        context.render_context[key] = by_indicator
    links = context.render_context[key].get(indicator.pk, [])
    return {"links": links, "organization": assessment.organization}
