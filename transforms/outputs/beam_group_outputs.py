"""The anomaly groups on their way to the writing step, in a size that does not grow with their number.

A run can have a group a record (100,000 distinct messages are 100,000 groups). Handing every group
to the last step as one side input made it hold, pickle and size every group object at once. Instead:

- `SortedRunsFn` turns each group into its `anomalies.jsonl` line where the group is made, and
  writes the lines in sorted runs of at most RUN_LINES to the run's temporary folder; the last step
  merges the runs (`merge_runs`, a streaming k-way merge: one line a run in memory) into
  `anomalies.jsonl` and `new_anomalies.jsonl`.
- `PickReportFn` keeps what the reports show of the groups (report_pick.py), and `HoldRowEvidenceFn`,
  `row_evidence` and `TopRowsFn` the proposed rows, merged per row and cut to the first MAX_LISTED
  with their count.
"""

from __future__ import annotations

import contextlib
import heapq
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

import apache_beam as beam
import orjson
from apache_beam.io.filesystems import FileSystems
from apache_beam.transforms.window import GlobalWindows

from statuslens.transforms.aggregation.group_parts import Held, merged_packed
from statuslens.transforms.model.groups import AnomalyGroup
from statuslens.transforms.outputs.expectations import Expectations
from statuslens.transforms.outputs.proposals import Evidence, ProposedRow, evidence_of, row_of
from statuslens.transforms.outputs.report_model import MAX_ANOMALIES, MAX_LISTED
from statuslens.transforms.outputs.report_pick import ReportPick

__all__ = [
    "RUN_LINES",
    "HoldRowEvidenceFn",
    "PickReportFn",
    "ProposedRows",
    "SortedRunsFn",
    "TopRowsFn",
    "group_line",
    "merge_runs",
    "row_evidence",
]

RUN_LINES = 4096  # groups sorted in memory at once by a worker before their run is written
_NEW, _OLD = b"N", b"-"
ProposedRows = tuple[tuple[ProposedRow, ...], int]  # the first MAX_LISTED rows, and how many there are


def group_line(group: AnomalyGroup, reason: str | None) -> bytes:
    """The group's `anomalies.jsonl` line; an expected one ends with `"expected": {"reason": …}`."""
    doc = group.to_json()
    if reason is not None:
        doc["expected"] = {"reason": reason}
    return orjson.dumps(doc) + b"\n"


class SortedRunsFn(beam.DoFn):
    """AnomalyGroup -> its line, written with the others of the bundle in sorted runs
    `<temp>/groups-<uuid>.run` (each line: the sort key as JSON, a tab, N or -, the group's line);
    yields each run's path. `known`: cron's group ids (N marks a group not among them)."""

    def __init__(self, temp: str, expectations: Expectations | None, known: frozenset[str] | None) -> None:
        self.temp = temp
        self.expectations = expectations
        self.known = known
        self._lines: list[tuple[tuple[Any, ...], bytes, bytes]] = []

    def setup(self) -> None:
        if not FileSystems.exists(self.temp):
            with contextlib.suppress(OSError):  # another worker made it first
                FileSystems.mkdirs(self.temp)

    def start_bundle(self) -> None:
        self._lines = []

    def process(self, group: AnomalyGroup) -> Iterator[str]:
        reason = None if self.expectations is None else self.expectations.reason_for(group.key)
        new = _NEW if self.known is not None and group.id not in self.known else _OLD
        self._lines.append((group.sort_key(), new, group_line(group, reason)))
        if len(self._lines) >= RUN_LINES:
            yield self._write()

    def finish_bundle(self) -> Iterator[Any]:
        if self._lines:
            yield GlobalWindows.windowed_value(self._write())

    def _write(self) -> str:
        self._lines.sort(key=_first)
        path = FileSystems.join(self.temp, f"groups-{uuid.uuid4().hex}.run")
        with FileSystems.create(path) as handle:
            for order, new, line in self._lines:
                handle.write(orjson.dumps(order) + b"\t" + new + line)
        self._lines = []
        return path


def merge_runs(paths: Iterable[str]) -> Iterator[tuple[bool, bytes]]:
    """(new, line) of every group in the runs, in anomalies.jsonl's order: one line of each run held."""
    handles = [FileSystems.open(path) for path in sorted(paths)]
    try:
        yield from ((new, line) for _, new, line in heapq.merge(*map(_entries, handles), key=_first))
    finally:
        for handle in handles:
            handle.close()


def _entries(handle: Any) -> Iterator[tuple[list[Any], bool, bytes]]:
    for raw in handle:
        order, _, rest = raw.partition(b"\t")
        yield orjson.loads(order), rest[:1] == _NEW, rest[1:]


def _first(entry: tuple[Any, ...]) -> Any:
    return entry[0]


class PickReportFn(beam.CombineFn):
    """AnomalyGroups -> the ReportPick of them (what the reports show), lifted before the shuffle."""

    def __init__(self, expectations: Expectations | None, known: frozenset[str] | None) -> None:
        self.expectations = expectations
        self.known = known

    def create_accumulator(self) -> ReportPick:
        return ReportPick(MAX_ANOMALIES, MAX_LISTED)

    def add_input(self, pick: ReportPick, group: AnomalyGroup) -> ReportPick:
        reason = None if self.expectations is None else self.expectations.reason_for(group.key)
        return pick.add(group, reason, self.known is not None and group.id not in self.known)

    def merge_accumulators(self, picks: Iterable[ReportPick]) -> ReportPick:
        merged = self.create_accumulator()
        for pick in picks:
            merged.merge(pick)
        return merged

    def extract_output(self, pick: ReportPick) -> ReportPick:
        return pick


class HoldRowEvidenceFn(beam.DoFn):
    """AnomalyGroup -> (row key, its rows' Evidence `packed`), merged per row key in each bundle
    (group_parts.Held); nothing for a group an --expect entry names (never proposed)."""

    def __init__(self, expectations: Expectations | None) -> None:
        self.expectations = expectations
        self._held: Held[Evidence] = Held()

    def start_bundle(self) -> None:
        self._held = Held()

    def process(self, group: AnomalyGroup) -> Iterator[tuple[tuple[Any, ...], bytes]]:
        if self.expectations is None or self.expectations.reason_for(group.key) is None:
            self._held.merge(*evidence_of(group))
            if self._held.full:
                yield from self._held.take()

    def finish_bundle(self) -> Iterator[Any]:
        for item in self._held.take():
            yield GlobalWindows.windowed_value(item)


def row_evidence(key: tuple[Any, ...], values: Iterable[bytes]) -> Evidence:
    """A row key's packed Evidence from every bundle -> the row's merged Evidence."""
    merged: Evidence = merged_packed(values)
    return merged


class TopRowsFn(beam.CombineFn):
    """Every row's merged Evidence -> (the first MAX_LISTED proposed rows, how many rows there are)."""

    def create_accumulator(self) -> tuple[list[Evidence], int]:
        return [], 0

    def add_input(self, acc: tuple[list[Evidence], int], evidence: Evidence) -> tuple[list[Evidence], int]:
        rows, count = acc
        rows.append(evidence)
        if len(rows) >= 2 * MAX_LISTED + 16:
            rows.sort(key=Evidence.order)
            del rows[MAX_LISTED:]
        return rows, count + 1

    def merge_accumulators(self, accs: Iterable[tuple[list[Evidence], int]]) -> tuple[list[Evidence], int]:
        rows: list[Evidence] = []
        count = 0
        for part, n in accs:
            rows.extend(part)
            count += n
        rows.sort(key=Evidence.order)
        return rows[:MAX_LISTED], count

    def extract_output(self, acc: tuple[list[Evidence], int]) -> ProposedRows:
        rows, count = acc
        return tuple(row_of(e) for e in sorted(rows, key=Evidence.order)[:MAX_LISTED]), count
