"""The steps that turn the run's cause facts into each group's causes.

Each chunk contributes its `CauseFacts` (compact integer arrays, transforms/aggregation/cause_facts.py)
cut into buckets by consumer key, never one element a record. A bucket's facts reach one place —
through files (beam_spill.py, the batch job) or merged as values by `MergeFn(CauseFacts)` (a lifted
combiner, beam_merge.py) — where they answer the lookups of its consumers' group records
(`AnswerGroupsFn`); a group's answers from every bucket meet its stats in the join, where the rules
of DOMAIN.md §8 give its causes and top consumers. No step holds more than one bucket of the run's
calls (the whole run's facts as one value once cost a worker and the runner 250 MB each at 4M records).

The join is the groups' own combine (`GroupCausesFn`): a group's records and its answers are values
of one key, so each group is pickled and shuffled once. A combine of the records followed by a
CoGroupByKey with the answers shuffled every group twice (100,000 one-record groups: about 60 µs a
group of pickling, unpickling and grouping saved).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import apache_beam as beam

from statuslens.transforms.aggregation.cause_facts import CauseFacts
from statuslens.transforms.aggregation.cause_lookup import GroupAnswers, answer_groups, causes_of
from statuslens.transforms.collector import tune_collector
from statuslens.transforms.model.groups import AnomalyGroup, GroupKey, GroupStats, Sample

__all__ = ["AnswerGroupsFn", "GroupCausesFn", "GroupParts", "with_causes", "without_causes"]


class AnswerGroupsFn(beam.DoFn):
    """(bucket, merged CauseFacts) -> (GroupKey as a plain tuple, GroupAnswers) for each anomaly group
    with records in the bucket."""

    def process(self, element: tuple[int, CauseFacts]) -> Iterator[tuple[tuple[Any, ...], GroupAnswers]]:
        _, facts = element
        for key, answers in answer_groups(facts):
            yield tuple(key), answers  # plain tuple: the anomaly groups' shuffle key (beam_analyze.py)


class GroupParts:
    """A group's records so far (`GroupStats`) and its answers so far; each None until one arrives
    (a bucket's answers alone are pickled without an empty GroupStats beside them)."""

    __slots__ = ("answers", "stats")

    def __init__(self, stats: GroupStats | None = None, answers: GroupAnswers | None = None) -> None:
        self.stats = stats
        self.answers = answers

    def add_sample(self, sample: Sample) -> None:
        if self.stats is None:
            self.stats = GroupStats()
        order, record, explanation = sample
        self.stats.add(order, record, explanation)

    def merge(self, other: GroupParts) -> GroupParts:
        """Add `other`'s values to these; `other` is only read (a combiner's other accumulators)."""
        if other.stats is not None:
            self.stats = (self.stats if self.stats is not None else GroupStats()).merge(other.stats)
        if other.answers is not None:
            self.add_answers(other.answers)
        return self

    def add_answers(self, answers: GroupAnswers) -> None:
        """Add a bucket's answers (copied: an input or another accumulator is only read)."""
        self.answers = (self.answers if self.answers is not None else GroupAnswers()).merge(answers)

    def __reduce__(self) -> tuple[Any, ...]:
        return GroupParts, (self.stats, self.answers)


class GroupCausesFn(beam.CombineFn):
    """A group key's values -> its GroupParts. The values are the records' samples
    `(order, record, explanation)` from the analysis and the `GroupAnswers` of each bucket with
    records of the group; the combiner lifts, so partial groups merge before the shuffle."""

    def setup(self) -> None:
        tune_collector()  # a worker that merges groups without having analysed any

    def create_accumulator(self) -> GroupParts:
        return GroupParts()

    def add_input(self, parts: GroupParts, value: Sample | GroupAnswers) -> GroupParts:
        if isinstance(value, GroupAnswers):
            parts.add_answers(value)
        else:
            parts.add_sample(value)
        return parts

    def merge_accumulators(self, accumulators: Iterable[GroupParts]) -> GroupParts:
        parts = iter(accumulators)
        merged = next(parts, None) or GroupParts()  # Beam lets the first one grow; the others are read
        for other in parts:
            merged.merge(other)
        return merged

    def extract_output(self, parts: GroupParts) -> GroupParts:
        return parts


def with_causes(limit: int) -> Any:
    """The combined group -> the AnomalyGroup, its causes and top consumers found over its answers
    from every bucket (`limit`: calls per second). A key with answers and no records is no group."""

    def render(key: tuple[Any, ...], parts: GroupParts) -> Iterator[AnomalyGroup]:
        if parts.stats is not None:
            causes, top = causes_of(parts.answers if parts.answers is not None else GroupAnswers(), limit)
            yield AnomalyGroup.from_stats(GroupKey(*key), parts.stats, causes, top)

    return render


def without_causes(key: tuple[Any, ...], stats: GroupStats) -> AnomalyGroup:
    """A group of a run that did not look for causes (`batch --no-causes`): they are unknown, not none."""
    return AnomalyGroup.from_stats(GroupKey(*key), stats, causes_known=False)
