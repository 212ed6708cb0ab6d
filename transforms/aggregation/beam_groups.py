"""Anomaly groups (DOMAIN.md §6 `anomalies.jsonl`) as a Beam CombineFn.

Values are small (an order key and one annotated record); the accumulator keeps a count, the time
range, the distinct consumers and the 3 earliest records, so the combiner lifts: partial groups are
merged on each worker before anything is shuffled.
"""

from __future__ import annotations

from typing import Any

import apache_beam as beam
import orjson

from statuslens.transforms.aggregation.analyzer import GroupKey, GroupValue
from statuslens.transforms.model.groups import normalize_message
from statuslens.transforms.model.times import format_time

__all__ = ["SAMPLES_PER_GROUP", "GroupAccumulator", "GroupFn", "group_id", "group_sort_key", "render_group"]

SAMPLES_PER_GROUP = 3
# [count, first order key, last time_ms, consumers, samples (order, record) sorted, first record]
GroupAccumulator = list[Any]


class GroupFn(beam.CombineFn):
    """Count, time range, distinct consumers and earliest samples of one group."""

    def __init__(self, samples: int = SAMPLES_PER_GROUP) -> None:
        self.samples = samples

    def create_accumulator(self) -> GroupAccumulator:
        return [0, None, None, set(), []]

    def add_input(self, acc: GroupAccumulator, value: GroupValue) -> GroupAccumulator:
        order, record = value
        acc[0] += 1
        if acc[1] is None or order < acc[1]:
            acc[1] = order
        if acc[2] is None or order[0] > acc[2]:
            acc[2] = order[0]
        consumer = record.get("consumer")
        if consumer:
            acc[3].add(consumer)
        samples = acc[4]
        if len(samples) < self.samples or order < samples[-1][0]:
            samples.append((order, record))
            samples.sort(key=lambda s: s[0])
            del samples[self.samples :]
        return acc

    def merge_accumulators(self, accumulators: Any) -> GroupAccumulator:
        merged = self.create_accumulator()
        for acc in accumulators:
            merged[0] += acc[0]
            if acc[1] is not None and (merged[1] is None or acc[1] < merged[1]):
                merged[1] = acc[1]
            if acc[2] is not None and (merged[2] is None or acc[2] > merged[2]):
                merged[2] = acc[2]
            merged[3] |= acc[3]
            merged[4].extend(acc[4])
        merged[4].sort(key=lambda s: s[0])
        del merged[4][self.samples :]
        return merged

    def extract_output(self, acc: GroupAccumulator) -> dict[str, Any]:
        samples = [dict(record) for _, record in acc[4]]
        first = samples[0] if samples else {}
        explanation = first.get("explanation")
        for sample in samples:
            sample.pop("explanation", None)
        return {
            "count": acc[0],
            "first_seen": format_time(acc[1][0]) if acc[1] is not None else None,
            "last_seen": format_time(acc[2]) if acc[2] is not None else None,
            "consumers": len(acc[3]),
            "samples": samples,
            "explanation": explanation,
        }


def render_group(key: GroupKey, stats: dict[str, Any]) -> dict[str, Any]:
    """One `anomalies.jsonl` object: the six key fields (message as first seen), then the rest."""
    verdict, status_code, sub_code, _, method, resource = key
    first = stats["samples"][0] if stats["samples"] else {}
    return {
        "verdict": verdict,
        "status_code": status_code,
        "sub_code": sub_code,
        "message": first.get("message"),
        "method": method,
        "resource": resource,
        "count": stats["count"],
        "first_seen": stats["first_seen"],
        "last_seen": stats["last_seen"],
        "consumers": stats["consumers"],
        "samples": stats["samples"],
        "explanation": stats["explanation"],
    }


def group_sort_key(group: dict[str, Any]) -> tuple[Any, ...]:
    """Count descending, then the group key (None sorts first, numbers and text kept apart)."""
    sub = group["sub_code"]
    return (
        -group["count"],
        group["verdict"],
        group["status_code"],
        (0, 0, "") if sub is None else (1, sub, "") if isinstance(sub, int) else (2, 0, str(sub)),
        normalize_message(group["message"] or ""),
        group["method"],
        group["resource"],
    )


def group_id(group: dict[str, Any]) -> str:
    """A rendered group's key as one string (verdict, code, subcode, normalized message, method,
    resource): how cron's state and the stream's alerts recognise a group across runs."""
    return orjson.dumps(
        [
            group["verdict"],
            group["status_code"],
            group["sub_code"],
            normalize_message(group["message"] or ""),
            group["method"],
            group["resource"],
        ]
    ).decode()
