"""Character extents `(start, end)`, half-open: the one overlap test every extractor uses."""

from __future__ import annotations

from collections.abc import Iterable

Extent = tuple[int, int]


def overlaps(a: Extent, b: Extent) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def overlaps_any(extent: Extent, others: Iterable[Extent]) -> bool:
    start, end = extent
    return any(start < b and a < end for a, b in others)
