"""What a score says and what it hides (issue 19, items 10 and 11).

A mean of levels hides weak spots (5, 5 and 1 average 3.67, "3 Defined"), so every commitment is shown with
its levels and its lowest indicator. And with 30 indicators the overall score moves in steps of 0.033, so a
change is said in indicator levels ("one indicator up one level"), and a change smaller than one level on one
indicator is "no change".

Changes are counted net: two indicators up one level and one down one level is "one indicator up one level".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.contrib.humanize.templatetags.humanize import apnumber

from assessments.models import Response
from commitments.models import level_label
from reports.scores import AssessmentScores, CommitmentScore, to_decimal

NO_CHANGE = "no change"


@dataclass(frozen=True)
class Change:
    """A score's change since the previous cycle."""

    difference: Decimal  # rounded to two places; 0.00 when it is "no change"
    phrase: str  # "one indicator up one level", "three indicator levels down", "no change", ...

    @property
    def is_no_change(self) -> bool:
        return self.phrase == NO_CHANGE

    @property
    def direction(self) -> int:
        return 0 if self.is_no_change else (1 if self.difference > 0 else -1)


def levels_phrase(net: int) -> str:
    """A net number of indicator levels in words."""
    if net == 0:
        return NO_CHANGE
    way = "up" if net > 0 else "down"
    if abs(net) == 1:
        return f"one indicator {way} one level"
    return f"{apnumber(abs(net))} indicator levels {way}"


def _rated_phrase(now: int, before: int) -> str:
    return f"{now} indicator{'s' if now != 1 else ''} rated now, {before} before"


def commitment_change(now: CommitmentScore | None, before: CommitmentScore | None) -> Change | None:
    """The change of one commitment's score; None when either cycle has no score for it."""
    if now is None or before is None or now.exact is None or before.exact is None:
        return None
    delta = now.exact - before.exact
    # One level on one of its indicators moves the score by 1 / (indicators rated).
    if abs(delta) < Fraction(1, now.applicable):
        return Change(Decimal("0.00"), NO_CHANGE)
    if now.applicable == before.applicable:
        phrase = levels_phrase(now.level_sum - before.level_sum)
    else:
        phrase = _rated_phrase(now.applicable, before.applicable)
    return Change(to_decimal(delta), phrase)


def overall_change(now: AssessmentScores | None, before: AssessmentScores | None) -> Change | None:
    """The change of the overall score: the mean of the commitment scores, each weighing the same."""
    if now is None or before is None or now.overall_exact is None or before.overall_exact is None:
        return None
    delta = now.overall_exact - before.overall_exact
    scored = [c for c in now.commitments if c.exact is not None]
    # One level on one indicator of commitment c moves the overall by 1 / (commitments x c's indicators):
    # the smallest such step is the threshold below which nothing changed.
    smallest_step = min(Fraction(1, len(scored) * c.applicable) for c in scored)
    if abs(delta) < smallest_step:
        return Change(Decimal("0.00"), NO_CHANGE)
    earlier = {c.slug: c for c in before.commitments if c.exact is not None}
    same_indicators = set(earlier) == {c.slug for c in scored} and all(
        earlier[c.slug].applicable == c.applicable for c in scored
    )
    if not same_indicators:
        phrase = _rated_phrase(sum(c.applicable for c in scored), sum(c.applicable for c in earlier.values()))
    else:
        net = sum(c.level_sum for c in scored) - sum(c.level_sum for c in earlier.values())
        # Net zero with a moved score: levels moved between commitments of different sizes.
        phrase = (
            levels_phrase(net)
            if net
            else "as many indicator levels up as down, in commitments of different sizes"
        )
    return Change(to_decimal(delta), phrase)


def levels_text(levels: tuple[int, ...]) -> str:
    """A commitment's levels, highest first: "5, 5, 1"; with more than six indicators, counted."""
    rated = sum(levels)
    if not rated:
        return ""
    if rated <= 6:
        return ", ".join(str(level) for level in range(5, 0, -1) for _ in range(levels[level - 1]))
    return ", ".join(f"{levels[level - 1]} at {level}" for level in range(5, 0, -1) if levels[level - 1])


@dataclass(frozen=True)
class Lowest:
    """A commitment's lowest-rated indicator (the first in rubric order among equals)."""

    code: str
    title: str
    level: int
    others_at_level: int  # other indicators of the commitment at the same level
    all_equal: bool  # every rated indicator of the commitment is at this level

    @property
    def level_label(self) -> str:
        return level_label(self.level)


def lowest_of(rows: Iterable[tuple[str, str, str, int | None]]) -> dict[str, Lowest]:
    """commitment slug -> its lowest indicator, from (slug, code, title, level) rows in rubric order."""
    by_slug: dict[str, list[tuple[str, str, int]]] = {}
    for slug, code, title, level in rows:
        if level is not None:
            by_slug.setdefault(slug, []).append((code, title, level))
    result = {}
    for slug, rated in by_slug.items():
        low = min(level for _, _, level in rated)
        code, title, _ = next(row for row in rated if row[2] == low)
        at_low = sum(1 for row in rated if row[2] == low)
        result[slug] = Lowest(code, title, low, at_low - 1, at_low == len(rated))
    return result


def lowest_indicators(assessment) -> dict[str, Lowest]:
    """The lowest indicator of each commitment of an assessment (one query)."""
    return lowest_of(
        Response.objects.filter(assessment=assessment, level__isnull=False)
        .order_by("indicator__commitment__order", "indicator__order")
        .values_list("indicator__commitment__slug", "indicator__code", "indicator__title", "level")
    )
