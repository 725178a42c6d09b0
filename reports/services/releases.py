"""Publishing benchmark releases: the frozen, numbered snapshots of a cycle's results that peer figures come
from (reports/disclosure.py says why; reports/releases.py reads them).

A release is refused when fewer than BENCHMARK_MIN_PEERS results were added, changed or withdrawn since the
previous release of the cycle, so that no two consecutive releases can be differenced down to one
organization. Scores are computed here, from the responses, by reports.scores: publishing is the one moment
peer figures change, so there is no live benchmark table to keep in step with every save.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assessments.models import Assessment, AssessmentCycle, Organization
from assessments.terms.selectors import withdrawn_organization_ids

from ..disclosure import Changes, current_rules, release_changes, release_refusal
from ..models import BenchmarkRelease, ReleasedResult
from ..releases import ATTRIBUTES
from ..scores import scores_for_assessments

CHUNK = 2000  # assessments scored per step (bounded SQL parameter lists and memory)
COUNTED_STATUSES = {
    BenchmarkRelease.Inclusion.VALIDATED: (Assessment.Status.VALIDATED,),
    BenchmarkRelease.Inclusion.SUBMITTED: (Assessment.Status.SUBMITTED, Assessment.Status.VALIDATED),
}


class ReleaseRefused(ValidationError):
    """The release would let two consecutive releases be differenced (the message says how many more)."""


def default_inclusion() -> str:
    """BENCHMARK_INCLUDE_SUBMITTED is the default of each release's choice."""
    if settings.BENCHMARK_INCLUDE_SUBMITTED:
        return BenchmarkRelease.Inclusion.SUBMITTED
    return BenchmarkRelease.Inclusion.VALIDATED


def current_results(*, cycle: AssessmentCycle, inclusion: str) -> dict[int, dict]:
    """{organization id: the fields of its ReleasedResult as it would be published now}."""
    statuses = COUNTED_STATUSES[BenchmarkRelease.Inclusion(inclusion)]
    assessments = list(
        Assessment.objects.filter(cycle=cycle, status__in=statuses)
        .exclude(organization_id__in=withdrawn_organization_ids())  # withdrawn: out of every later release
        .select_related("cycle", "organization")
        .order_by("pk")
    )
    results = {}
    for start in range(0, len(assessments), CHUNK):
        chunk = assessments[start : start + CHUNK]
        scores = scores_for_assessments(chunk)
        for assessment in chunk:
            values = scores[assessment.pk].benchmark_values()
            if not values:
                continue  # nothing scored (every indicator N/A): nothing to compare with
            org = assessment.organization
            results[org.pk] = {
                "organization_id": org.pk,
                "parent_id": org.parent_id,
                "validated": assessment.status == Assessment.Status.VALIDATED,
                **{name: getattr(org, name) for name in ATTRIBUTES},
                "scores": values,
            }
    return results


def _comparable(row: dict) -> tuple:
    # What the figures follow: the scores and the attributes that place the result in groups.
    return (tuple(row[name] for name in ATTRIBUTES), tuple(sorted(row["scores"].items())))


@dataclass(frozen=True)
class ReleasePreview:
    cycle: AssessmentCycle
    inclusion: str
    number: int
    previous: BenchmarkRelease | None
    changes: Changes
    n_organizations: int
    refusal: str  # why it cannot be published ("" when it can)
    names: dict  # organization id -> name, for the lists NAM staff see
    results: dict  # organization id -> released fields (what publishing writes)

    @property
    def inclusion_label(self) -> str:
        return BenchmarkRelease.Inclusion(self.inclusion).label

    def named(self, ids) -> list[str]:
        return sorted(self.names.get(i, f"organization {i}") for i in ids)


def release_preview(*, cycle: AssessmentCycle, inclusion: str | None = None) -> ReleasePreview:
    """What publishing a release of the cycle now would change, and whether it is allowed."""
    inclusion = inclusion or default_inclusion()
    if inclusion not in BenchmarkRelease.Inclusion.values:
        raise ValidationError({"inclusion": "Choose validated or submitted results."})
    previous = cycle.benchmark_releases.order_by("-number").first()
    current = current_results(cycle=cycle, inclusion=inclusion)
    before = {}
    if previous is not None:
        for row in previous.results.values("organization_id", "scores", *ATTRIBUTES):
            before[row["organization_id"]] = _comparable(row)
    changes = release_changes(before, {o: _comparable(row) for o, row in current.items()})
    ids = set(changes.added) | set(changes.changed) | set(changes.withdrawn)
    return ReleasePreview(
        cycle=cycle,
        inclusion=inclusion,
        number=previous.number + 1 if previous else 1,
        previous=previous,
        changes=changes,
        n_organizations=len(current),
        refusal=release_refusal(changes, current_rules(), first=previous is None),
        names=dict(Organization.objects.filter(pk__in=ids).values_list("pk", "name")),
        results=current,
    )


@transaction.atomic
def release_publish(
    *, cycle: AssessmentCycle, inclusion: str | None = None, user=None, final: bool = False
) -> BenchmarkRelease:
    """Freeze the cycle's counted results as its next release (raises ReleaseRefused when too few changed)."""
    AssessmentCycle.objects.select_for_update().get(pk=cycle.pk)  # one publisher at a time numbers releases
    preview = release_preview(cycle=cycle, inclusion=inclusion)
    if preview.refusal:
        raise ReleaseRefused(preview.refusal)
    release = BenchmarkRelease.objects.create(
        cycle=cycle,
        number=preview.number,
        inclusion=preview.inclusion,
        is_final=final,
        published_at=timezone.now(),
        published_by=user if user is not None and user.is_authenticated else None,
        n_organizations=preview.n_organizations,
        n_added=len(preview.changes.added),
        n_changed=len(preview.changes.changed),
        n_withdrawn=len(preview.changes.withdrawn),
    )
    ReleasedResult.objects.bulk_create(
        [ReleasedResult(release=release, **row) for row in preview.results.values()], batch_size=2000
    )
    return release
