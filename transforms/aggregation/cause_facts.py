"""What the §8 rules need of a whole run, held as compact integer arrays, and the causes they give.

The rules ask two things of every record of the run (documented ones too): how many calls a
consumer made in a calendar second, and whether a success of the same consumer, method and URL path
followed a record within 60 s. Turning every record into a shuffled element to answer that grows
with the input; instead each chunk fills one `CauseFacts` (8 bytes a record with a consumer, 8 more
for a success), facts merge like counts (a lifted combiner: merged on each worker before anything
is shuffled), and the one merged value answers the lookups with sorted arrays and binary search.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt

from statuslens.transforms.aggregation.causes import (
    RETRY_WINDOW_MS,
    CompactRecord,
    group_causes,
    top_consumers,
    url_path,
)
from statuslens.transforms.model.causes import Cause, ConsumerShare
from statuslens.transforms.model.groups import GroupKey

__all__ = ["CauseFacts", "GroupCauses"]

GroupCauses = tuple[GroupKey, tuple[Cause, ...], tuple[ConsumerShare, ...]]
Ints = npt.NDArray[np.int64]


def _ints() -> array[int]:
    return array("q")


class CauseFacts:
    """Per consumer its calls' calendar seconds; per (consumer, method, URL path) the times of its
    records with an effective code below 400; per anomaly group its records by (consumer, URL path).

    Times are integers in arrays, never objects a record: a million records with consumers cost
    16 MB here, not a million shuffled elements."""

    __slots__ = ("groups", "seconds", "successes")

    def __init__(self) -> None:
        self.seconds: dict[str, array[int]] = {}
        self.successes: dict[tuple[str, str, str], array[int]] = {}
        self.groups: dict[GroupKey, dict[tuple[str | None, str], array[int]]] = {}

    def add_record(self, time_ms: int, consumer: str, method: str, url: str, code: int) -> None:
        """A record of the run that has a consumer (consumer-less records are never looked up)."""
        calls = self.seconds.get(consumer)
        if calls is None:
            calls = self.seconds[consumer] = _ints()
        calls.append(time_ms // 1000)
        if code < 400:
            key = (consumer, method, url_path(url))
            times = self.successes.get(key)
            if times is None:
                times = self.successes[key] = _ints()
            times.append(time_ms)

    def add_group_record(self, group: GroupKey, time_ms: int, consumer: str | None, url: str) -> None:
        """One record of an anomaly group (its method is the group's)."""
        records = self.groups.get(group)
        if records is None:
            records = self.groups[group] = {}
        key = (consumer, url_path(url)) if consumer else (None, "")
        times = records.get(key)
        if times is None:
            times = records[key] = _ints()
        times.append(time_ms)

    def __bool__(self) -> bool:
        return bool(self.seconds or self.groups)

    def merge(self, other: CauseFacts) -> CauseFacts:
        _extend(self.seconds, other.seconds)
        _extend(self.successes, other.successes)
        for group, records in other.groups.items():
            mine = self.groups.get(group)
            if mine is None:
                mine = self.groups[group] = {}
            _extend(mine, records)
        return self

    def causes(self, limit: int) -> Iterator[GroupCauses]:
        """Each group's causes and top consumers (the run's facts are complete: call once, at the end)."""
        seconds = {consumer: _sorted(times) for consumer, times in self.seconds.items()}
        successes = {key: _sorted(times) for key, times in self.successes.items()}

        def calls(consumer: str, second: int) -> int:
            found = seconds[consumer]
            return int(found.searchsorted(second, "right") - found.searchsorted(second, "left"))

        def earliest(consumer: str, method: str, path: str, time_ms: int) -> int | None:
            found = successes.get((consumer, method, path))
            if found is None:
                return None
            at = int(found.searchsorted(time_ms, "right"))  # strictly later: equal times are no retry
            if at < len(found) and found[at] <= time_ms + RETRY_WINDOW_MS:
                return int(found[at])
            return None

        for group, by_request in self.groups.items():
            records = [
                CompactRecord(time_ms, consumer, group.method, path)
                for (consumer, path), times in by_request.items()
                for time_ms in times
            ]
            yield group, group_causes(records, calls, earliest, limit), top_consumers(records)


def _extend(mine: dict[Any, array[int]], theirs: dict[Any, array[int]]) -> None:
    for key, times in theirs.items():
        found = mine.get(key)
        if found is None:
            mine[key] = array("q", times)  # a copy: the other side's arrays stay its own
        else:
            found.extend(times)


def _sorted(times: array[int]) -> Ints:
    return np.sort(np.frombuffer(times, dtype=np.int64))
