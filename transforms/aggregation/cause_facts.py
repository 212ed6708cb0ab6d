"""What the §8 rules need of a whole run, held as compact integer arrays.

The rules ask two things of every record of the run (documented ones too): how many calls a consumer
made in a calendar second, and whether a success of the same consumer, method and URL path followed a
record within 60 s. Turning every record into a shuffled element to answer that grows with the input;
instead each chunk adds one part to a `CauseFacts` — its calls sorted by (consumer, time) as three
integer columns: consumers as 64-bit keys with their call counts, times, and a 64-bit key of (method,
URL path) for a success (0 for a failure, request_keys.py), 16 bytes a call while a worker holds them
and fewer once pickled (compressed, time deltas), no Python object a call; the anomaly groups' records
are integer columns too (group index, time, consumer key, request key: group_records.py). Facts merge
like counts (a lifted combiner: merged on each worker before anything is shuffled), and a run's facts
travel in `CAUSE_BUCKETS` parts by consumer key (`buckets`): the lookups of a consumer need only its own
calls, so no element, worker or runner ever holds the whole run's facts at once. `cause_lookup.py`
answers the rules' lookups from them at the end of the run.
"""

from __future__ import annotations

import zlib
from array import array
from collections.abc import Collection, Iterator
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import numpy.typing as npt

from statuslens.transforms.aggregation.group_records import GroupRecords
from statuslens.transforms.aggregation.request_keys import consumer_key, request_keys
from statuslens.transforms.model.groups import GroupKey
from statuslens.transforms.model.urls import url_path

if TYPE_CHECKING:
    from statuslens.transforms.aggregation.cause_lookup import GroupCauses

__all__ = [
    "CAUSE_BUCKETS",
    "CallPart",
    "CauseFacts",
    "PackedPart",
    "decode_part",
]

Ints = npt.NDArray[np.int64]
CAUSE_BUCKETS = 16  # parts by consumer key a run's facts are shuffled in (each looked up on its own)
# One chunk's calls, as raw int64 bytes: (consumer keys and their call counts, as pairs; the times in
# (consumer, time) order; the request keys in that order). Never changed once made. Compressed only
# when the facts are pickled (shuffled or spilled: `CauseFacts.__getstate__`, a `PackedPart`), never
# while a worker splits and merges them.
CallPart = tuple[bytes, bytes, bytes]


class CauseFacts:
    """Every call with a consumer, as one raw part a chunk (packed when pickled); every anomaly
    group's records as columns (`GroupRecords`); the consumers' names by key only when asked (the
    stream's rate alerts name them, the batch's causes need none)."""

    __slots__ = ("calls", "groups", "names")

    def __init__(self) -> None:
        # Parts are immutable bytes: a merge copies nothing; what a runner moves and buffers (several
        # copies of the merged value on the local runner) is the compressed pickle (`__getstate__`).
        self.calls: list[CallPart] = []
        self.groups = GroupRecords()  # every anomaly group's records, as columns
        self.names: dict[int, str] = {}  # consumer key -> consumer, for `seconds_over`

    def __bool__(self) -> bool:
        return bool(self.calls or len(self.groups))

    def __getstate__(self) -> tuple[object, ...]:
        """Pickled (shuffled, spilled) with the calls as one `PackedPart` (unpickled, it stays packed)."""
        return _packed(self.calls), self.groups, self.names

    def __setstate__(self, state: tuple[object, ...]) -> None:
        packed, self.groups, self.names = state  # type: ignore[assignment]
        self.calls = _unpacked(packed)  # type: ignore[arg-type]

    def add_calls(self, consumers: list[str], times: array[int], requests: list[str], names: bool = False) -> None:
        """A chunk's calls, one entry each in the three lists: its consumer, its time (ms) and, for a
        success, its `"METHOD path"` (the URL path, `model.urls.url_path`); "" otherwise. `names`: keep
        the consumers' names too (one entry a consumer, for `seconds_over`)."""
        if not consumers:
            return
        ids = {consumer: consumer_key(consumer) for consumer in set(consumers)}
        if names:
            self.names.update((key, consumer) for consumer, key in ids.items())
        who = np.fromiter(map(ids.__getitem__, consumers), dtype=np.int64, count=len(consumers))
        when = np.frombuffer(times, dtype=np.int64)
        order = np.lexsort((when, who))
        who, when = who[order], when[order]
        unique, counts = np.unique(who, return_counts=True)
        self.calls.append(_encode_part(unique, counts.astype(np.int64), when, request_keys(requests)[order]))

    def add_group_record(self, group: GroupKey, time_ms: int, consumer: str | None, url: str) -> None:
        """One record of an anomaly group (its method is the group's)."""
        self.add_group_records([(group, time_ms, consumer, url)])

    def add_group_records(self, records: list[tuple[GroupKey, int, str | None, str]]) -> None:
        """A chunk's anomaly-group records: (group, time ms, consumer or None, URL) each, the request
        keys hashed in one batch."""
        if not records:
            return
        texts = [f"{group.method} {url_path(url)}" if consumer else "" for group, _, consumer, url in records]
        keys = request_keys(texts).tolist()
        ids: dict[str, int] = {}
        add, names = self.groups.add, self.groups.names
        for (group, time_ms, consumer, _), key in zip(records, keys, strict=True):
            who = 0
            if consumer:
                who = ids.get(consumer, 0)
                if not who:
                    who = ids[consumer] = consumer_key(consumer)
                    names[who] = consumer
            add(group, time_ms, who, key)

    def merge(self, other: CauseFacts) -> CauseFacts:
        self.calls.extend(other.calls)  # shared, never changed after add_calls
        self.names.update(other.names)
        self.groups.merge(other.groups)
        return self

    def compact(self) -> CauseFacts:
        """These facts with their calls as one part (the parts' runs one after the other): one cut
        into buckets then costs a few array operations, not a few a chunk."""
        if len(self.calls) > 1:
            self.calls = [_joined(self.calls)]
        return self

    def buckets(self, count: int = CAUSE_BUCKETS) -> Iterator[tuple[int, CauseFacts]]:
        """These facts cut by consumer key modulo `count` (consumer-less group records in bucket 0),
        the non-empty buckets only: each bucket's lookups need none of the others' calls."""
        cut: dict[int, CauseFacts] = {}

        def bucket(at: int) -> CauseFacts:
            found = cut.get(at)
            if found is None:
                found = cut[at] = CauseFacts()
            return found

        for part in self.calls:
            consumers, counts, times, keys = decode_part(part)
            of_consumer = np.remainder(consumers, count)
            of_call = np.repeat(of_consumer, counts)
            for at in np.unique(of_consumer).tolist():
                mine = of_consumer == at
                calls = of_call == at
                facts = bucket(at)
                facts.calls.append(_encode_part(consumers[mine], counts[mine], times[calls], keys[calls]))
                if self.names:
                    facts.names.update((key, self.names[key]) for key in consumers[mine].tolist() if key in self.names)
        if len(self.groups):
            of_record = np.remainder(self.groups.column("consumers"), count)
            for at in np.unique(of_record).tolist():
                bucket(at).groups = self.groups.select(of_record == at)
        yield from sorted(cut.items())

    def group_records(self) -> int:
        """How many anomaly-group records the facts hold."""
        return len(self.groups)

    def calls_of(self, consumer: str) -> int:
        """How many calls of `consumer` the facts hold (for tests and checks; decodes every part)."""
        wanted = consumer_key(consumer)
        return sum(int(counts[consumers == wanted].sum()) for consumers, counts, _, _ in map(decode_part, self.calls))

    def causes(self, limit: int, only: Collection[GroupKey] | None = None) -> Iterator[GroupCauses]:
        """Each group's causes and top consumers, over the records these facts hold (a batch run's
        whole input: call once, at the end; a stream window's records so far); `only` limits the
        groups answered (the lookups still see every call). `cause_lookup.find_causes` does the work."""
        from statuslens.transforms.aggregation.cause_lookup import find_causes  # it imports this module

        return find_causes(self, limit, only)

    def seconds_over(self, limit: int) -> Iterator[tuple[str, int, int]]:
        """(consumer, calendar second, calls) for every second in which a consumer made more than
        `limit` calls (DOMAIN.md §8's over-the-limit seconds), by consumer then second. Needs the
        consumers' names (`add_calls(..., names=True)`: the stream's panes keep them)."""
        keys: list[Ints] = []
        seconds: list[Ints] = []
        for consumers, counts, times, _ in map(decode_part, self.calls):
            keys.append(np.repeat(consumers, counts))
            seconds.append(np.floor_divide(times, 1000))  # floor: the calendar second
        if not keys:
            return
        pairs, calls = np.unique(np.stack((np.concatenate(keys), np.concatenate(seconds))), axis=1, return_counts=True)
        over = calls > limit
        found = zip(pairs[0][over].tolist(), pairs[1][over].tolist(), calls[over].tolist(), strict=True)
        try:
            named = sorted((self.names[key], int(second), int(count)) for key, second, count in found)
        except KeyError:
            raise ValueError("seconds_over needs the consumers' names: add_calls(..., names=True)") from None
        yield from named


def _encode_part(consumers: Ints, counts: Ints, times: Ints, keys: Ints) -> CallPart:
    """Calls in (consumer, time) order -> a part: `decode_part` gives them back."""
    return np.stack((consumers, counts), axis=1).tobytes(), times.tobytes(), keys.tobytes()


class PackedPart(NamedTuple):
    """A part as it was pickled: the table and the time deltas zlib-compressed, the request keys as
    they are (random: they do not compress). It stays packed after unpickling and is decoded where it
    is read (`decode_part`), one part at a time: a bucket read back from its files (one part a file)
    never holds all its calls decoded at once (one consumer may send half of a run's calls)."""

    table: bytes
    deltas: bytes
    keys: bytes


def decode_part(part: CallPart) -> tuple[Ints, Ints, Ints, Ints]:
    """(consumer keys, their call counts, times, request keys): the calls in (consumer, time) order,
    each consumer's run of `count` calls after the previous one's (views of a raw part, not copies)."""
    if isinstance(part, PackedPart):
        table = np.frombuffer(zlib.decompress(part.table), dtype=np.int64).reshape(-1, 2)
        times = np.cumsum(np.frombuffer(zlib.decompress(part.deltas), dtype=np.int64))
        return table[:, 0], table[:, 1], times, np.frombuffer(part.keys, dtype=np.int64)
    table = np.frombuffer(part[0], dtype=np.int64).reshape(-1, 2)
    return table[:, 0], table[:, 1], np.frombuffer(part[1], dtype=np.int64), np.frombuffer(part[2], dtype=np.int64)


def _joined(parts: list[CallPart]) -> CallPart:
    """Parts as one raw part, their runs one after the other."""
    raw = [_encode_part(*decode_part(part)) if isinstance(part, PackedPart) else part for part in parts]
    tables, times, keys = (b"".join(column) for column in zip(*raw, strict=True))
    return tables, times, keys


def _packed(parts: list[CallPart]) -> PackedPart | None:
    """Parts as one packed part, for pickling."""
    if not parts:
        return None
    if len(parts) == 1 and isinstance(parts[0], PackedPart):
        return parts[0]
    tables, times, keys = _joined(parts)
    deltas = np.diff(np.frombuffer(times, dtype=np.int64), prepend=np.int64(0))
    return PackedPart(zlib.compress(tables, 1), zlib.compress(deltas.tobytes(), 1), keys)


def _unpacked(packed: PackedPart | None) -> list[CallPart]:
    return [] if packed is None else [packed]
