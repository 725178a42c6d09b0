"""Reads of the rubric for pages and for other apps: the version to show, and the crosswalk between versions.

The crosswalk: when a new rubric version is written, each indicator may name (`Indicator.continues`) the
indicator of the previous version it carries on. Following those links backwards connects indicators
across any number of versions, so that an answer from last cycle can be offered again and a trend can
be drawn for "the same" indicator even when its code or wording changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from lhs_portal.cache import get_or_compute, rubric_version

from .models import Commitment, Indicator, LevelDescriptor, Rubric

# Versions are few and each continues only the one before it; this bounds a walk over bad data.
_MAX_HOPS = 100


def indicator_predecessor(indicator: Indicator, *, in_rubric: Rubric | None = None) -> Indicator | None:
    """The indicator that `indicator` continues, following `continues` links back through versions.

    Without `in_rubric`, the immediate predecessor (in the previous version) or None. With `in_rubric`,
    the predecessor in that (older) version, or None when the chain of `continues` links is broken
    before reaching it. An indicator of `in_rubric` itself is its own predecessor.
    """
    if in_rubric is None:
        return indicator.continues
    current = indicator
    for _ in range(_MAX_HOPS):
        if current is None:
            return None
        if current.commitment.rubric_id == in_rubric.pk:
            return current
        if current.continues_id is None:
            return None
        current = Indicator.objects.select_related("commitment").filter(pk=current.continues_id).first()
    return None


def crosswalk(from_rubric: Rubric, to_rubric: Rubric) -> dict[int, int]:
    """Map the indicators of an older version to those of a newer one: {old_indicator_id: new_indicator_id}.

    An old indicator appears when a chain of `continues` links leads from a new indicator back to it
    (through any versions in between); indicators that were dropped, or new ones without a predecessor,
    are simply absent. The loader allows each indicator to be continued at most once per version, so
    the mapping is one-to-one. For the same version the mapping is the identity. Use it for "copy from
    last cycle" (look up the new indicator of each old response) and for trends across versions.

    Costs two queries per version step between the two, plus one; between locked versions it is kept in the
    portal's cache (lhs_portal/cache.py), following both versions.
    """
    if from_rubric.pk == to_rubric.pk:
        return {pk: pk for pk in rubric_outline(to_rubric).indicator_ids}
    versions = (rubric_version(from_rubric), rubric_version(to_rubric))
    version = None if None in versions else "|".join(versions)  # a draft on either side: never kept
    return get_or_compute("rubric-crosswalk", version, compute=lambda: _crosswalk(from_rubric, to_rubric))


def _crosswalk(from_rubric: Rubric, to_rubric: Rubric) -> dict[int, int]:
    new_ids = list(Indicator.objects.of_rubric(to_rubric).values_list("id", flat=True))
    # frontier: {indicator id in an older version: the new indicator it leads to}
    frontier = {pk: pk for pk in new_ids}
    mapping: dict[int, int] = {}
    for _ in range(_MAX_HOPS):
        rows = Indicator.objects.filter(pk__in=frontier).values_list("id", "continues_id")
        step = {continues_id: frontier[pk] for pk, continues_id in rows if continues_id is not None}
        if not step:
            break
        in_target = dict(
            Indicator.objects.filter(pk__in=step, commitment__rubric=from_rubric).values_list("id", "id")
        )
        mapping.update({old: step[old] for old in in_target})
        frontier = {old: new for old, new in step.items() if old not in in_target}
        if not frontier:
            break
    return mapping


def readable_versions() -> QuerySet[Rubric]:
    """Published and retired versions, newest first, for the version switcher."""
    return Rubric.objects.readable().order_by("-published_at", "-pk")


def rubric_for_display(version: str | None) -> Rubric | None:
    """The published or retired version asked for (404 if there is none such), else the latest published.

    None when nothing is published yet (the page then says so).
    """
    if version:
        rubric = Rubric.objects.readable().filter(version=version).first()
        if rubric is None:
            raise Http404("No such rubric version.")
        return rubric
    return Rubric.objects.latest_published()


def commitments_with_indicators(rubric: Rubric) -> list[Commitment]:
    """The rubric's commitments in order, each with its indicators prefetched (two queries)."""
    return list(
        rubric.commitments.order_by("order").prefetch_related(
            Prefetch("indicators", queryset=Indicator.objects.order_by("order"))
        )
    )


def commitment_detail(rubric: Rubric, slug: str) -> Commitment:
    """One commitment with its indicators, their predecessors and their five level descriptors."""
    queryset = rubric.commitments.prefetch_related(
        Prefetch(
            "indicators",
            queryset=Indicator.objects.order_by("order")
            .select_related("continues__commitment__rubric")
            .prefetch_related(Prefetch("descriptors", queryset=LevelDescriptor.objects.order_by("level"))),
        )
    )
    commitment = queryset.filter(slug=slug).first()
    if commitment is None:
        raise Http404("No such commitment.")
    return commitment


def commitment_neighbours(
    rubric: Rubric, commitment: Commitment
) -> tuple[Commitment | None, Commitment | None]:
    """The commitments before and after `commitment` in the rubric's order, for previous/next links."""
    siblings = list(rubric.commitments.filter(order__in=[commitment.order - 1, commitment.order + 1]))
    by_order = {c.order: c for c in siblings}
    return by_order.get(commitment.order - 1), by_order.get(commitment.order + 1)


# ---------------------------------------------------------------------------------------------------------
# The outline of a rubric, kept in the portal's cache once published


@dataclass(frozen=True)
class RubricOutline:
    """A rubric's commitments in order, each with its indicators in order and their level descriptors."""

    rubric_id: int
    commitments: tuple[Commitment, ...]

    def commitment(self, slug: str) -> Commitment | None:
        return next((c for c in self.commitments if c.slug == slug), None)

    @property
    def indicator_ids(self) -> list[int]:
        return [i.pk for c in self.commitments for i in c.indicators.all()]


def rubric_outline(rubric: Rubric, *, org_type: str | None = None) -> RubricOutline:
    """The rubric's commitments, indicators and descriptors: three queries, or none once a published rubric's
    outline is in the portal's cache (a published or retired rubric never changes: see rubric_version).

    With `org_type`, only the indicators that apply to that organization type (Indicator.applies_to): the
    one place that decides which indicators an organization's assessment shows, answers and is scored on.
    A rubric without restrictions returns the whole outline; otherwise a second outline, cached per type.
    """
    version = rubric_version(rubric)
    whole = get_or_compute("rubric-outline", version, compute=lambda: _outline(rubric, excluded=()))
    if org_type is None:
        return whole
    excluded = tuple(
        i.pk for c in whole.commitments for i in c.indicators.all() if not i.applies_to_type(org_type)
    )
    if not excluded:
        return whole
    return get_or_compute(
        "rubric-outline", version, org_type, compute=lambda: _outline(rubric, excluded=excluded)
    )


def _outline(rubric: Rubric, *, excluded: tuple[int, ...]) -> RubricOutline:
    commitments = tuple(
        Commitment.objects.filter(rubric_id=rubric.pk)
        .order_by("order")
        .prefetch_related(
            Prefetch(
                "indicators",
                queryset=Indicator.objects.exclude(pk__in=excluded)
                .order_by("order")
                .prefetch_related(
                    Prefetch("descriptors", queryset=LevelDescriptor.objects.order_by("level"))
                ),
            )
        )
    )
    return RubricOutline(rubric_id=rubric.pk, commitments=commitments)
