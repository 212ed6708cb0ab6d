"""Flagged records by flag (DOMAIN.md §6) as a Beam CombineFn. (The anomaly groups meet their causes
in one GroupByKey instead, transforms/aggregation/group_parts.py.)

Values are small (an order key, one annotated record and its explanation); the accumulator is a
`GroupStats` (transforms/model/groups.py), so the combiner lifts: partial groups are merged on each
worker before anything is shuffled.
"""

from __future__ import annotations

from collections.abc import Iterable

import apache_beam as beam

from statuslens.transforms.collector import tune_collector
from statuslens.transforms.model.groups import SAMPLES_PER_GROUP, GroupStats, Sample

__all__ = ["GroupFn"]


class GroupFn(beam.CombineFn):
    """(order, record, explanation) values of one key -> their GroupStats, `samples` earliest kept."""

    def __init__(self, samples: int = SAMPLES_PER_GROUP) -> None:
        self.samples = samples

    def setup(self) -> None:
        tune_collector()  # a worker that merges flagged records without having analysed any

    def create_accumulator(self) -> GroupStats:
        return GroupStats(self.samples)

    def add_input(self, acc: GroupStats, value: Sample) -> GroupStats:
        order, record, explanation = value
        return acc.add(order, record, explanation)

    def merge_accumulators(self, accumulators: Iterable[GroupStats]) -> GroupStats:
        return GroupStats.merged(accumulators, self.samples)

    def extract_output(self, acc: GroupStats) -> GroupStats:
        return acc
