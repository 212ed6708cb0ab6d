"""Every anomaly group's records as the §8 lookups need them: integer columns, no object a group.

A run may have as many groups as records (100,000 distinct messages are 100,000 groups), so the facts
hold no Python object per group: one column says which group a record is of (an index into `keys`),
three more hold its time (ms), consumer key (0: none) and (method, URL path) request key (0 without a
consumer), 32 bytes a record whatever its URL, and each consumer's name is kept once. Merging, cutting
into buckets and pickling cost array operations and one dictionary step per distinct group.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

from statuslens.transforms.model.groups import GroupKey

__all__ = ["GroupRecords"]

Ints = npt.NDArray[np.int64]


class GroupRecords:
    """The records of any number of groups, as int64 columns (see the module docstring)."""

    __slots__ = ("_index", "consumers", "groups", "keys", "names", "requests", "times")

    def __init__(self) -> None:
        self.keys: list[GroupKey] = []
        self._index: dict[GroupKey, int] = {}
        self.groups: array[int] = array("q")
        self.times: array[int] = array("q")
        self.consumers: array[int] = array("q")
        self.requests: array[int] = array("q")
        self.names: dict[int, str] = {}  # consumer key -> consumer, for the top consumers

    def __len__(self) -> int:
        return len(self.times)

    def __getstate__(self) -> tuple[object, ...]:
        """Pickled as tuples and raw columns (a GroupKey pickles its class beside every key)."""
        columns = (self.groups, self.times, self.consumers, self.requests)
        return [tuple(key) for key in self.keys], *(column.tobytes() for column in columns), self.names

    def __setstate__(self, state: tuple[object, ...]) -> None:
        keys, groups, times, consumers, requests, self.names = state  # type: ignore[assignment]
        self.keys = list(map(GroupKey._make, keys))  # type: ignore[call-overload]
        self._index = {key: at for at, key in enumerate(self.keys)}
        self.groups, self.times, self.consumers, self.requests = array("q"), array("q"), array("q"), array("q")
        for column, data in zip(self._columns(), (groups, times, consumers, requests), strict=True):
            column.frombytes(data)  # type: ignore[arg-type]

    def _columns(self) -> tuple[array[int], ...]:
        return self.groups, self.times, self.consumers, self.requests

    def add(self, group: GroupKey, time_ms: int, consumer: int, request: int) -> None:
        """One record of `group` (consumer and request as keys; name the consumer in `names`)."""
        at = self._index.get(group)
        if at is None:
            at = self._index[group] = len(self.keys)
            self.keys.append(group)
        self.groups.append(at)
        self.times.append(time_ms)
        self.consumers.append(consumer)
        self.requests.append(request)

    def merge(self, other: GroupRecords) -> GroupRecords:
        """Add `other`'s records (its group indices renumbered into these keys)."""
        if not len(other):
            return self
        index, keys = self._index, self.keys
        renumber = array("q")
        for key in other.keys:
            at = index.get(key)
            if at is None:
                at = index[key] = len(keys)
                keys.append(key)
            renumber.append(at)
        moved = np.frombuffer(renumber, dtype=np.int64)[other.column("groups")]
        self.groups.frombytes(moved.tobytes())
        self.times.extend(other.times)
        self.consumers.extend(other.consumers)
        self.requests.extend(other.requests)
        self.names.update(other.names)
        return self

    def select(self, keep: npt.NDArray[np.bool_]) -> GroupRecords:
        """The records where `keep` is true, as new columns with only their own groups' keys."""
        part = GroupRecords()
        groups = np.frombuffer(self.groups, dtype=np.int64)[keep]
        used, renumbered = np.unique(groups, return_inverse=True)
        part.keys = [self.keys[at] for at in used.tolist()]
        part._index = {key: at for at, key in enumerate(part.keys)}
        part.groups.frombytes(renumbered.astype(np.int64).tobytes())
        consumers = np.frombuffer(self.consumers, dtype=np.int64)[keep]
        part.times.frombytes(np.frombuffer(self.times, dtype=np.int64)[keep].tobytes())
        part.consumers.frombytes(consumers.tobytes())
        part.requests.frombytes(np.frombuffer(self.requests, dtype=np.int64)[keep].tobytes())
        names = self.names
        part.names = {key: names[key] for key in np.unique(consumers).tolist() if key}
        return part

    def column(self, name: str) -> Ints:
        """One column ("groups", "times", "consumers" or "requests") as a read-only int64 array."""
        return np.frombuffer(getattr(self, name), dtype=np.int64)

    def by_group(self) -> Iterator[tuple[GroupKey, Ints]]:
        """Each group (in the order of `keys`) with the positions of its records, in record order."""
        groups = self.column("groups")
        order = np.argsort(groups, kind="stable")
        ends = np.cumsum(np.bincount(groups, minlength=len(self.keys))).tolist()
        start = 0
        for key, end in zip(self.keys, ends, strict=True):
            yield key, order[start:end]
            start = end

    def of(self, group: GroupKey) -> tuple[list[int], list[int], list[int]]:
        """(times, consumer keys, request keys) of one group's records (for checks and tests)."""
        at = self._index.get(group)
        mine = self.column("groups") == at
        times, consumers, requests = (self.column(name)[mine].tolist() for name in ("times", "consumers", "requests"))
        return times, consumers, requests
