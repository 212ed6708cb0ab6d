"""Counts over time for the report's charts: bucketed histograms that merge like the other counts.

A `Timeline` holds `(bucket, *labels) -> count` cells at one bucket width from a fixed ladder (1 s,
5 s, 15 s, 1 min, … 1 day, then doublings), each width a multiple of the one before. It keeps at most
`MAX_BUCKETS` buckets between its first and last: when a merge or an addition spans more, it moves
up the ladder and adds its cells together. Because every width divides the next and buckets are
aligned to the epoch, the result depends only on the times counted, not on the order of merges or
on how the records were split: a run's merged timeline is the same bytes on any runner and worker
count, like its counts. Nothing of it is in summary.json or anomalies.jsonl.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

__all__ = ["MAX_BUCKETS", "WIDTHS_MS", "Cell", "Timeline"]

_DAY = 86_400_000
WIDTHS_MS: tuple[int, ...] = (
    1_000,
    5_000,
    15_000,
    60_000,
    300_000,
    900_000,
    3_600_000,
    10_800_000,
    21_600_000,
    43_200_000,
    *(_DAY << n for n in range(20)),  # up to 2**19 days: any time a log can carry
)
MAX_BUCKETS = 120  # from first to last, the bars of one chart

Cell = tuple[Any, ...]  # (bucket index at the timeline's width, *labels)


class Timeline:
    """Cells `(bucket, *labels) -> count` at `WIDTHS_MS[level]`; empty is level 0 with no cells."""

    __slots__ = ("cells", "level")

    def __init__(self, level: int = 0, cells: dict[Cell, int] | None = None) -> None:
        self.level = level
        self.cells: dict[Cell, int] = cells if cells is not None else {}

    @classmethod
    def of_seconds(cls, cells: Mapping[Cell, int]) -> Timeline:
        """A timeline from cells keyed by calendar second (`time_ms // 1000`): what a chunk counted."""
        timeline = cls(0, dict(cells))
        timeline._fit()
        return timeline

    @classmethod
    def of_times(cls, times_ms: Iterable[int]) -> Timeline:
        """One unlabelled count per time (ms)."""
        cells: dict[Cell, int] = {}
        for time_ms in times_ms:
            cell = (time_ms // 1000,)
            cells[cell] = cells.get(cell, 0) + 1
        return cls.of_seconds(cells)

    def add(self, time_ms: int, count: int = 1) -> None:
        """Count one unlabelled time (ms); a new bucket may move the timeline up the ladder."""
        cell = (time_ms // WIDTHS_MS[self.level],)
        found = self.cells.get(cell)
        self.cells[cell] = count if found is None else found + count
        if found is None:
            self._fit()

    @property
    def width_ms(self) -> int:
        return WIDTHS_MS[self.level]

    def __bool__(self) -> bool:
        return bool(self.cells)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Timeline) and (self.level, self.cells) == (other.level, other.cells)

    __hash__ = None  # type: ignore[assignment]  # mutable: merged in place

    def __repr__(self) -> str:
        return f"Timeline(level={self.level}, cells={len(self.cells)})"

    def merge(self, other: Timeline) -> Timeline:
        """Add `other` into this one (at the coarser of the two widths, or coarser still); returns self."""
        if not other.cells:
            return self
        if not self.cells:
            self.level = other.level
        level = max(self.level, other.level)
        self._coarsen(level)
        cells = self.cells
        theirs = other.cells if other.level == level else _coarser(other.cells, other.level, level)
        for cell, count in theirs.items():
            cells[cell] = cells.get(cell, 0) + count
        self._fit()
        return self

    def fitted(self, cap: int) -> Timeline:
        """A copy at the finest level (never finer than this one's) where first..last is at most `cap` buckets."""
        span = self.span()
        level = self.level
        if span is not None:
            low, high = span[0] * WIDTHS_MS[level], span[1] * WIDTHS_MS[level]
            while level + 1 < len(WIDTHS_MS) and high // WIDTHS_MS[level] - low // WIDTHS_MS[level] >= cap:
                level += 1
        return self.at_level(level)

    def at_level(self, level: int) -> Timeline:
        """A copy at `level` (never finer than this one's)."""
        level = max(level, self.level)
        return Timeline(level, _coarser(self.cells, self.level, level) if level != self.level else dict(self.cells))

    def span(self) -> tuple[int, int] | None:
        """The first and last bucket index, or None when empty."""
        if not self.cells:
            return None
        buckets = [cell[0] for cell in self.cells]
        return min(buckets), max(buckets)

    def totals(self, label: int | None = None) -> dict[int, dict[Any, int]]:
        """bucket -> (the label at position `label` of the cell, or None) -> count."""
        out: dict[int, dict[Any, int]] = {}
        for cell, count in self.cells.items():
            name = cell[label] if label is not None else None
            into = out.setdefault(cell[0], {})
            into[name] = into.get(name, 0) + count
        return out

    def __iter__(self) -> Iterator[tuple[Cell, int]]:
        return iter(sorted(self.cells.items()))

    def _coarsen(self, level: int) -> None:
        if level > self.level:
            self.cells = _coarser(self.cells, self.level, level)
            self.level = level

    def _fit(self) -> None:
        """Move up the ladder until first..last is at most MAX_BUCKETS buckets."""
        fitted = self.fitted(MAX_BUCKETS)
        self.level, self.cells = fitted.level, fitted.cells


def _coarser(cells: Mapping[Cell, int], level: int, to: int) -> dict[Cell, int]:
    factor = WIDTHS_MS[to] // WIDTHS_MS[level]
    out: dict[Cell, int] = {}
    for cell, count in cells.items():
        moved = (cell[0] // factor, *cell[1:])
        out[moved] = out.get(moved, 0) + count
    return out
