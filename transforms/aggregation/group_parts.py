"""A group's parts on their way to its one shuffle: its records' stats and its cause answers.

A group's records are analysed in the chunks' stage and its answers come from the cause lookups'
stage (beam_causes.py); both are values of the group's key and meet in one GroupByKey. Each stage
merges its own values of a key before handing them on (`HeldGroups`, one bundle's groups, handed on
when the bundle ends or holds `HELD_GROUPS`): the shuffle then carries one part a group a bundle.

The parts travel pickled by us, as bytes (`packed`, unpacked by `merged_parts`). Beam's local runner
materialises a Flatten of two stages' outputs: each element is decoded and encoded again on its way
from the Flatten to the GroupByKey, which for a GroupParts is a full unpickling and pickling (about
10 µs), and for bytes a copy. (A lifted CombinePerKey over the Flatten did not lift either: every
record and every answer was encoded twice.)
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Iterator
from typing import Any

from statuslens.transforms.aggregation.cause_lookup import GroupAnswers
from statuslens.transforms.model.groups import GroupStats, Sample

__all__ = ["HELD_GROUPS", "GroupParts", "HeldGroups", "merged_parts", "packed"]

HELD_GROUPS = 10_000  # groups a bundle holds (about 2.3 KB each) before it hands their parts on


class GroupParts:
    """A group's records so far (`GroupStats`) and its answers so far; each None until one arrives
    (a bucket's answers alone are pickled without an empty GroupStats beside them)."""

    __slots__ = ("answers", "stats")

    def __init__(self, stats: GroupStats | None = None, answers: GroupAnswers | None = None) -> None:
        self.stats = stats
        self.answers = answers

    def add_sample(self, sample: Sample) -> None:
        if self.stats is None:
            self.stats = GroupStats()
        order, record, explanation = sample
        self.stats.add(order, record, explanation)

    def merge(self, other: GroupParts) -> GroupParts:
        """Add `other`'s values to these; `other` is only read."""
        if other.stats is not None:
            self.stats = (self.stats if self.stats is not None else GroupStats()).merge(other.stats)
        if other.answers is not None:
            self.answers = (self.answers if self.answers is not None else GroupAnswers()).merge(other.answers)
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return GroupParts, (self.stats, self.answers)


def packed(parts: GroupParts) -> bytes:
    """The parts as the shuffle carries them."""
    return pickle.dumps(parts, protocol=pickle.HIGHEST_PROTOCOL)


def merged_parts(values: Iterable[bytes]) -> GroupParts:
    """One group's `packed` parts (from every bundle and bucket), unpacked and merged."""
    parts = map(pickle.loads, values)
    merged: GroupParts = next(parts, None) or GroupParts()
    for other in parts:
        merged.merge(other)
    return merged


class HeldGroups:
    """One bundle's group parts by key (plain tuples: the shuffle key), merged as records arrive."""

    __slots__ = ("_parts",)

    def __init__(self) -> None:
        self._parts: dict[tuple[Any, ...], GroupParts] = {}

    def add(self, key: tuple[Any, ...], sample: Sample) -> None:
        parts = self._parts.get(key)
        if parts is None:
            parts = self._parts[key] = GroupParts()
        parts.add_sample(sample)

    @property
    def full(self) -> bool:
        return len(self._parts) >= HELD_GROUPS

    def take(self) -> Iterator[tuple[tuple[Any, ...], bytes]]:
        """Every held (key, packed parts), once; the bundle holds none after."""
        parts, self._parts = self._parts, {}
        return ((key, packed(held)) for key, held in parts.items())
