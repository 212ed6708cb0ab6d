"""What the §8 rules need of a whole run, held as compact integer arrays, and the causes they give.

The rules ask two things of every record of the run (documented ones too): how many calls a
consumer made in a calendar second, and whether a success of the same consumer, method and URL path
followed a record within 60 s. Turning every record into a shuffled element to answer that grows
with the input; instead each chunk fills one `CauseFacts` (per consumer, 16 bytes a call: its time
and a 64-bit key of its method and path), facts merge like counts (a lifted combiner: merged on
each worker before anything is shuffled), and the one merged value answers the lookups with sorted
arrays and binary search.
"""

from __future__ import annotations

import hashlib
import zlib
from array import array
from collections.abc import Collection, Iterator

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

__all__ = ["CauseFacts", "GroupCauses", "request_key"]

GroupCauses = tuple[GroupKey, tuple[Cause, ...], tuple[ConsumerShare, ...]]
Ints = npt.NDArray[np.int64]
NOT_A_SUCCESS = 0  # the request key of a call whose effective code is 400 or more


def request_key(method: str, path: str) -> int:
    """(method, URL path) as a stable 64-bit integer (the same on every worker, unlike `hash()`), never 0.

    A path is mostly unique (ids, user tokens), so keeping it as text would cost ~80 bytes a record;
    two requests of one consumer that collide within 60 s are as likely as 2**-60."""
    digest = hashlib.blake2b(f"{method} {path}".encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True) or 1


class CauseFacts:
    """Per consumer the times of all its calls with their request keys (0 for a failure); per anomaly
    group its records' times by (consumer, URL path).

    Integers in arrays, never objects a record: 16 bytes a record with a consumer, whatever its URL."""

    __slots__ = ("calls", "groups")

    def __init__(self) -> None:
        # consumer -> its chunks' calls as compressed parts (time deltas, keys), never changed once made:
        # a merge copies nothing, and the bytes a runner moves and buffers (several copies of the
        # merged value on the local runner) are ~10 a call, not 16.
        self.calls: dict[str, list[tuple[bytes, bytes]]] = {}
        self.groups: dict[GroupKey, dict[tuple[str | None, str], array[int]]] = {}

    def __bool__(self) -> bool:
        return bool(self.calls or self.groups)

    def add_calls(self, consumer: str, times: array[int], requests: list[tuple[str, str] | None]) -> None:
        """A consumer's calls: times (ms) and, for a success, its (method, URL path); None otherwise."""
        keys: dict[tuple[str, str], int] = {}
        codes = array("q", bytes(8 * len(requests)))
        for at, request in enumerate(requests):
            if request is not None:
                key = keys.get(request)
                if key is None:
                    key = keys[request] = request_key(*request)
                codes[at] = key
        order = np.argsort(np.frombuffer(times, dtype=np.int64), kind="stable")
        sorted_times = np.frombuffer(times, dtype=np.int64)[order]
        deltas = np.diff(sorted_times, prepend=np.int64(0))
        keys_in_order = np.frombuffer(codes, dtype=np.int64)[order]
        part = (zlib.compress(deltas.tobytes(), 1), zlib.compress(keys_in_order.tobytes(), 1))
        self.calls.setdefault(consumer, []).append(part)

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

    def merge(self, other: CauseFacts) -> CauseFacts:
        for consumer, parts in other.calls.items():
            self.calls.setdefault(consumer, []).extend(parts)  # shared, never changed after add_calls
        for group, records in other.groups.items():
            mine = self.groups.get(group)
            if mine is None:
                mine = self.groups[group] = {}
            for key, times in records.items():
                found_times = mine.get(key)
                if found_times is None:
                    mine[key] = array("q", times)
                else:
                    found_times.extend(times)
        return self

    def causes(self, limit: int, only: Collection[GroupKey] | None = None) -> Iterator[GroupCauses]:
        """Each group's causes and top consumers, over the records these facts hold (a batch run's
        whole input: call once, at the end; a stream window's records so far); `only` limits the
        groups answered (the lookups still see every call)."""
        index = {consumer: _Calls(parts) for consumer, parts in self.calls.items()}

        def calls(consumer: str, second: int) -> int:
            return index[consumer].in_second(second)

        def earliest(consumer: str, method: str, path: str, time_ms: int) -> int | None:
            found = index.get(consumer)
            return None if found is None else found.earliest_success(request_key(method, path), time_ms)

        for group, by_request in self.groups.items():
            if only is not None and group not in only:
                continue
            records = [
                CompactRecord(time_ms, consumer, group.method, path)
                for (consumer, path), times in by_request.items()
                for time_ms in times
            ]
            yield group, group_causes(records, calls, earliest, limit), top_consumers(records)

    def seconds_over(self, limit: int) -> Iterator[tuple[str, int, int]]:
        """(consumer, calendar second, calls) for every second in which a consumer made more than
        `limit` calls (DOMAIN.md §8's over-the-limit seconds), by consumer then second."""
        for consumer in sorted(self.calls):
            times = np.concatenate([np.cumsum(_unpack(t)) for t, _ in self.calls[consumer]] or [_NONE])
            seconds, counts = np.unique(np.floor_divide(times, 1000), return_counts=True)
            for second, calls in zip(seconds[counts > limit].tolist(), counts[counts > limit].tolist(), strict=True):
                yield consumer, int(second), int(calls)


class _Calls:
    """One consumer's calls, sorted: by time (calls in a second), and successes by (key, time)."""

    __slots__ = ("keys", "successes", "times")

    def __init__(self, parts: list[tuple[bytes, bytes]]) -> None:
        all_times = np.concatenate([np.cumsum(_unpack(t)) for t, _ in parts] or [_NONE])
        all_keys = np.concatenate([_unpack(k) for _, k in parts] or [_NONE])
        self.times: Ints = np.sort(all_times)
        success = all_keys != NOT_A_SUCCESS
        success_keys, success_times = all_keys[success], all_times[success]
        order = np.lexsort((success_times, success_keys))
        self.keys: Ints = success_keys[order]
        self.successes: Ints = success_times[order]

    def in_second(self, second: int) -> int:
        times = self.times
        return int(times.searchsorted(second * 1000 + 1000, "left") - times.searchsorted(second * 1000, "left"))

    def earliest_success(self, key: int, time_ms: int) -> int | None:
        low, high = int(self.keys.searchsorted(key, "left")), int(self.keys.searchsorted(key, "right"))
        at = low + int(self.successes[low:high].searchsorted(time_ms, "right"))  # equal times are no retry
        if at < high and self.successes[at] <= time_ms + RETRY_WINDOW_MS:
            return int(self.successes[at])
        return None


_NONE: Ints = np.zeros(0, dtype=np.int64)


def _unpack(blob: bytes) -> Ints:
    return np.frombuffer(zlib.decompress(blob), dtype=np.int64)


def _ints() -> array[int]:
    return array("q")
