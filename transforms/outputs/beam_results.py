"""The sink edge: summary, anomalies and reports written once, after everything else is counted.

Files go through Beam's FileSystems, so the same step writes to a local folder or to gs://.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import apache_beam as beam
import orjson
from apache_beam.io.filesystems import FileSystems

from statuslens.transforms.model.chunks import InputInfo
from statuslens.transforms.model.counts import Counts
from statuslens.transforms.model.groups import AnomalyGroup, GroupStats
from statuslens.transforms.model.times import format_time
from statuslens.transforms.outputs.beam_shards import finalize_shards
from statuslens.transforms.outputs.report import render_html, render_markdown
from statuslens.transforms.outputs.summary import build_summary
from statuslens.transforms.verdicts.catalog import Catalog

__all__ = ["OUTPUT_NAMES", "SHARDED_OUTPUTS", "WriteResultsFn", "now_iso", "write_bytes"]

OUTPUT_NAMES = ("summary.json", "anomalies.jsonl", "annotated", "dead_letter", "report.md", "report.html")
SHARDED_OUTPUTS = ("annotated", "dead_letter")


def now_iso() -> str:
    return format_time(time.time_ns() // 1_000_000)


def write_bytes(path: str, data: bytes) -> None:
    with FileSystems.create(path) as handle:
        handle.write(data)


class WriteResultsFn(beam.DoFn):
    """None -> summary.json, anomalies.jsonl, report.md, report.html in the output folder."""

    def __init__(self, output: str, catalog: Catalog, started_at: str, temp: str | None = None) -> None:
        self.output = output
        self.catalog = catalog
        self.started_at = started_at
        self.temp = temp

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
        flags = sorted(flagged, key=lambda pair: pair[0])
        summary = build_summary(counts, inputs, self.catalog, self.started_at, now_iso())
        join = FileSystems.join
        write_bytes(join(self.output, "anomalies.jsonl"), b"".join(orjson.dumps(g.to_json()) + b"\n" for g in groups))
        write_bytes(join(self.output, "report.md"), render_markdown(summary, groups, flags).encode())
        write_bytes(join(self.output, "report.html"), render_html(summary, groups, flags).encode())
        # Last, so a summary.json on disk means the run's outputs are all there.
        write_bytes(join(self.output, "summary.json"), orjson.dumps(summary, option=orjson.OPT_INDENT_2) + b"\n")
        yield summary
