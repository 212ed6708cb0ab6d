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
from collections.abc import Iterable, Iterator
from typing import Any

import apache_beam as beam
import orjson
from apache_beam.io.filesystems import FileSystems

from statuslens.transforms.model.chunks import InputInfo
from statuslens.transforms.model.counts import Counts
from statuslens.transforms.model.groups import AnomalyGroup, GroupStats
from statuslens.transforms.model.times import format_time
from statuslens.transforms.outputs.beam_shards import TEMP_PREFIX, finalize_shards
from statuslens.transforms.outputs.expectations import Expectations
from statuslens.transforms.outputs.proposal_files import PROPOSAL_FILE_NAMES, proposal_files
from statuslens.transforms.outputs.proposals import propose_rows
from statuslens.transforms.outputs.render_html import render_html
from statuslens.transforms.outputs.render_markdown import render_markdown
from statuslens.transforms.outputs.report_model import GroupList, build_report, new_groups_section
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
        anomalies: list[AnomalyGroup],
        flagged: list[tuple[str, GroupStats]],
        inputs: list[InputInfo],
        shards: list[tuple[str, str]] = (),  # type: ignore[assignment]
    ) -> Iterator[dict[str, Any]]:
        if self.temp is not None:
            finalize_shards(self.output, self.temp, shards, SHARDED_OUTPUTS)
        groups = sorted(anomalies, key=AnomalyGroup.sort_key)
        summary = build_summary(counts, inputs, self.catalog, self.started_at, now_iso(), self.time_filtered)
        expected = None if self.expectations is None else self.expectations.reasons(g.key for g in groups)
        join = FileSystems.join
        write_bytes(join(self.output, "anomalies.jsonl"), _json_lines(groups, expected))
        appendix: list[GroupList] = []
        if self.known_groups is not None:
            new = new_groups_section(groups, self.known_groups, self.baseline)
            write_bytes(join(self.output, "new_anomalies.jsonl"), _json_lines(new.groups, expected))
            appendix.append(new)
        proposed = propose_rows(groups, expected or ())
        report = build_report(summary, groups, flagged, proposed, appendix, expected, counts.timeline)
        write_bytes(join(self.output, "report.md"), render_markdown(report).encode())
        write_bytes(join(self.output, "report.html"), render_html(report).encode())
        for name, data in proposal_files(self.catalog, groups, proposed, expected or ()):
            write_bytes(join(self.output, name), data)  # the proposals in the catalog's language (§9)
        # Last, so a summary.json on disk means the run's outputs are all there.
        write_last(join(self.output, "summary.json"), orjson.dumps(summary, option=orjson.OPT_INDENT_2) + b"\n")
        yield summary


def _json_lines(groups: Iterable[AnomalyGroup], expected: dict[str, str] | None = None) -> bytes:
    """One group a line; an expected one (its id in `expected`) ends with `"expected": {"reason": …}`."""
    if not expected:
        return b"".join(orjson.dumps(g.to_json()) + b"\n" for g in groups)
    return b"".join(orjson.dumps(_marked(g.to_json(), expected.get(g.id))) + b"\n" for g in groups)


def _marked(doc: dict[str, Any], reason: str | None) -> dict[str, Any]:
    if reason is not None:
        doc["expected"] = {"reason": reason}
    return doc
