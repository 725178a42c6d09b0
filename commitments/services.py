"""Writes to the rubric: loading a version from its file, publishing and retiring versions."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, ProtectedError
from django.utils import timezone

from .loader import RubricFileError, RubricSpec
from .models import Commitment, ComplianceItem, Indicator, LevelDescriptor, Rubric, RubricImmutableError

# Orders are unique per parent; while rewriting a draft they are first moved out of the way.
_ORDER_SHIFT = 10_000


class RubricStateError(RubricImmutableError):
    """An operation that the rubric's status does not allow (publishing a published version ...)."""


@dataclass(frozen=True)
class LoadResult:
    rubric: Rubric
    action: str  # "created", "updated" or "unchanged"
    published: bool  # published by this load
    commitments: int
    indicators: int
    descriptors: int

    @property
    def changed(self) -> bool:
        return self.action != "unchanged" or self.published

    def summary(self) -> str:
        state = self.action
        if self.published:
            state += ", published"
        elif self.rubric.status != Rubric.Status.PUBLISHED:
            state += f", {self.rubric.get_status_display().lower()}"
        return (
            f"Rubric {self.rubric.version}: {self.commitments} commitments, {self.indicators} indicators, "
            f"{self.descriptors} descriptors ({state})"
        )


# ------------------------------------------------------------------------------------------ content


def _spec_content(spec: RubricSpec) -> dict:
    return {
        "title": spec.title,
        "previous": spec.previous,
        "rating_rule": spec.rating_rule,
        "content_statement": spec.content_statement,
        "commitments": [
            {
                "slug": c.slug,
                "name": c.name,
                "definition": c.definition,
                **{key: getattr(c, key) for key in _COMMITMENT_EXTRAS},
                "indicators": [
                    {
                        "code": i.code,
                        "title": i.title,
                        "guidance": i.guidance,
                        "continues": i.continues,
                        "applies_to": list(i.applies_to),
                        "levels": dict(i.levels),
                    }
                    for i in c.indicators
                ],
            }
            for c in spec.commitments
        ],
        "compliance": [
            {
                "code": item.code,
                "title": item.title,
                "basis": item.basis,
                "guidance": item.guidance,
                "applies_to": list(item.applies_to),
            }
            for item in spec.compliance
        ],
    }


_COMMITMENT_EXTRAS = ("definition_source", "framework_name", "framework_definition", "framework_source")


def _stored_content(rubric: Rubric) -> dict:
    """The rubric's content in the shape of `_spec_content`, in three queries."""
    levels: dict[int, dict[int, str]] = {}
    for indicator_id, level, text in LevelDescriptor.objects.filter(
        indicator__commitment__rubric=rubric
    ).values_list("indicator_id", "level", "text"):
        levels.setdefault(indicator_id, {})[level] = text
    indicators: dict[int, list[dict]] = {}
    for row in (
        Indicator.objects.of_rubric(rubric)
        .order_by("commitment_id", "order")
        .values("id", "commitment_id", "code", "title", "guidance", "continues__code", "applies_to")
    ):
        indicators.setdefault(row["commitment_id"], []).append(
            {
                "code": row["code"],
                "title": row["title"],
                "guidance": row["guidance"],
                "continues": row["continues__code"],
                "applies_to": row["applies_to"],
                "levels": levels.get(row["id"], {}),
            }
        )
    return {
        "title": rubric.title,
        "previous": rubric.previous.version if rubric.previous_id else None,
        "rating_rule": rubric.rating_rule,
        "content_statement": rubric.content_statement,
        "commitments": [
            {
                "slug": c["slug"],
                "name": c["name"],
                "definition": c["definition"],
                **{key: c[key] for key in _COMMITMENT_EXTRAS},
                "indicators": indicators.get(c["id"], []),
            }
            for c in rubric.commitments.order_by("order").values(
                "id", "slug", "name", "definition", *_COMMITMENT_EXTRAS
            )
        ],
        "compliance": list(
            rubric.compliance_items.order_by("order").values(
                "code", "title", "basis", "guidance", "applies_to"
            )
        ),
    }


def first_difference(stored, wanted, where: str = "") -> str | None:
    """The place (``commitments[0].indicators[1].levels[3]``) where two contents first differ."""
    if isinstance(stored, dict) and isinstance(wanted, dict):
        for key in wanted.keys() | stored.keys():
            if key not in stored or key not in wanted:
                return f"{where}[{key}]" if isinstance(key, int) else f"{where}.{key}".lstrip(".")
        for key in wanted:
            place = f"{where}[{key}]" if isinstance(key, int) else f"{where}.{key}".lstrip(".")
            found = first_difference(stored[key], wanted[key], place)
            if found:
                return found
        return None
    if isinstance(stored, list) and isinstance(wanted, list):
        for index, (a, b) in enumerate(zip(stored, wanted, strict=False)):
            found = first_difference(a, b, f"{where}[{index}]")
            if found:
                return found
        if len(stored) != len(wanted):
            return f"{where} (the file has {len(wanted)}, the database {len(stored)})"
        return None
    return None if stored == wanted else (where or "top level")


# --------------------------------------------------------------------------------------------- load


@transaction.atomic
def rubric_load(*, spec: RubricSpec, publish: bool = False) -> LoadResult:
    """Create or update the rubric version described by `spec` (a draft, or published with `publish`).

    Loading the same content again changes nothing. A published or retired version can only be
    "loaded" again with identical content; anything else raises RubricFileError and writes nothing.
    """
    previous = Rubric.objects.get(version=spec.previous) if spec.previous else None
    rubric = Rubric.objects.select_for_update().filter(version=spec.version).first()
    wanted = _spec_content(spec)
    statements = {"rating_rule": spec.rating_rule, "content_statement": spec.content_statement}
    if rubric is None:
        rubric = Rubric.objects.create(
            version=spec.version, title=spec.title, previous=previous, **statements
        )
        _write_content(rubric, spec, previous)
        action = "created"
    else:
        difference = first_difference(_stored_content(rubric), wanted)
        if difference is None:
            action = "unchanged"
        elif rubric.is_locked:
            raise RubricFileError(
                [
                    f"version {rubric.version} is {rubric.get_status_display().lower()} and differs from "
                    f"the file; give the changes a new version (first difference: {difference})"
                ]
            )
        else:
            rubric.title = spec.title
            rubric.previous = previous
            rubric.rating_rule = spec.rating_rule
            rubric.content_statement = spec.content_statement
            rubric.save(update_fields=["title", "previous", *statements])
            _write_content(rubric, spec, previous)
            action = "updated"
    published = False
    if publish and rubric.status == Rubric.Status.DRAFT:
        rubric = rubric_publish(rubric=rubric)
        published = True
    return LoadResult(
        rubric=rubric,
        action=action,
        published=published,
        commitments=len(spec.commitments),
        indicators=spec.indicator_count,
        descriptors=spec.descriptor_count,
    )


def _write_content(rubric: Rubric, spec: RubricSpec, previous: Rubric | None) -> None:
    """Make the draft's rows match `spec`, keeping the ids of commitments and indicators that stay."""
    predecessors = (
        {i.code: i for i in Indicator.objects.of_rubric(previous).only("id", "code")} if previous else {}
    )
    Commitment.objects.filter(rubric=rubric).update(order=F("order") + _ORDER_SHIFT)
    Indicator.objects.of_rubric(rubric).update(order=F("order") + _ORDER_SHIFT)
    commitments = {c.slug: c for c in rubric.commitments.all()}
    indicators = {i.code: i for i in Indicator.objects.of_rubric(rubric)}
    descriptors = {
        (d.indicator_id, d.level): d
        for d in LevelDescriptor.objects.filter(indicator__commitment__rubric=rubric)
    }
    kept_commitments, kept_indicators, new_descriptors = set(), set(), []
    for c_order, c_spec in enumerate(spec.commitments, start=1):
        commitment = commitments.get(c_spec.slug) or Commitment(rubric=rubric, slug=c_spec.slug)
        _save_if_changed(
            commitment,
            order=c_order,
            name=c_spec.name,
            definition=c_spec.definition,
            **{key: getattr(c_spec, key) for key in _COMMITMENT_EXTRAS},
        )
        kept_commitments.add(commitment.pk)
        for i_order, i_spec in enumerate(c_spec.indicators, start=1):
            indicator = indicators.get(i_spec.code) or Indicator(code=i_spec.code)
            _save_if_changed(
                indicator,
                commitment=commitment,
                order=i_order,
                title=i_spec.title,
                guidance=i_spec.guidance,
                continues=predecessors.get(i_spec.continues) if i_spec.continues else None,
                applies_to=list(i_spec.applies_to),
            )
            kept_indicators.add(indicator.pk)
            for level, text in i_spec.levels.items():
                descriptor = descriptors.get((indicator.pk, level))
                if descriptor is None:
                    new_descriptors.append(LevelDescriptor(indicator=indicator, level=level, text=text))
                else:
                    _save_if_changed(descriptor, text=text)
    try:
        Indicator.objects.of_rubric(rubric).exclude(pk__in=kept_indicators).delete()
        Commitment.objects.filter(rubric=rubric).exclude(pk__in=kept_commitments).delete()
    except ProtectedError:
        raise RubricFileError(
            [
                f"version {rubric.version} is a draft that assessments already answered; "
                "its commitments and indicators cannot be removed"
            ]
        ) from None
    LevelDescriptor.objects.bulk_create(new_descriptors)
    _write_compliance(rubric, spec)


def _write_compliance(rubric: Rubric, spec: RubricSpec) -> None:
    """Make the draft's compliance items match `spec`, keyed by code."""
    ComplianceItem.objects.filter(rubric=rubric).update(order=F("order") + _ORDER_SHIFT)
    items = {item.code: item for item in ComplianceItem.objects.filter(rubric=rubric)}
    kept = set()
    for order, item_spec in enumerate(spec.compliance, start=1):
        item = items.get(item_spec.code) or ComplianceItem(rubric=rubric, code=item_spec.code)
        _save_if_changed(
            item,
            order=order,
            title=item_spec.title,
            basis=item_spec.basis,
            guidance=item_spec.guidance,
            applies_to=list(item_spec.applies_to),
        )
        kept.add(item.pk)
    try:
        ComplianceItem.objects.filter(rubric=rubric).exclude(pk__in=kept).delete()
    except ProtectedError:
        raise RubricFileError(
            [
                f"version {rubric.version} is a draft that assessments already attested; "
                "its legal requirements cannot be removed"
            ]
        ) from None


def _save_if_changed(obj, **values) -> None:
    changed = obj.pk is None
    for name, value in values.items():
        current = getattr(obj, f"{name}_id") if name in ("commitment", "continues") else getattr(obj, name)
        new = value.pk if name in ("commitment", "continues") and value is not None else value
        if current != new:
            setattr(obj, name, value)
            changed = True
    if changed:
        obj.save()


# ------------------------------------------------------------------------------------------- status


def rubric_check_complete(rubric: Rubric) -> list[str]:
    """What keeps a draft from being published: commitments without indicators, missing levels."""
    problems = []
    commitments = list(rubric.commitments.order_by("order").prefetch_related("indicators__descriptors"))
    if not commitments:
        problems.append(f"Rubric {rubric.version} has no commitments.")
    for commitment in commitments:
        indicators = list(commitment.indicators.all())
        if not indicators:
            problems.append(f"{commitment.name} has no indicators.")
        for indicator in indicators:
            levels = sorted(d.level for d in indicator.descriptors.all())
            if levels != [1, 2, 3, 4, 5]:
                problems.append(f"{indicator.code} needs a descriptor for each of the levels 1-5.")
    return problems


@transaction.atomic
def rubric_publish(*, rubric: Rubric) -> Rubric:
    """Publish a complete draft: from now on its content can never change."""
    rubric = Rubric.objects.select_for_update().get(pk=rubric.pk)
    if rubric.status != Rubric.Status.DRAFT:
        raise RubricStateError(f"Rubric {rubric.version} is already {rubric.get_status_display().lower()}.")
    problems = rubric_check_complete(rubric)
    if problems:
        raise RubricStateError(problems)
    rubric.status = Rubric.Status.PUBLISHED
    rubric.published_at = timezone.now()
    rubric.save(update_fields=["status", "published_at"])
    return rubric


@transaction.atomic
def rubric_retire(*, rubric: Rubric) -> Rubric:
    """Retire a published version: it stays readable (old assessments use it) but is no longer current."""
    rubric = Rubric.objects.select_for_update().get(pk=rubric.pk)
    if rubric.status != Rubric.Status.PUBLISHED:
        raise RubricStateError(
            f"Only a published rubric can be retired; {rubric.version} is {rubric.status}."
        )
    rubric.status = Rubric.Status.RETIRED
    rubric.save(update_fields=["status"])
    return rubric
