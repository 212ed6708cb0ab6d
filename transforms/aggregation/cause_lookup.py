"""The run's causes from its merged `CauseFacts`: the rules' two lookups answered a consumer at a time.

Only the consumers of anomaly-group records are looked up, and only at the seconds and (request,
time) pairs of those records: one pass over the compressed call parts, one part decompressed at a
time, counts the calls in each asked second (binary search in the part's sorted times) and keeps the
successes that could be a retry (the asked requests, within 60 s after an asked time); a sorted
(request, time) search then finds each record's earliest retry. Memory is the asked records and
those successes, never the whole run's calls decompressed at once.
"""

from __future__ import annotations

from array import array
from collections.abc import Collection, Iterator

import numpy as np
import numpy.typing as npt

from statuslens.transforms.aggregation.cause_facts import CauseFacts, consumer_key, consumer_runs, request_keys
from statuslens.transforms.aggregation.causes import RETRY_WINDOW_MS, CompactRecord, group_causes, top_consumers
from statuslens.transforms.model.causes import Cause, ConsumerShare
from statuslens.transforms.model.groups import GroupKey

__all__ = ["GroupCauses", "find_causes"]

GroupCauses = tuple[GroupKey, tuple[Cause, ...], tuple[ConsumerShare, ...]]
Ints = npt.NDArray[np.int64]
_COMPOSITE_LIMIT = 1 << 62  # (request rank, time) packed in one int64 below this


class _Asked:
    """One consumer's lookups: the seconds of its group records, and their (request key, time) pairs."""

    __slots__ = ("calls", "first", "found_keys", "found_times", "keys", "last", "lows", "ranks", "seconds", "times")

    def __init__(self, seconds: array[int], keys: array[int], times: array[int]) -> None:
        self.seconds: Ints = np.unique(np.frombuffer(seconds, dtype=np.int64))
        self.lows: Ints = self.seconds * 1000
        self.calls: Ints = np.zeros(len(self.seconds), dtype=np.int64)
        pairs = np.unique(np.stack((np.frombuffer(keys, dtype=np.int64), np.frombuffer(times, dtype=np.int64))), axis=1)
        self.keys: Ints = pairs[0]
        self.times: Ints = pairs[1]  # in (key, time) order
        self.first, self.last = int(self.times.min()), int(self.times.max())
        self.ranks: Ints = np.unique(self.keys)
        self.found_keys: list[Ints] = []
        self.found_times: list[Ints] = []

    def add_calls(self, times: Ints, keys: Ints) -> None:
        """One part's run of this consumer's calls (sorted by time)."""
        self.calls += times.searchsorted(self.lows + 1000, "left") - times.searchsorted(self.lows, "left")
        highest = self.last + RETRY_WINDOW_MS
        window = slice(int(times.searchsorted(self.first, "right")), int(times.searchsorted(highest, "right")))
        keys, times = keys[window], times[window]
        maybe = self.ranks[np.minimum(self.ranks.searchsorted(keys), len(self.ranks) - 1)] == keys
        if maybe.any():
            self.found_keys.append(keys[maybe])
            self.found_times.append(times[maybe])

    def earliest(self) -> list[int | None]:
        """Per asked (key, time) pair the earliest success in (time, time + 60 s], or None."""
        if not self.found_keys:
            return [None] * len(self.keys)
        keys, times = np.concatenate(self.found_keys), np.concatenate(self.found_times)
        ranks = self.ranks
        base = self.first
        span = self.last + RETRY_WINDOW_MS + 2 - base  # every (found or asked) time - base is below
        if len(ranks) * span >= _COMPOSITE_LIMIT:  # times too far apart to pack: one key at a time
            found = np.zeros(len(self.keys), dtype=bool)
            retry = np.zeros(len(self.keys), dtype=np.int64)
            for key in ranks:
                asked = self.keys == key
                found[asked], retry[asked] = _earliest_in(np.sort(times[keys == key]), self.times[asked])
        else:  # (rank, time) packed in one sorted int64 array: every pair is found in one search
            packed = ranks.searchsorted(keys) * span + (times - base)
            order = np.argsort(packed, kind="stable")
            packed, times = packed[order], times[order]
            wanted = ranks.searchsorted(self.keys) * span + (self.times - base)
            at = np.minimum(packed.searchsorted(wanted, "right"), len(packed) - 1)  # equal times are no retry
            retry = times[at]
            found = (packed[at] > wanted) & (packed[at] // span == wanted // span)
            found &= retry <= self.times + RETRY_WINDOW_MS
        return [int(t) if ok else None for ok, t in zip(found.tolist(), retry.tolist(), strict=True)]


def _earliest_in(found: Ints, asked: Ints) -> tuple[npt.NDArray[np.bool_], Ints]:
    """For sorted success times `found`: whether each asked time has one in (t, t + 60 s], and which."""
    if not len(found):
        return np.zeros(len(asked), dtype=bool), asked
    at = np.minimum(found.searchsorted(asked, "right"), len(found) - 1)
    retry = found[at]
    return (retry > asked) & (retry <= asked + RETRY_WINDOW_MS), retry


def find_causes(facts: CauseFacts, limit: int, only: Collection[GroupKey] | None = None) -> Iterator[GroupCauses]:
    """Each group's causes and top consumers, over the records the facts hold (a batch run's whole
    input: call once, at the end; a stream window's records so far). `only` limits the groups answered
    (and the consumers looked up to theirs; the lookups still see every call)."""
    ids: dict[str, int] = {}
    groups = {g: by for g, by in facts.groups.items() if only is None or g in only}
    texts = {(group.method, path): f"{group.method} {path}" for group, by in groups.items() for _, path in by}
    requests = dict(zip(texts, request_keys(list(texts.values())).tolist(), strict=True))
    asked: dict[int, tuple[array[int], array[int], array[int]]] = {}
    for group, by_request in groups.items():
        for (consumer, path), times in by_request.items():
            if not consumer:
                continue
            who = ids.get(consumer)
            if who is None:
                who = ids[consumer] = consumer_key(consumer)
            key = requests[(group.method, path)]
            seconds, keys, at = asked.setdefault(who, (array("q"), array("q"), array("q")))
            seconds.extend(t // 1000 for t in times)  # floor: the calendar second
            keys.extend([key] * len(times))
            at.extend(times)
    lookups = {who: _Asked(*parts) for who, parts in asked.items()}
    wanted = np.array(sorted(lookups), dtype=np.int64)
    for part in facts.calls:
        for who, run_times, run_keys in consumer_runs(part, wanted):
            lookups[who].add_calls(run_times, run_keys)
    calls_at: dict[tuple[int, int], int] = {}
    retried: dict[tuple[int, int, int], int | None] = {}
    for who, lookup in lookups.items():
        calls_at.update(zip(((who, s) for s in lookup.seconds.tolist()), lookup.calls.tolist(), strict=True))
        pairs = zip(lookup.keys.tolist(), lookup.times.tolist(), strict=True)
        retried.update(zip(((who, k, t) for k, t in pairs), lookup.earliest(), strict=True))

    def calls(consumer: str, second: int) -> int:
        return calls_at[(ids[consumer], second)]

    def earliest(consumer: str, method: str, path: str, time_ms: int) -> int | None:
        return retried[(ids[consumer], requests[(method, path)], time_ms)]

    for group, by_request in groups.items():
        records = [
            CompactRecord(time_ms, consumer, group.method, path)
            for (consumer, path), times in by_request.items()
            for time_ms in times
        ]
        yield group, group_causes(records, calls, earliest, limit), top_consumers(records)
