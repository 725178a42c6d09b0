"""The public pages of the rubric: no sign-in needed, the rubric is published for everyone to read."""

from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import render

from . import selectors
from .models import LEVEL_MEANINGS, MaturityLevel


def _scale():
    """(level, meaning) pairs; a meaning that repeats the level's name ("Defined: a ...") loses the repeat."""
    scale = []
    for level in MaturityLevel:
        meaning = LEVEL_MEANINGS[level.value]
        prefix = f"{level.label}: "
        if meaning.startswith(prefix):
            meaning = meaning[len(prefix) :]
            meaning = meaning[:1].upper() + meaning[1:]
        scale.append((level, meaning))
    return scale


def _version_context(rubric) -> dict:
    """The versions for the switcher, the current one, and the query string that keeps a chosen version."""
    versions = list(selectors.readable_versions().only("version", "status", "published_at"))
    current = next((v for v in versions if v.status == v.Status.PUBLISHED), None)
    is_current = rubric is not None and current is not None and rubric.pk == current.pk
    return {
        "versions": versions,
        "current": current,
        "is_current": is_current,
        "version_query": "" if is_current or rubric is None else f"?{urlencode({'version': rubric.version})}",
    }


def index(request):
    rubric = selectors.rubric_for_display(request.GET.get("version"))
    context = {
        "rubric": rubric,
        **_version_context(rubric),
        "scale": _scale(),
        "commitments": selectors.commitments_with_indicators(rubric) if rubric else [],
    }
    return render(request, "commitments/index.html", context)


def detail(request, slug):
    rubric = selectors.rubric_for_display(request.GET.get("version"))
    if rubric is None:
        raise Http404("No rubric is published yet.")
    commitment = selectors.commitment_detail(rubric, slug)
    before, after = selectors.commitment_neighbours(rubric, commitment)
    context = {
        "rubric": rubric,
        **_version_context(rubric),
        "commitment": commitment,
        "before": before,
        "after": after,
        "scale": _scale(),
    }
    return render(request, "commitments/detail.html", context)
