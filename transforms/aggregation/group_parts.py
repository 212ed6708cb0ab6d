"""A group's parts on their way to one place: its records' stats and its cause answers.

A group's records are analysed in the chunks' stage and its answers come from the cause lookups'
stage (beam_causes.py); both are values of the group's key and meet in one place: a partition's
files (beam_part_files.py, a run with a temporary folder) or a GroupByKey. Each stage merges its
own values of a key before handing them on (`HeldGroups`, one bundle's groups, handed on when the
bundle ends or holds `HELD_GROUPS`): one part a group a bundle.

The parts travel pickled by us, one at a time, as bytes (`packed`, unpacked by `merged_parts`).
Beam's local runner materialises a Flatten of two stages' outputs: each element is decoded and
encoded again on its way from the Flatten to the GroupByKey, which for a GroupParts is a full
unpickling and pickling (about 10 µs), and for bytes a copy. (A lifted CombinePerKey over the
Flatten did not lift either: every record and every answer was encoded twice.) In files, a list
of packed parts also beat one pickle of the list (memoising every object of 100,000 groups: 16.5
against 19.8 CPU-s in alternated runs).
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Iterator
from typing import Any, Generic

from statuslens.transforms.aggregation.cause_lookup import GroupAnswers
from statuslens.transforms.model.groups import GroupStats, Sample
from statuslens.transforms.model.mergeable import M, merged

__all__ = ["HELD_GROUPS", "GroupParts", "Held", "HeldGroups", "merged_packed", "merged_parts", "packed"]

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


def packed(value: Any) -> bytes:
    """A held value as the shuffle carries it."""
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def merged_packed(values: Iterable[bytes]) -> Any:
    """One key's `packed` values (from every bundle), unpacked and merged (None for none)."""
    return merged(map(pickle.loads, values))


def merged_parts(values: Iterable[bytes]) -> GroupParts:
    """One group's `packed` parts (from every bundle and bucket), unpacked and merged."""
    found: GroupParts | None = merged_packed(values)
    return found if found is not None else GroupParts()


class Held(Generic[M]):
    """One bundle's values by key (plain tuples: a shuffle key), merged as they arrive and handed on
    `packed` when the bundle ends or holds `HELD_GROUPS` keys: like a lifted combiner, with a bound
    on what is held (Beam's holds up to 100,000 keys: 100,000 proposed rows' evidence was 180 MB)."""

    __slots__ = ("_values",)

    def __init__(self) -> None:
        self._values: dict[tuple[Any, ...], M] = {}

    def merge(self, key: tuple[Any, ...], value: M) -> None:
        """Hold `value` (an input the holder owns from here on), merged with the key's held one."""
        found = self._values.get(key)
        self._values[key] = value if found is None else found.merge(value)

    @property
    def full(self) -> bool:
        return len(self._values) >= HELD_GROUPS

    def take(self) -> Iterator[tuple[tuple[Any, ...], bytes]]:
        """Every held (key, packed value), once; the bundle holds none after."""
        values, self._values = self._values, {}
        return ((key, packed(value)) for key, value in values.items())


class HeldGroups(Held[GroupParts]):
    """One bundle's anomaly groups: each record's sample added to its group's parts."""

    __slots__ = ()

    def add(self, key: tuple[Any, ...], sample: Sample) -> None:
        parts = self._values.get(key)
        if parts is None:
            parts = self._values[key] = GroupParts()
        parts.add_sample(sample)
