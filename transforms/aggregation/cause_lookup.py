"""The run's causes from its merged `CauseFacts`: the rules' two lookups answered a part at a time.

Only the consumers of anomaly-group records are looked up, and only at the seconds and (request,
time) pairs of those records: one pass over the call parts, each part in a few array operations for
all its consumers (`_Lookups`), counts the calls in each asked (consumer, second) and searches the
part's successes that could be a retry (the asked consumers and requests) in one sorted
(consumer and request, time) search, keeping only each record's earliest retry so far. Memory is the asked
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

from statuslens.transforms.aggregation.cause_facts import CallPart, CauseFacts, decode_part
from statuslens.transforms.aggregation.causes import RETRY_WINDOW_MS, AnsweredRecord, answered_causes, top_consumers
from statuslens.transforms.model.causes import Cause, ConsumerShare
from statuslens.transforms.model.groups import GroupKey

__all__ = ["GroupAnswers", "GroupCauses", "answer_groups", "causes_of", "find_causes"]

GroupCauses = tuple[GroupKey, tuple[Cause, ...], tuple[ConsumerShare, ...]]
Answered = tuple[GroupKey, "GroupAnswers"]
Ints = npt.NDArray[np.int64]
_COMPOSITE_LIMIT = 1 << 62  # (rank, rank) packed in one int64 below this
_NO_RETRY = np.iinfo(np.int64).max  # a pair's earliest retry while none is found


class _Lookups:
    """The lookups of every asked record of a bucket at once: the calls of its consumer in its
    second, and the earliest success of its consumer and request within 60 s after it.

    Each part is searched in a few array operations whatever its number of consumers (a Python step
    a consumer and part cost 0.26 ms: 1,444 consumers took 0.37 s of one bucket). Calls and asked
    records become one sorted int64 each: (consumer rank, second rank) for the seconds, (pair rank,
    time rank) for the retries, ranks among the asked values so that the products stay far below
    2^62 (`_COMPOSITE_LIMIT`) for any run that fits in memory."""

    __slots__ = (
        "best",
        "calls",
        "consumers",
        "keys",
        "pair_ids",
        "pair_of",
        "pairs",
        "second_ids",
        "second_of",
        "seconds",
        "times",
    )

    def __init__(self, consumers: Ints, keys: Ints, times: Ints) -> None:
        self.consumers: Ints = np.unique(consumers)  # the asked consumers' keys, sorted
        ranks = self.consumers.searchsorted(consumers)
        asked_seconds = np.floor_divide(times, 1000)  # the calendar second
        self.seconds: Ints = np.unique(asked_seconds)
        second_ids = _packed(ranks, self.seconds.searchsorted(asked_seconds), len(self.seconds))
        self.second_ids, self.second_of = np.unique(second_ids, return_inverse=True)
        self.calls: Ints = np.zeros(len(self.second_ids), dtype=np.int64)
        self.keys: Ints = np.unique(keys)  # the asked requests' keys, sorted
        self.pair_ids, pair_ranks = np.unique(
            _packed(ranks, self.keys.searchsorted(keys), len(self.keys)), return_inverse=True
        )  # (consumer, request) pairs
        pairs, self.pair_of = np.unique(np.stack((pair_ranks.reshape(-1), times)), axis=1, return_inverse=True)
        self.pairs: Ints = pairs[0]
        self.times: Ints = pairs[1]  # in (pair, time) order
        self.best: Ints = np.full(len(self.times), _NO_RETRY, dtype=np.int64)  # earliest retry a (pair, time)

    def add_part(self, part: CallPart) -> None:
        """One part's calls: counted in the asked seconds, and searched for retries (only each asked
        record's earliest so far is kept, so memory is the asked records and one part)."""
        consumers, counts, times, keys = decode_part(part)
        at = np.minimum(self.consumers.searchsorted(consumers), len(self.consumers) - 1)
        asked = self.consumers[at] == consumers
        if not asked.any():
            return
        of_call = np.repeat(np.where(asked, at, -1), counts)
        mine = of_call >= 0
        ranks, times, keys = of_call[mine], times[mine], keys[mine]
        self._count(ranks, np.floor_divide(times, 1000))
        self._retries(ranks, times, keys)

    def _count(self, ranks: Ints, seconds: Ints) -> None:
        at = np.minimum(self.seconds.searchsorted(seconds), len(self.seconds) - 1)
        within = self.seconds[at] == seconds
        ids = _packed(ranks[within], at[within], len(self.seconds))  # a joined part's runs: not sorted
        found = np.minimum(self.second_ids.searchsorted(ids), len(self.second_ids) - 1)
        asked = found[self.second_ids[found] == ids]
        self.calls += np.bincount(asked, minlength=len(self.second_ids))

    def _retries(self, ranks: Ints, times: Ints, keys: Ints) -> None:
        at = np.minimum(self.keys.searchsorted(keys), len(self.keys) - 1)
        maybe = self.keys[at] == keys  # a success of an asked request (failures' key is 0: never asked)
        ids = _packed(ranks[maybe], at[maybe], len(self.keys))
        found_at = np.minimum(self.pair_ids.searchsorted(ids), len(self.pair_ids) - 1)
        maybe_pair = self.pair_ids[found_at] == ids
        if not maybe_pair.any():
            return
        pairs, times = found_at[maybe_pair], times[maybe][maybe_pair]
        moments = np.unique(np.concatenate((self.times, times)))  # time ranks: equal times, equal ranks
        found = _packed(pairs, moments.searchsorted(times), len(moments))
        order = np.argsort(found, kind="stable")
        found, times = found[order], times[order]
        wanted = _packed(self.pairs, moments.searchsorted(self.times), len(moments))
        at = np.minimum(found.searchsorted(wanted, "right"), len(found) - 1)  # the next later success
        retry = times[at]
        hit = (found[at] > wanted) & (found[at] // len(moments) == wanted // len(moments))
        hit &= retry <= self.times + RETRY_WINDOW_MS
        np.minimum(self.best, np.where(hit, retry, _NO_RETRY), out=self.best)

    def answers(self) -> tuple[Ints, Ints]:
        """Per asked record (in the order given): its consumer's calls in its second, and the delay to
        its earliest retry (-1: none)."""
        delays = np.where(self.best != _NO_RETRY, self.best - self.times, -1)
        return self.calls[self.second_of.reshape(-1)], delays[self.pair_of.reshape(-1)]


def _packed(high: Ints, low: Ints, size: int) -> Ints:
    """(high, low) pairs, `low` below `size`, as one int64 each: ordered as the pairs are."""
    if (int(high.max()) + 1 if len(high) else 0) * size >= _COMPOSITE_LIMIT:
        raise ValueError(f"too many distinct lookups to pack ({size} x {int(high.max()) + 1})")
    return high * size + low


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
    if len(asked):
        lookups = _Lookups(consumers[asked], requests[asked], times[asked])
        for part in facts.calls:
            lookups.add_part(part)
        calls[asked], retries[asked] = lookups.answers()
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
