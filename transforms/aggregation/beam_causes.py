"""The step that turns the run's merged cause facts into each group's causes.

Each chunk contributes one `CauseFacts` (compact integer arrays, transforms/aggregation/cause_facts.py),
never one element a record; `MergeFn(CauseFacts)` (beam_merge.py) lifts, so facts are merged on each
worker before the shuffle,
and the merged facts give every group its causes and top consumers (DOMAIN.md §8) in one step.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import apache_beam as beam

from statuslens.transforms.aggregation.cause_facts import CauseFacts
from statuslens.transforms.aggregation.cause_lookup import GroupCauses, find_causes
from statuslens.transforms.model.causes import Cause, ConsumerShare
from statuslens.transforms.model.groups import AnomalyGroup, GroupKey, GroupStats

__all__ = ["FindCausesFn", "with_causes", "without_causes"]

Found = tuple[tuple[Cause, ...], tuple[ConsumerShare, ...]]


class FindCausesFn(beam.DoFn):
    """Merged CauseFacts -> (GroupKey, (causes, top consumers)) for each anomaly group."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def process(
        self, facts: CauseFacts
    ) -> Iterator[tuple[tuple[Any, ...], tuple[tuple[Cause, ...], tuple[ConsumerShare, ...]]]]:
        found: GroupCauses
        for found in find_causes(facts, self.limit):
            key, causes, top = found
            yield tuple(key), (causes, top)  # plain tuple: the anomaly groups' shuffle key (beam_analyze.py)


def with_causes(key: tuple[Any, ...], joined: dict[str, list[Any]]) -> Iterator[AnomalyGroup]:
    """A group's stats and its causes, joined by (plain-tuple) key, -> the AnomalyGroup."""
    found: list[Found] = list(joined["causes"])
    causes, top = found[0] if found else ((), ())
    for stats in joined["stats"]:
        assert isinstance(stats, GroupStats)
        yield AnomalyGroup.from_stats(GroupKey(*key), stats, causes, top)


def without_causes(key: tuple[Any, ...], stats: GroupStats) -> AnomalyGroup:
    """A group of a run that did not look for causes (`batch --no-causes`): they are unknown, not none."""
    return AnomalyGroup.from_stats(GroupKey(*key), stats, causes_known=False)
