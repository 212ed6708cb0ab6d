"""The steps that turn the run's cause facts into each group's causes.

Each chunk contributes its `CauseFacts` (compact integer arrays, transforms/aggregation/cause_facts.py)
cut into buckets by consumer key, never one element a record. A bucket's facts reach one place —
through files (beam_spill.py, the batch job) or merged as values by `MergeFn(CauseFacts)` (a lifted
combiner, beam_merge.py) — where they answer the lookups of its consumers' group records
(`AnswerGroupsFn`); a group's answers from every bucket meet its stats in the join, where the rules
of DOMAIN.md §8 give its causes and top consumers. No step holds more than one bucket of the run's
calls (the whole run's facts as one value once cost a worker and the runner 250 MB each at 4M records).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import apache_beam as beam

from statuslens.transforms.aggregation.cause_facts import CauseFacts
from statuslens.transforms.aggregation.cause_lookup import GroupAnswers, answer_groups, causes_of
from statuslens.transforms.model.groups import AnomalyGroup, GroupKey, GroupStats

__all__ = ["AnswerGroupsFn", "with_causes", "without_causes"]


class AnswerGroupsFn(beam.DoFn):
    """(bucket, merged CauseFacts) -> (GroupKey as a plain tuple, GroupAnswers) for each anomaly group
    with records in the bucket."""

    def process(self, element: tuple[int, CauseFacts]) -> Iterator[tuple[tuple[Any, ...], GroupAnswers]]:
        _, facts = element
        for key, answers in answer_groups(facts):
            yield tuple(key), answers  # plain tuple: the anomaly groups' shuffle key (beam_analyze.py)


def with_causes(limit: int) -> Any:
    """The join's function: a group's stats and its answers from every bucket -> the AnomalyGroup,
    its causes and top consumers found over the merged answers (`limit`: calls per second)."""

    def join(key: tuple[Any, ...], joined: dict[str, list[Any]]) -> Iterator[AnomalyGroup]:
        merged = GroupAnswers()
        for answers in joined["answers"]:
            merged.merge(answers)
        causes, top = causes_of(merged, limit)
        for stats in joined["stats"]:
            assert isinstance(stats, GroupStats)
            yield AnomalyGroup.from_stats(GroupKey(*key), stats, causes, top)

    return join


def without_causes(key: tuple[Any, ...], stats: GroupStats) -> AnomalyGroup:
    """A group of a run that did not look for causes (`batch --no-causes`): they are unknown, not none."""
    return AnomalyGroup.from_stats(GroupKey(*key), stats, causes_known=False)
