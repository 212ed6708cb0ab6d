"""One anomaly group's records as the §8 lookups need them: three integer columns, no text a record."""

from __future__ import annotations

from array import array

import numpy as np
import numpy.typing as npt

__all__ = ["GroupRecords"]


class GroupRecords:
    """One anomaly group's records as the lookups need them: their times (ms), their consumers' keys
    (0: no consumer) and their (method, URL path) request keys (0 without a consumer), as int64
    columns (24 bytes a record, whatever the URL), and each consumer's name once (the top consumers)."""

    __slots__ = ("consumers", "names", "requests", "times")

    def __init__(self) -> None:
        self.times: array[int] = array("q")
        self.consumers: array[int] = array("q")
        self.requests: array[int] = array("q")
        self.names: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self.times)

    def merge(self, other: GroupRecords) -> GroupRecords:
        self.times.extend(other.times)
        self.consumers.extend(other.consumers)
        self.requests.extend(other.requests)
        self.names.update(other.names)
        return self

    def select(self, keep: npt.NDArray[np.bool_]) -> GroupRecords:
        """The records where `keep` is true, as new columns."""
        part = GroupRecords()
        consumers = np.frombuffer(self.consumers, dtype=np.int64)[keep]
        part.times.frombytes(np.frombuffer(self.times, dtype=np.int64)[keep].tobytes())
        part.consumers.frombytes(consumers.tobytes())
        part.requests.frombytes(np.frombuffer(self.requests, dtype=np.int64)[keep].tobytes())
        part.names = {key: self.names[key] for key in set(consumers.tolist()) if key}
        return part
