"""The sink edge: summary, anomalies and reports written once, after everything else is counted.

Files go through Beam's FileSystems, so the same step writes to a local folder or to gs://. The
report is built once (report_model.py) and rendered twice; a run told which groups are already known
(cron) also writes the groups that are not, to `new_anomalies.jsonl` and to the reports' appendix.
With --expect (DOMAIN.md §10), the groups it names carry `"expected": {"reason": …}` after their
other fields, have their own report section and are not proposed.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

import apache_beam as beam
import orjson
from apache_beam.io.filesystems import FileSystems

from statuslens.transforms.model.chunks import InputInfo
from statuslens.transforms.model.counts import Counts
from statuslens.transforms.model.groups import GroupStats
from statuslens.transforms.model.times import format_time
from statuslens.transforms.outputs.beam_group_outputs import ProposedRows, merge_runs
from statuslens.transforms.outputs.beam_shards import TEMP_PREFIX, finalize_shards
from statuslens.transforms.outputs.expectations import Expectations
from statuslens.transforms.outputs.proposal_files import PROPOSAL_FILE_NAMES, proposal_files
from statuslens.transforms.outputs.render_html import render_html
from statuslens.transforms.outputs.render_markdown import render_markdown
from statuslens.transforms.outputs.report_model import BASELINE_TITLE, NEW_TITLE, GroupList, report_of_pick
from statuslens.transforms.outputs.report_pick import ReportPick
from statuslens.transforms.outputs.summary import build_summary
from statuslens.transforms.verdicts.catalog import Catalog

__all__ = ["OUTPUT_NAMES", "SHARDED_OUTPUTS", "WriteResultsFn", "now_iso", "write_bytes", "write_last"]

OUTPUT_NAMES = (
    "summary.json",
    "anomalies.jsonl",
    "new_anomalies.jsonl",
    "annotated",
    "dead_letter",
    "report.md",
    "report.html",
    *PROPOSAL_FILE_NAMES,
)
SHARDED_OUTPUTS = ("annotated", "dead_letter")


def now_iso() -> str:
    return format_time(time.time_ns() // 1_000_000)


def write_bytes(path: str, data: bytes) -> None:
    with FileSystems.create(path) as handle:
        handle.write(data)


def write_last(path: str, data: bytes) -> None:
    """Write the file whose presence says the outputs are complete: under a temporary name, then
    renamed, so a full disk leaves no file rather than an empty or cut one."""
    folder, _, name = path.rpartition("/")
    temp = f"{folder}/{TEMP_PREFIX}{name}"  # removed with the temporary shard folders if left behind
    try:
        write_bytes(temp, data)
        FileSystems.rename([temp], [path])
    except BaseException:
        with contextlib.suppress(Exception):
            if FileSystems.exists(temp):
                FileSystems.delete([temp])
        raise


class WriteResultsFn(beam.DoFn):
    """None -> summary.json, anomalies.jsonl, report.md, report.html in the output folder.

    With `known_groups` (group ids), also new_anomalies.jsonl and a "New in this run" section, titled
    "Baseline: groups recorded" with `baseline`. `time_filtered`: --since/--until were given, so the
    summary states `filtered_out`; `expectations`: the --expect file's entries that apply.
    """

    def __init__(
        self,
        output: str,
        catalog: Catalog,
        started_at: str,
        temp: str | None = None,
        known_groups: frozenset[str] | None = None,
        baseline: bool = False,
        time_filtered: bool = False,
        expectations: Expectations | None = None,
    ) -> None:
        self.output = output
        self.catalog = catalog
        self.started_at = started_at
        self.temp = temp
        self.known_groups = known_groups
        self.baseline = baseline
        self.time_filtered = time_filtered
        self.expectations = expectations

    def process(
        self,
        _: Any,
        counts: Counts,
        pick: ReportPick,
        rows: ProposedRows,
        runs: list[str],
        flagged: list[tuple[str, GroupStats]],
        inputs: list[InputInfo],
        shards: list[tuple[str, str]] = (),  # type: ignore[assignment]
    ) -> Iterator[dict[str, Any]]:
        summary = build_summary(counts, inputs, self.catalog, self.started_at, now_iso(), self.time_filtered)
        join = FileSystems.join
        _write_groups(join(self.output, "anomalies.jsonl"), runs, self._new_path())
        if self.temp is not None:  # after the groups' runs are read: it removes the temporary folder
            finalize_shards(self.output, self.temp, shards, SHARDED_OUTPUTS)
        appendix: list[GroupList] = []
        if self.known_groups is not None:
            title = BASELINE_TITLE if self.baseline else NEW_TITLE
            appendix.append(GroupList(title, tuple(pick.new_groups), more=pick.new_count - len(pick.new_groups)))
        shown_rows, row_count = rows
        report = report_of_pick(
            summary, pick, flagged, shown_rows, row_count, appendix, self.expectations is not None, counts.timeline
        )
        write_bytes(join(self.output, "report.md"), render_markdown(report).encode())
        write_bytes(join(self.output, "report.html"), render_html(report).encode())
        expected = [g.id for g, _ in pick.expected_groups] if pick.expected_count else ()
        for name, data in proposal_files(self.catalog, pick.ranked_groups, shown_rows, expected, row_count):
            write_bytes(join(self.output, name), data)  # the proposals in the catalog's language (§9)
        # Last, so a summary.json on disk means the run's outputs are all there.
        write_last(join(self.output, "summary.json"), orjson.dumps(summary, option=orjson.OPT_INDENT_2) + b"\n")
        yield summary

    def _new_path(self) -> str | None:
        return None if self.known_groups is None else FileSystems.join(self.output, "new_anomalies.jsonl")


def _write_groups(path: str, runs: list[str], new_path: str | None) -> None:
    """anomalies.jsonl (and new_anomalies.jsonl: the groups cron has not seen) from the sorted runs,
    streamed: one line of each run in memory, whatever the number of groups."""
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(FileSystems.create(path))
        new_out = None if new_path is None else stack.enter_context(FileSystems.create(new_path))
        for new, line in merge_runs(runs):
            out.write(line)
            if new and new_out is not None:
                new_out.write(line)
