"""The rules of DOMAIN.md §8: a group's causes and its top consumers, from its records and two lookups.

Pure and exact, so any implementation agrees: integer thresholds (`2·k ≥ n`, `5·k ≥ 4·n`), times
compared in milliseconds, shares and the median rounded to 3 decimals from their exact value (a
half to even). The lookups answer from the
whole run's records (every record of every input, documented ones too), which the caller holds in
compact sorted arrays (transforms/aggregation/cause_facts.py); here a group's records are only
(time_ms, consumer or None, method, url_path) tuples (the path as `model.urls.url_path` cuts it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from statuslens.transforms.model.causes import (
    TOP_CONSUMERS,
    BurstCause,
    Cause,
    ConsumerShare,
    Episode,
    RateLimitCause,
    TransientCause,
)
from statuslens.transforms.model.timeline import Timeline
from statuslens.transforms.model.times import format_time

__all__ = [
    "BURST_GAP_MS",
    "EPISODES_LISTED",
    "EPISODE_MIN_RECORDS",
    "RETRY_WINDOW_MS",
    "AnsweredRecord",
    "CallsInSecond",
    "CompactRecord",
    "EarliestSuccess",
    "answered_causes",
    "group_causes",
    "top_consumers",
]

RETRY_WINDOW_MS = 60_000  # a success 0 < Δt ≤ 60.000 s later is a retry
BURST_GAP_MS = 300_000  # neighbours more than 300 s apart split episodes
EPISODE_MIN_RECORDS = 5
EPISODES_LISTED = 10


class CompactRecord(NamedTuple):
    """What the rules need of one of a group's records."""

    time_ms: int
    consumer: str | None
    method: str
    url_path: str


# calls(consumer, calendar second): the records of that consumer in that second, of any status.
CallsInSecond = Callable[[str, int], int]
# earliest(consumer, method, url_path, t): the earliest time in (t, t + 60 000] of a record of that
# consumer, method and path with an effective code below 400, or None.
EarliestSuccess = Callable[[str, str, str, int], int | None]


class AnsweredRecord(NamedTuple):
    """One of a group's records with the two lookups answered: all the rules read of it."""

    time_ms: int
    consumer: str | None
    calls_in_second: int  # its consumer's calls in its calendar second, of any status (0: no consumer)
    retry_ms: int | None  # the delay to its earliest retry (None: not retried, or no consumer)


def group_causes(
    records: Iterable[CompactRecord], calls: CallsInSecond, earliest: EarliestSuccess, limit: int
) -> tuple[Cause, ...]:
    """The group's causes in contract order (rate_limit, transient, burst); empty when none applies."""
    answered = []
    for record in records:
        if record.consumer:
            made = calls(record.consumer, record.time_ms // 1000)  # floor: the calendar second
            retry = earliest(record.consumer, record.method, record.url_path, record.time_ms)
            delay = None if retry is None else retry - record.time_ms
            answered.append(AnsweredRecord(record.time_ms, record.consumer, made, delay))
        else:
            answered.append(AnsweredRecord(record.time_ms, None, 0, None))
    return answered_causes(answered, limit)


def answered_causes(records: Sequence[AnsweredRecord], limit: int) -> tuple[Cause, ...]:
    """`group_causes` of records whose lookups were answered already (in any order: the rules count,
    sort and take maxima, so a group's records may come from several places)."""
    count = len(records)
    if not count:
        return ()
    causes: list[Cause] = []
    with_consumer = [r for r in records if r.consumer]
    if with_consumer:
        rate = _rate_limit(with_consumer, limit, count)
        if rate is not None:
            causes.append(rate)
        transient = _transient(with_consumer, count)
        if transient is not None:
            causes.append(transient)
    burst = _burst([r.time_ms for r in records])
    if burst is not None:
        causes.append(burst)
    return tuple(causes)


def _rate_limit(records: list[AnsweredRecord], limit: int, count: int) -> RateLimitCause | None:
    over_at = [r.time_ms for r in records if r.calls_in_second > limit]  # the report's timeline shows them
    over = len(over_at)
    if not over or 2 * over < len(records):
        return None
    peak = max(r.calls_in_second for r in records)
    return RateLimitCause(limit, over, _share(over, count), peak, Timeline.of_times(over_at))


def _transient(records: list[AnsweredRecord], count: int) -> TransientCause | None:
    delays = [r.retry_ms for r in records if r.retry_ms is not None]
    retried = len(delays)
    if not retried or 2 * retried < len(records):
        return None
    delays.sort()
    middle = retried // 2
    twice_ms = 2 * delays[middle] if retried % 2 else delays[middle - 1] + delays[middle]
    return TransientCause(retried, _share(retried, count), _round3(twice_ms, 2000))


def _burst(times: list[int]) -> BurstCause | None:
    times.sort()
    episodes: list[tuple[int, int, int]] = []  # (start, end, records)
    start = previous = times[0]
    size = 0
    for time_ms in times:
        if time_ms - previous > BURST_GAP_MS:
            episodes.append((start, previous, size))
            start, size = time_ms, 0
        size += 1
        previous = time_ms
    episodes.append((start, previous, size))
    large = [e for e in episodes if e[2] >= EPISODE_MIN_RECORDS]
    within = sum(e[2] for e in large)
    if not within or 5 * within < 4 * len(times):
        return None
    large.sort(key=lambda e: (-e[2], e[0]))
    listed = tuple(Episode(format_time(s), format_time(e), n) for s, e, n in large[:EPISODES_LISTED])
    return BurstCause(listed)


def top_consumers(records: Iterable[CompactRecord] | Iterable[AnsweredRecord]) -> tuple[ConsumerShare, ...]:
    """The group's consumers with the most records (at most TOP_CONSUMERS; ties by consumer), each
    with its share of all the group's records."""
    counts: dict[str, int] = {}
    count = 0
    for record in records:
        count += 1
        if record.consumer:
            counts[record.consumer] = counts.get(record.consumer, 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_CONSUMERS]
    return tuple(ConsumerShare(consumer, n, _share(n, count)) for consumer, n in ranked)


def _share(records: int, count: int) -> float:
    return _round3(records, count)


def _round3(numerator: int, denominator: int) -> float:
    """3 decimals of the exact ratio, a half to even (`1/16` -> 0.062): no float error decides. In
    integers (what `round(Fraction(n, d), 3)` computes, at a tenth of its cost: a group's shares)."""
    thousandths, rest = divmod(1000 * numerator, denominator)
    if 2 * rest > denominator or (2 * rest == denominator and thousandths % 2):
        thousandths += 1
    return thousandths / 1000  # the double nearest the decimal, as float(Fraction(thousandths, 1000))
