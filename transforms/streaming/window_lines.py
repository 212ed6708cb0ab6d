"""A stream window's lines and alerts at one firing: the pure rules, given the pane and the window so far.

Group and summary lines are the firing's increment (counts add up over a window's lines); causes and
top consumers are DOMAIN.md §8 over the window's records so far (every record of the window up to
this firing, documented ones included), so a burst that spans two firings is judged whole. An empty
firing writes nothing. A consumer-second over the limit is alerted once, the first firing it is seen
over the limit.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableSet
from dataclasses import dataclass, field
from typing import Any

from statuslens.transforms.model.groups import AnomalyGroup
from statuslens.transforms.model.times import format_time
from statuslens.transforms.outputs.summary import summary_counts
from statuslens.transforms.streaming.panes import Pane

__all__ = ["WindowLines", "new_anomaly_alert", "original_fields", "rate_alert", "window_lines"]


@dataclass
class WindowLines:
    groups: list[dict[str, Any]] = field(default_factory=list)  # `"kind": "anomaly"` lines
    summary: dict[str, Any] | None = None  # the `"kind": "summary"` line, None for an empty firing
    rate_alerts: list[dict[str, Any]] = field(default_factory=list)
    candidates: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (group id, new_anomaly alert)


def original_fields(name: str, time_ms: int | None, shift_ms: int | None) -> dict[str, Any]:
    """`<name>_original`: an event time on the log's own clock, when a `--retime` replay shifted it."""
    if not shift_ms or time_ms is None:
        return {}
    return {f"{name}_original": format_time(time_ms - shift_ms)}


def new_anomaly_alert(
    group: AnomalyGroup, window: Mapping[str, Any], first_ms: int | None = None, shift_ms: int | None = None
) -> dict[str, Any]:
    """The `new_anomaly` alert of a group first seen in `window`: the group's key fields, its figures
    in that firing, when and where it was first seen (`first_ms` and the `--retime` shift add the
    time on the log's own clock), why, one example URL, and its causes."""
    found = group.to_json()
    return {
        "kind": "new_anomaly",
        **group.key_json(),
        "count": group.count,
        "first_seen": group.first_seen,
        **original_fields("first_seen", first_ms, shift_ms),
        "last_seen": group.last_seen,
        "consumers": group.consumers,
        "window_start": window["window_start"],
        "window_end": window["window_end"],
        "explanation": group.explanation,
        "example": group.samples[0].url if group.samples else None,
        "causes": found["causes"],
        "top_consumers": found["top_consumers"],
    }


def rate_alert(
    consumer: str, second_ms: int, calls: int, over_qps: int, limit: int, shift_ms: int | None = None
) -> dict[str, Any] | None:
    """The rate-limit alert for one consumer in one calendar second, or None within the limit."""
    if calls <= limit:
        return None
    second = format_time(second_ms)
    return {
        "kind": "rate_limit",
        "consumer": consumer,
        "second": second,
        **original_fields("second", second_ms, shift_ms),
        "calls": calls,
        "limit": limit,
        "over_qps_answers": over_qps,
        "throttled": over_qps > 0,
    }


def window_lines(
    window: Mapping[str, Any], pane: Pane, so_far: Pane, limit: int, alerted: MutableSet[tuple[str, int]]
) -> WindowLines:
    """The lines and alerts of one firing. `so_far` already includes `pane`; `alerted` holds the
    window's consumer-seconds alerted before and gains the new ones."""
    out = WindowLines()
    if not pane.counts.records_in:
        return out
    shift = so_far.shift_ms
    keys = [key for key, stats in pane.groups.items() if stats.count]
    found = {key: (causes, top) for key, causes, top in so_far.facts.causes(limit, only=frozenset(keys))}
    groups = []
    for key in keys:
        causes, top = found.get(key, ((), ()))
        groups.append(AnomalyGroup.from_stats(key, pane.groups[key], causes, top))
    for group in sorted(groups, key=AnomalyGroup.sort_key):
        stats = pane.groups[group.key]
        first_ms = stats.first[0] if stats.first is not None else None
        line = {"kind": "anomaly", **group.to_json(), **window}
        line.update(original_fields("first_seen", first_ms, shift))
        line.update(original_fields("last_seen", stats.last_ms, shift))
        out.groups.append(line)
        out.candidates.append((group.id, new_anomaly_alert(group, window, first_ms, shift)))
    fields = summary_counts(pane.counts)
    del fields["blank_lines"]  # the shipper sends no blank lines
    out.summary = {"kind": "summary", **fields, **window}
    for consumer, second, calls in so_far.facts.seconds_over(limit):
        if (consumer, second) in alerted:
            continue
        alerted.add((consumer, second))
        alert = rate_alert(consumer, second * 1000, calls, so_far.over_qps.get((consumer, second), 0), limit, shift)
        if alert is not None:
            out.rate_alerts.append(alert)
    return out
