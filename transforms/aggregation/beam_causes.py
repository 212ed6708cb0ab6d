"""The steps that turn the run's cause facts into each group's causes.

Each chunk contributes its `CauseFacts` (compact integer arrays, transforms/aggregation/cause_facts.py)
cut into buckets by consumer key, never one element a record. A bucket's facts reach one place —
through files (beam_spill.py, the batch job) or merged as values by `MergeFn(CauseFacts)` (a lifted
combiner, beam_merge.py) — where they answer the lookups of its consumers' group records
(`AnswerGroupsFn`); a group's answers from every bucket meet its records' stats in one place, where
the rules of DOMAIN.md §8 give its causes and top consumers. No step holds more than one bucket of the run's
calls (the whole run's facts as one value once cost a worker and the runner 250 MB each at 4M records).

A group's records and its answers are values of one key, merged by each stage (group_parts.py) and
handed on once: through files cut into partitions of the keys when the run has a temporary folder
(beam_part_files.py, `from_files`), else through one GroupByKey. A combine of the records followed
by a CoGroupByKey with the answers shuffled every group twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import apache_beam as beam

from statuslens.transforms.aggregation.beam_part_files import parts_of, write_parts
from statuslens.transforms.aggregation.cause_facts import CauseFacts
from statuslens.transforms.aggregation.cause_lookup import GroupAnswers, answer_groups, causes_of
from statuslens.transforms.aggregation.group_parts import GroupParts, merged_parts, packed
from statuslens.transforms.collector import tune_collector
from statuslens.transforms.model.groups import AnomalyGroup, GroupKey

__all__ = ["AnswerGroupsFn", "from_files", "with_causes", "without_causes"]


class AnswerGroupsFn(beam.DoFn):
    """(bucket, merged CauseFacts) -> (GroupKey as a plain tuple, its answers as `packed` GroupParts)
    for each anomaly group with records in the bucket; with a spill folder, the (partition, path) of
    the files they were written to instead (beam_part_files.py)."""

    def __init__(self, spill: str | None = None) -> None:
        self.spill = spill

    def setup(self) -> None:
        tune_collector()

    def process(self, element: tuple[int, CauseFacts]) -> Iterator[Any]:
        _, facts = element
        # plain-tuple keys: the anomaly groups' shuffle key (beam_analyze.py)
        answered = ((tuple(key), packed(GroupParts(answers=answers))) for key, answers in answer_groups(facts))
        return answered if self.spill is None else write_parts(self.spill, answered)


def with_causes(limit: int) -> Any:
    """A group's shuffled parts -> the AnomalyGroup, its causes and top consumers found over its
    answers from every bucket (`limit`: calls per second). A key with answers and no records is no group."""

    def render(key: tuple[Any, ...], values: Iterable[bytes]) -> Iterator[AnomalyGroup]:
        parts = merged_parts(values)
        if parts.stats is not None:
            causes, top = causes_of(parts.answers if parts.answers is not None else GroupAnswers(), limit)
            yield AnomalyGroup.from_stats(GroupKey(*key), parts.stats, causes, top)

    return render


def without_causes(key: tuple[Any, ...], values: Iterable[bytes]) -> Iterator[AnomalyGroup]:
    """A group of a run that did not look for causes (`batch --no-causes`): they are unknown, not none."""
    stats = merged_parts(values).stats
    if stats is not None:
        yield AnomalyGroup.from_stats(GroupKey(*key), stats, causes_known=False)


def from_files(render: Any) -> Any:
    """`render` (with_causes' or without_causes') over a partition's files: (partition, paths) ->
    the AnomalyGroup of each key in them."""

    def render_partition(partition: int, paths: Iterable[str]) -> Iterator[AnomalyGroup]:
        for key, values in parts_of(paths):
            yield from render(key, values)

    return render_partition
