"""Group identity and group statistics: the one definition batch, cron, stream and reports share.

An anomaly group (DOMAIN.md §6) is every non-documented record with the same (verdict, status_code,
sub_code, normalized message, method, resource). `GroupKey` is that tuple, with its string id (how
cron's state and the stream's `--known` file recognise a group) and its sort order computed in one
place; `GroupStats` accumulates a group's count, time range, consumers and earliest samples, and
merges partial stats so a combiner can lift; `AnomalyGroup` is a finished group and its JSON form.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import orjson

from statuslens.transforms.model.causes import Cause, ConsumerShare, cause_json
from statuslens.transforms.model.records import AnnotatedRecord
from statuslens.transforms.model.timeline import Timeline
from statuslens.transforms.model.times import format_time

__all__ = [
    "SAMPLES_PER_GROUP",
    "AnomalyGroup",
    "GroupKey",
    "GroupStats",
    "OrderKey",
    "Sample",
    "normalize_message",
]

SAMPLES_PER_GROUP = 3
# (time_ms, source path, item index): makes "earliest" deterministic across runners and workers.
OrderKey = tuple[int, str, int]
# What a group is made of, one per record: (order, record, explanation); the explanation is None for
# the flagged records' groups.
Sample = tuple[OrderKey, AnnotatedRecord, str | None]


def normalize_message(message: str) -> str:
    """The comparison form of a message (DOMAIN.md §5): `' Title  already in Queue. '` ->
    `'title already in queue'` (whitespace collapsed, case-folded, one trailing period dropped)."""
    text = " ".join(message.split()).casefold()
    if text.endswith("."):
        text = text[:-1].rstrip()
    return text


class GroupKey(NamedTuple):
    """(verdict, status_code, sub_code, normalized message, method, resource)."""

    verdict: str
    status_code: int
    sub_code: int | str | None
    message: str
    method: str
    resource: str

    @classmethod
    def of(
        cls, verdict: str, status_code: int, sub_code: int | str | None, message: str | None, method: str, resource: str
    ) -> GroupKey:
        """The key of a group whose message is as written (normalised here, once)."""
        return cls(verdict, status_code, sub_code, normalize_message(message) if message else "", method, resource)

    @classmethod
    def of_record(cls, record: AnnotatedRecord) -> GroupKey:
        return cls.of(
            record.verdict, record.status_code, record.sub_code, record.message, record.method, record.resource
        )

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> GroupKey:
        """The key of a group read back from `anomalies.jsonl`, cron's state or a stream window line."""
        return cls.of(
            doc["verdict"], doc["status_code"], doc["sub_code"], doc["message"], doc["method"], doc["resource"]
        )

    @property
    def id(self) -> str:
        """The key as one JSON string: `["out_of_scope",403,null,"developer over qps","GET","catalog/people"]`."""
        return orjson.dumps(list(self)).decode()

    def sort_key(self) -> tuple[Any, ...]:
        """The key's order: None sorts first, integer and text subcodes kept apart."""
        sub = self.sub_code
        sub_order = (0, 0, "") if sub is None else (1, sub, "") if isinstance(sub, int) else (2, 0, str(sub))
        return (self.verdict, self.status_code, sub_order, self.message, self.method, self.resource)


class GroupStats:
    """Count, first order key, last time, distinct consumers and the `limit` earliest samples of a group.

    Samples are (order, record, explanation); a group's explanation is its earliest record's.
    """

    __slots__ = ("consumers", "count", "first", "last_ms", "limit", "samples", "timeline")

    def __init__(self, limit: int = SAMPLES_PER_GROUP) -> None:
        self.limit = limit
        self.count = 0
        self.first: OrderKey | None = None
        self.last_ms: int | None = None
        self.consumers: set[str] = set()
        self.samples: list[Sample] = []
        self.timeline = Timeline()  # the group's records over time, for the report's charts

    def add(self, order: OrderKey, record: AnnotatedRecord, explanation: str | None = None) -> GroupStats:
        self.count += 1
        if self.first is None or order < self.first:
            self.first = order
        if self.last_ms is None or order[0] > self.last_ms:
            self.last_ms = order[0]
        self.timeline.add(order[0])
        if record.consumer:
            self.consumers.add(record.consumer)
        samples = self.samples
        if len(samples) < self.limit or order < samples[-1][0]:
            samples.append((order, record, explanation))
            samples.sort(key=_order)
            del samples[self.limit :]
        return self

    def merge(self, other: GroupStats) -> GroupStats:
        self.count += other.count
        if other.first is not None and (self.first is None or other.first < self.first):
            self.first = other.first
        if other.last_ms is not None and (self.last_ms is None or other.last_ms > self.last_ms):
            self.last_ms = other.last_ms
        self.consumers |= other.consumers
        self.timeline.merge(other.timeline)
        self.samples.extend(other.samples)
        self.samples.sort(key=_order)
        del self.samples[self.limit :]
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as its values (a group is shuffled at least once): 475 bytes for a one-record
        group, not 832, and about a third less time each way."""
        values = (self.limit, self.count, self.first, self.last_ms, tuple(self.consumers), self.samples)
        return _restored_stats, (*values, self.timeline)

    @classmethod
    def merged(cls, parts: Iterable[GroupStats], limit: int = SAMPLES_PER_GROUP) -> GroupStats:
        out = cls(limit)
        for part in parts:
            out.merge(part)
        return out

    @property
    def records(self) -> list[AnnotatedRecord]:
        return [record for _, record, _ in self.samples]

    @property
    def first_seen(self) -> str | None:
        return format_time(self.first[0]) if self.first is not None else None

    @property
    def last_seen(self) -> str | None:
        return format_time(self.last_ms) if self.last_ms is not None else None

    @property
    def explanation(self) -> str | None:
        return self.samples[0][2] if self.samples else None


def _order(sample: Sample) -> OrderKey:
    return sample[0]


def _restored_stats(
    limit: int,
    count: int,
    first: OrderKey | None,
    last_ms: int | None,
    consumers: tuple[str, ...],
    samples: list[Sample],
    timeline: Timeline,
) -> GroupStats:
    """A GroupStats from its pickled values (`GroupStats.__reduce__`), every slot set here (no
    empty set and Timeline made by __init__ to be replaced)."""
    stats = GroupStats.__new__(GroupStats)
    stats.limit, stats.count, stats.first, stats.last_ms = limit, count, first, last_ms
    stats.consumers, stats.samples, stats.timeline = set(consumers), samples, timeline
    return stats


@dataclass(frozen=True)
class AnomalyGroup:
    """A finished anomaly group: its key, the message as first seen, its statistics, and why it happens
    and who sends it (DOMAIN.md §8; empty until the causes are computed). `causes_known` is False for
    a run that did not look for causes (`batch --no-causes`): its JSON then says null, not "none"."""

    key: GroupKey
    message: str | None
    count: int
    first_seen: str | None
    last_seen: str | None
    consumers: int
    samples: tuple[AnnotatedRecord, ...]
    explanation: str | None
    causes: tuple[Cause, ...] = ()  # DOMAIN.md §8, in the order rate_limit, transient, burst
    top_consumers: tuple[ConsumerShare, ...] = ()
    causes_known: bool = True
    # The group's records over time, for the report's charts; not part of the group's identity or JSON.
    timeline: Timeline = field(default_factory=Timeline, compare=False, repr=False)

    @classmethod
    def from_stats(
        cls,
        key: GroupKey,
        stats: GroupStats,
        causes: tuple[Cause, ...] = (),
        top_consumers: tuple[ConsumerShare, ...] = (),
        causes_known: bool = True,
    ) -> AnomalyGroup:
        samples = tuple(stats.records)
        return cls(
            key,
            samples[0].message if samples else None,
            stats.count,
            stats.first_seen,
            stats.last_seen,
            len(stats.consumers),
            samples,
            stats.explanation,
            causes,
            top_consumers,
            causes_known,
            stats.timeline,
        )

    @property
    def id(self) -> str:
        return self.key.id

    def sort_key(self) -> tuple[Any, ...]:
        """`anomalies.jsonl` order: count descending, then the key."""
        return (-self.count, *self.key.sort_key())

    def key_json(self) -> dict[str, Any]:
        """The six key fields as `anomalies.jsonl` writes them: the message as first seen, not normalised."""
        return {**self.key._asdict(), "message": self.message}

    def to_json(self) -> dict[str, Any]:
        """The `anomalies.jsonl` object: the six key fields (message as first seen), then the rest."""
        return {
            **self.key_json(),
            "count": self.count,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "consumers": self.consumers,
            "samples": [sample.to_dict() for sample in self.samples],
            "explanation": self.explanation,
            "causes": [cause_json(cause) for cause in self.causes] if self.causes_known else None,
            "top_consumers": [dict(vars(share)) for share in self.top_consumers] if self.causes_known else None,
        }
