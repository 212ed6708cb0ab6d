"""The run's causes from its merged `CauseFacts`: the rules' two lookups answered a consumer at a time.

Only the consumers of anomaly-group records are looked up, and only at the seconds and (request,
time) pairs of those records: one pass over the call parts, one consumer's run at a time, counts the
calls in each asked second (binary search in the run's sorted times) and searches the run's
successes that could be a retry (the asked requests, within 60 s after an asked time) in one sorted
(request, time) search, keeping only each record's earliest retry so far. Memory is the asked
records and one part (decoded when it is read), never the whole run's calls or successes.

`answer_groups` does that for one bucket of facts (`CauseFacts.buckets`: a consumer's calls are all
in its bucket) and gives each group's `GroupAnswers`; a group's answers from every bucket merge, and
`causes_of` applies the rules to them. `find_causes` is the three steps over facts held in one piece
(a stream window's).
"""

from __future__ import annotations

from array import array
from collections.abc import Collection, Iterator
from typing import Any

import numpy as np
import numpy.typing as npt

from statuslens.transforms.aggregation.cause_facts import CauseFacts, consumer_runs
from statuslens.transforms.aggregation.causes import RETRY_WINDOW_MS, AnsweredRecord, answered_causes, top_consumers
from statuslens.transforms.model.causes import Cause, ConsumerShare
from statuslens.transforms.model.groups import GroupKey

__all__ = ["GroupAnswers", "GroupCauses", "answer_groups", "causes_of", "find_causes"]

GroupCauses = tuple[GroupKey, tuple[Cause, ...], tuple[ConsumerShare, ...]]
Answered = tuple[GroupKey, "GroupAnswers"]
Ints = npt.NDArray[np.int64]
_COMPOSITE_LIMIT = 1 << 62  # (request rank, time) packed in one int64 below this
_NO_RETRY = np.iinfo(np.int64).max  # a pair's earliest retry while none is found


class _Asked:
    """One consumer's lookups: the seconds of its group records, and their (request key, time) pairs."""

    __slots__ = (
        "best",
        "calls",
        "first",
        "keys",
        "last",
        "lows",
        "pair_of",
        "ranks",
        "second_of",
        "seconds",
        "times",
    )

    def __init__(self, keys: Ints, times: Ints) -> None:
        self.seconds, self.second_of = np.unique(np.floor_divide(times, 1000), return_inverse=True)  # calendar
        self.lows: Ints = self.seconds * 1000
        self.calls: Ints = np.zeros(len(self.seconds), dtype=np.int64)
        pairs, self.pair_of = np.unique(np.stack((keys, times)), axis=1, return_inverse=True)
        self.keys: Ints = pairs[0]
        self.times: Ints = pairs[1]  # in (key, time) order
        self.first, self.last = int(self.times.min()), int(self.times.max())
        self.ranks: Ints = np.unique(self.keys)
        self.best: Ints = np.full(len(self.keys), _NO_RETRY, dtype=np.int64)  # earliest retry a pair

    def add_calls(self, times: Ints, keys: Ints) -> None:
        """One part's run of this consumer's calls (sorted by time). Its successes that could be a
        retry are searched at once and only each pair's earliest retry so far is kept: memory is the
        asked records and one part, however many parts (and calls) the consumer has."""
        self.calls += times.searchsorted(self.lows + 1000, "left") - times.searchsorted(self.lows, "left")
        highest = self.last + RETRY_WINDOW_MS
        window = slice(int(times.searchsorted(self.first, "right")), int(times.searchsorted(highest, "right")))
        keys, times = keys[window], times[window]
        maybe = self.ranks[np.minimum(self.ranks.searchsorted(keys), len(self.ranks) - 1)] == keys
        if maybe.any():
            found, retry = self._earliest(keys[maybe], times[maybe])
            np.minimum(self.best, np.where(found, retry, _NO_RETRY), out=self.best)

    def answers(self) -> tuple[Ints, Ints]:
        """Per asked record (in the order given): its consumer's calls in its second, and the delay to
        its earliest retry (-1: none)."""
        delays = np.where(self.best != _NO_RETRY, self.best - self.times, -1)
        return self.calls[self.second_of.reshape(-1)], delays[self.pair_of.reshape(-1)]

    def _earliest(self, keys: Ints, times: Ints) -> tuple[npt.NDArray[np.bool_], Ints]:
        """Per asked (key, time) pair whether one of these successes falls in (time, time + 60 s], and which."""
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
        return found, retry


def _earliest_in(found: Ints, asked: Ints) -> tuple[npt.NDArray[np.bool_], Ints]:
    """For sorted success times `found`: whether each asked time has one in (t, t + 60 s], and which."""
    if not len(found):
        return np.zeros(len(asked), dtype=bool), asked
    at = np.minimum(found.searchsorted(asked, "right"), len(found) - 1)
    retry = found[at]
    return (retry > asked) & (retry <= asked + RETRY_WINDOW_MS), retry


class GroupAnswers:
    """A group's records with their lookups answered, as columns (from one bucket, or merged from all):
    times (ms), consumer keys (0: none), calls of that consumer in that second, delay to the earliest
    retry (-1: none), and the consumers' names."""

    __slots__ = ("calls", "consumers", "names", "retries", "times")

    def __init__(self) -> None:
        self.times: array[int] = array("q")
        self.consumers: array[int] = array("q")
        self.calls: array[int] = array("q")
        self.retries: array[int] = array("q")
        self.names: dict[int, str] = {}

    def merge(self, other: GroupAnswers) -> GroupAnswers:
        for mine, theirs in zip(self._columns(), other._columns(), strict=True):
            mine.extend(theirs)
        self.names.update(other.names)
        return self

    def _columns(self) -> tuple[array[int], ...]:
        return self.times, self.consumers, self.calls, self.retries

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as one run of the four columns' raw int64s (as the cause facts' parts are: a run's
        processes share one byte order) and the names: each group's answers are pickled on their way
        to its records, and four arrays pickled one by one took 10.6 µs each way, this about 1."""
        columns = b"".join(column.tobytes() for column in self._columns())
        return _restored_answers, (columns, self.names)

    def records(self) -> list[AnsweredRecord]:
        names = self.names
        return [
            AnsweredRecord(time_ms, names[who], calls, None if retry < 0 else retry)
            if who
            else AnsweredRecord(time_ms, None, 0, None)
            for time_ms, who, calls, retry in zip(self.times, self.consumers, self.calls, self.retries, strict=True)
        ]


def _restored_answers(columns: bytes, names: dict[int, str]) -> GroupAnswers:
    """The GroupAnswers `GroupAnswers.__reduce__` pickled."""
    answers = GroupAnswers()
    size = len(columns) // 4
    for at, column in enumerate(answers._columns()):
        column.frombytes(columns[at * size : (at + 1) * size])
    answers.names = names
    return answers


def answer_groups(facts: CauseFacts, only: Collection[GroupKey] | None = None) -> Iterator[Answered]:
    """Each group's records of these facts with their lookups answered from these facts' calls (all of
    the calls of the groups' consumers: the whole run, or a whole bucket of it). `only` limits the groups."""
    records = facts.groups
    if not len(records):
        return
    times, consumers, requests = records.column("times"), records.column("consumers"), records.column("requests")
    # Only the `only` groups' records are answered (and only their consumers looked up).
    answered = np.array([only is None or key in only for key in records.keys], dtype=bool)
    chosen = np.flatnonzero(answered[records.column("groups")])
    calls = np.zeros(len(times), dtype=np.int64)
    retries = np.full(len(times), -1, dtype=np.int64)
    asked = chosen[consumers[chosen] != 0]
    asked = asked[np.argsort(consumers[asked], kind="stable")]
    wanted, starts = np.unique(consumers[asked], return_index=True)
    ends = [*starts[1:].tolist(), len(asked)] if len(asked) else []
    lookups: dict[int, tuple[_Asked, Ints]] = {}
    for who, start, end in zip(wanted.tolist(), starts.tolist(), ends, strict=True):
        mine = asked[start:end]
        lookups[who] = (_Asked(requests[mine], times[mine]), mine)
    for part in facts.calls:
        for who, run_times, run_keys in consumer_runs(part, wanted):
            lookups[who][0].add_calls(run_times, run_keys)
    for lookup, mine in lookups.values():
        calls[mine], retries[mine] = lookup.answers()
    names = records.names
    for at, (group, mine) in enumerate(records.by_group()):
        if not answered[at]:
            continue
        answers = GroupAnswers()
        for target, source in zip(answers._columns(), (times, consumers, calls, retries), strict=True):
            target.frombytes(source[mine].tobytes())
        answers.names = {key: names[key] for key in set(answers.consumers) if key}
        yield group, answers


def causes_of(answers: GroupAnswers, limit: int) -> tuple[tuple[Cause, ...], tuple[ConsumerShare, ...]]:
    """A group's causes and top consumers from its answers (every bucket's, merged)."""
    records = answers.records()
    return answered_causes(records, limit), top_consumers(records)


def find_causes(facts: CauseFacts, limit: int, only: Collection[GroupKey] | None = None) -> Iterator[GroupCauses]:
    """Each group's causes and top consumers, over the records the facts hold (a batch run's whole
    input: call once, at the end; a stream window's records so far). `only` limits the groups answered
    (and the consumers looked up to theirs; the lookups still see every call)."""
    for group, answers in answer_groups(facts, only):
        yield (group, *causes_of(answers, limit))
