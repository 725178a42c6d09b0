"""Reading benchmark releases: which release is in effect, and each peer group's scores in it, cached.

A published release never changes, so everything read from it is cached under lhs_portal.cache's
release_version(release) and nothing is ever invalidated. What is cached is a GROUP (its members and its
sorted scores), never a viewer's view: reports.disclosure derives each viewer's figures from it exactly.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass

from django.db.models import Max, OuterRef, Q, Subquery

from assessments.models import Organization
from lhs_portal.cache import get_many_or_compute, release_version

from .models import BenchmarkRelease, ReleasedResult

ATTRIBUTES = ("org_type", "size_band", "region", "ownership", "is_teaching", "is_rural")


@dataclass(frozen=True)
class GroupData:
    members: frozenset  # organization ids
    scores: dict  # slug -> array("d") of the members' scores, sorted


def latest_releases(cycle_ids) -> dict[int, BenchmarkRelease]:
    """{cycle_id: the cycle's latest release} in one query (cycles without a release are left out)."""
    cycle_ids = list(cycle_ids)
    if not cycle_ids:
        return {}
    latest = (
        BenchmarkRelease.objects.filter(cycle_id=OuterRef("cycle_id"))
        .order_by()
        .values("cycle_id")
        .annotate(top=Max("number"))
        .values("top")
    )
    return {
        r.cycle_id: r
        for r in BenchmarkRelease.objects.filter(
            cycle_id__in=cycle_ids, number=Subquery(latest)
        ).select_related("cycle")
    }


def group_data(keys: dict) -> dict:
    """{name: GroupData} for names mapping to (release, field name or None, value): one cache round trip;
    the missing groups computed from one query per release."""
    items = {
        name: (release_version(release), (field, value)) for name, (release, field, value) in keys.items()
    }

    def compute(missing):
        by_release = {}
        for name in missing:
            release = keys[name][0]
            by_release.setdefault(release.pk, []).append(name)
        out = {}
        for release_id, names in by_release.items():
            rows = list(
                ReleasedResult.objects.filter(release_id=release_id).values(
                    "organization_id", "scores", *ATTRIBUTES
                )
            )
            for name in names:
                _, field, value = keys[name]
                out[name] = group_of(rows, field, value)
        return out

    return get_many_or_compute("release-group", items, compute)


def group_of(rows, field, value) -> GroupData:
    chosen = [r for r in rows if field is None or r[field] == value]
    scores: dict[str, list] = {}
    for row in chosen:
        for slug, score in row["scores"].items():
            scores.setdefault(slug, []).append(score)
    return GroupData(
        members=frozenset(r["organization_id"] for r in chosen),
        scores={slug: array("d", sorted(values)) for slug, values in scores.items()},
    )


def affiliate_results(organization, releases) -> tuple[dict, list]:
    """The viewer's own and its affiliates' released results ({release_id: {organization_id: row}}), and the
    (id, parent id) of its live affiliates: two queries. The live ones count too, so that an organization
    that joined the system after a release is still not a peer of its new sisters."""
    family = (
        {organization.pk} if organization.parent_id is None else {organization.pk, organization.parent_id}
    )
    live = list(Organization.objects.filter(parent_id__in=family).values_list("id", "parent_id"))
    rows = ReleasedResult.objects.filter(release__in=[r.pk for r in releases]).filter(
        Q(organization_id__in=family | {o for o, _ in live}) | Q(parent_id__in=family)
    )
    out: dict[int, dict] = {}
    for row in rows.only("release_id", "organization_id", "parent_id", "scores"):
        out.setdefault(row.release_id, {})[row.organization_id] = row
    return out, live
