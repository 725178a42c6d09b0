"""The portal's one cache: every key is made here, and each names the version of the data it follows.

Only data that never changes under its version is cached, so nothing is ever invalidated by hand:
- a published (or retired) rubric never changes: its outline and crosswalks follow `rubric_version(rubric)`;
- a benchmark release never changes once published: peer figures follow `release_version(release)`;
- plotly's default template changes only with plotly's version (reports/charts.py `template_for`).
A draft rubric, live scores and anything else that changes without a new version are never cached.

Modelled on djangoproject.com's dashboard/utils.py `generation_key()`: one key function, the version in the
key, hashed detail so any backend accepts it. The code's version is part of every key (CACHE_KEY_PREFIX is
not enough: a deploy with a shared cache must not read entries of the old code), see CODE_VERSION.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

T = TypeVar("T")

# Bump when the shape of any cached value changes (a shared cache outlives a deploy).
CODE_VERSION = "1"
# Versions never change, so an entry only ever expires to free memory.
TIMEOUT_SECONDS = 24 * 3600


def rubric_version(rubric) -> str | None:
    """The version of a rubric's content, or None for a draft (a draft changes: never cached)."""
    if rubric.status == "draft" or rubric.published_at is None:
        return None
    return f"rubric-{rubric.pk}-{rubric.published_at.timestamp():.6f}"


def release_version(release) -> str:
    """The version of a benchmark release: a published release never changes."""
    return f"release-{release.pk}"


def make_key(kind: str, version: str, *detail) -> str:
    """The key of one cached value: its kind, the data version it follows, and a hash of anything else it
    depends on (a peer group, a filter), so that the key suits any cache backend."""
    digest = hashlib.sha256(repr(detail).encode()).hexdigest()[:32]
    return f"lhs:{CODE_VERSION}:{kind}:{version}:{digest}"


def get_or_compute(kind: str, version: str | None, *detail, compute: Callable[[], T]) -> T:
    """The cached value of `compute()` under this version; computed (and not kept) when version is None."""
    if version is None:
        return compute()
    key = make_key(kind, version, *detail)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT_SECONDS)
    return value


def get_many_or_compute(kind: str, items: dict, compute_missing: Callable[[list], dict]) -> dict:
    """Several values at once: items maps a caller's name to (version, detail); compute_missing receives the
    names not cached (or with no version) and returns {name: value}. One cache round trip for the hits."""
    keys = {
        name: make_key(kind, version, *detail)
        for name, (version, detail) in items.items()
        if version is not None
    }
    found = cache.get_many(list(keys.values())) if keys else {}
    result = {name: found[key] for name, key in keys.items() if key in found}
    missing = [name for name in items if name not in result]
    if missing:
        computed = compute_missing(missing)
        result.update(computed)
        to_keep = {keys[name]: value for name, value in computed.items() if name in keys}
        if to_keep:
            cache.set_many(to_keep, TIMEOUT_SECONDS)
    return result
