"""The terms text as HTML: CommonMark without raw HTML (the text comes from a file NAM loads)."""

from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

_MARKDOWN = MarkdownIt("commonmark", {"html": False})


def terms_html(terms) -> str:
    # Safe: raw HTML in the file is escaped by the renderer ("html": False).
    return mark_safe(_MARKDOWN.render(terms.text))  # noqa: S308
