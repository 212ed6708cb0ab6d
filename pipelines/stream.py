"""`statuslens stream`: the analysis graph over an unbounded Pub/Sub subscription.

messages -> per event-time window, drop re-sent record ids and hold back records past the allowed
lateness (counted and written, never dropped unseen) -> one-record chunks -> fixed event-time windows with early
firings -> AnalyzeLogs (the batch composite, unchanged) -> per-window groups and counts, first-seen
alerts, rate-limit alerts, dead letters. Runs until Ctrl-C / SIGTERM.
"""

from __future__ import annotations

import hashlib
import signal
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import apache_beam as beam
import orjson
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.runners.runner import PipelineState
from apache_beam.transforms import trigger as triggers
from apache_beam.transforms.window import FixedWindows, GlobalWindows

from statuslens.transforms.aggregation.beam_analyze import AnalyzeLogs
from statuslens.transforms.model.counts import Counts
from statuslens.transforms.model.dead_letters import dead_letter_doc
from statuslens.transforms.model.groups import AnomalyGroup, GroupKey
from statuslens.transforms.model.times import format_time
from statuslens.transforms.outputs.beam_append import AppendJsonLinesFn, window_fields
from statuslens.transforms.outputs.summary import summary_counts
from statuslens.transforms.readers.jsonlines import FieldMap
from statuslens.transforms.streaming.beam_alerts import FirstSeenAlertFn, RateLimitAlerts
from statuslens.transforms.streaming.beam_gate import WindowGateFn
from statuslens.transforms.streaming.messages import message_to_chunk
from statuslens.transforms.verdicts.catalog import Catalog

__all__ = ["StreamConfig", "build_stream_graph", "read_known_groups", "run_stream", "summarize_output"]

DEFAULT_STREAM_RUNNER = "BundleBasedDirectRunner"
# Beam's own lateness is a little longer than ours, so a record we let through is never dropped.
_LATENESS_MARGIN_SECONDS = 60
# How long after a window expired its record ids are still recognised as duplicates.
REMEMBER_IDS_SECONDS = 600


@dataclass(frozen=True)
class StreamConfig:
    subscription: str
    output: str
    catalog: Catalog
    window_seconds: float = 60.0
    lateness_seconds: float = 600.0
    early_seconds: float = 10.0
    known: frozenset[str] = frozenset()
    windows_topic: str | None = None
    alerts_topic: str | None = None
    wall_clock_watermark: bool = False  # the local runner's Pub/Sub watermark is the wall clock


def read_known_groups(path: str) -> frozenset[str]:
    """Group ids from an `anomalies.jsonl` (batch or cron): groups that are not new."""
    with open(path, "rb") as handle:
        return frozenset(GroupKey.from_json(orjson.loads(line)).id for line in handle if line.strip())


def build_stream_graph(messages: Any, config: StreamConfig) -> dict[str, Any]:
    """(data, attributes) messages -> PCollections: anomalies and summaries per window, alerts, dead
    letters, late records and duplicate ids. No I/O here; `attach_sinks` writes them."""
    lateness = config.lateness_seconds
    window = config.window_seconds
    gated = (
        messages
        | "KeyByWindowStart" >> beam.ParDo(_KeyByWindowStartFn(window))
        | "DropLateAndDuplicates"
        >> beam.ParDo(
            WindowGateFn(window, lateness, REMEMBER_IDS_SECONDS, wall_clock_watermark=config.wall_clock_watermark)
        )
        .with_input_types(tuple[int, tuple[str, Any]])
        .with_outputs(WindowGateFn.LATE, WindowGateFn.DUPLICATES, main="timely")
    )
    windowed = (
        gated["timely"]
        | "ToChunks" >> beam.MapTuple(message_to_chunk)
        | "WindowRecords"
        >> beam.WindowInto(
            FixedWindows(window),
            trigger=triggers.AfterWatermark(
                early=triggers.AfterProcessingTime(max(1, round(config.early_seconds))), late=triggers.AfterCount(1)
            ),
            # Each firing carries only what arrived since the previous one: the direct runner copies a
            # key's whole buffered state on every bundle, so accumulating panes would make it slower
            # and bigger the longer the stream runs. A window's totals are the sum of its lines.
            accumulation_mode=triggers.AccumulationMode.DISCARDING,
            # Longer than the gate's own rule: nothing the gate lets through is ever dropped here.
            allowed_lateness=round(lateness + max(REMEMBER_IDS_SECONDS, lateness)) + _LATENESS_MARGIN_SECONDS,
        )
    )
    results = windowed | "AnalyzeLogs" >> AnalyzeLogs(
        config.catalog, annotated_mode="all", fields=FieldMap.with_overrides(), global_window=False
    )
    # (AnomalyGroup, its window's fields): the window lines and the first-seen alerts are made of them.
    in_windows = results["anomalies"] | "AddWindowToGroups" >> beam.ParDo(_AddWindowFn())
    anomalies = in_windows | "WindowGroupLines" >> beam.MapTuple(_window_group_line)
    summaries = results["stats"] | "WindowSummaries" >> beam.ParDo(_SummaryFn())
    new_groups = (
        in_windows
        | "OneWindowForAll" >> beam.WindowInto(GlobalWindows())
        | "KeyByGroup" >> beam.Map(lambda pair: (pair[0].id, pair))
        | "FirstSeen" >> beam.ParDo(FirstSeenAlertFn(config.known)).with_input_types(tuple[str, Any])
    )
    rate = results["annotated"] | "RateLimits" >> RateLimitAlerts(config.catalog.calls_per_second)
    alerts = (new_groups, rate | "RateAlertsGlobal" >> beam.WindowInto(GlobalWindows())) | "Alerts" >> beam.Flatten()
    late = gated[WindowGateFn.LATE] | "DescribeLate" >> beam.ParDo(_DescribeLateFn(lateness))
    return {
        "anomalies": results["anomalies"],
        "window_groups": anomalies,
        "summaries": summaries,
        "alerts": alerts,
        "dead_letter": results["dead_letter"],
        "late": late,
        "duplicates": gated[WindowGateFn.DUPLICATES],
        "annotated": results["annotated"],
    }


def attach_sinks(
    outputs: dict[str, Any], folder: str, windows_topic: str | None = None, alerts_topic: str | None = None
) -> None:
    """Write the stream's outputs under `folder` (and to Pub/Sub topics when given)."""
    root = Path(folder)
    outputs["window_groups"] | "WriteWindowGroups" >> beam.ParDo(
        AppendJsonLinesFn(str(root / "windows"), "groups", per_window=True)
    )
    outputs["summaries"] | "WriteWindowSummaries" >> beam.ParDo(
        AppendJsonLinesFn(str(root / "windows"), "summaries", per_window=True)
    )
    outputs["alerts"] | "WriteAlerts" >> beam.ParDo(AppendJsonLinesFn(str(root / "alerts"), "alerts"))
    outputs["dead_letter"] | "WriteDeadLetters" >> beam.ParDo(
        AppendJsonLinesFn(str(root / "dead_letter"), "dead_letter")
    )
    outputs["late"] | "WriteLate" >> beam.ParDo(AppendJsonLinesFn(str(root / "late"), "late"))
    (
        outputs["duplicates"]
        | "DescribeDuplicates" >> beam.Map(lambda i: {"id": i})
        | "WriteDuplicates" >> beam.ParDo(AppendJsonLinesFn(str(root / "duplicates"), "duplicates"))
    )
    if windows_topic:
        (
            outputs["window_groups"]
            | "GroupsAsBytes" >> beam.Map(orjson.dumps)
            | "PublishWindowGroups" >> beam.io.WriteToPubSub(windows_topic)
        )
    if alerts_topic:
        (
            outputs["alerts"]
            | "AlertsAsBytes" >> beam.Map(orjson.dumps)
            | "PublishAlerts" >> beam.io.WriteToPubSub(alerts_topic)
        )


def summarize_output(folder: str) -> dict[str, int]:
    """Totals of a stream output folder: every window's panes (each an increment) summed, plus
    late, duplicate and alert lines. `records_in + late` is every distinct record received."""
    root = Path(folder)
    windows: set[str] = set()
    totals = {"windows": 0, "records_in": 0, "records_annotated": 0, "dead_letter": 0}
    for path in sorted((root / "windows").glob("*.jsonl")):
        for line in path.read_bytes().splitlines():
            doc = orjson.loads(line)
            if doc.get("kind") != "summary":
                continue
            windows.add(doc["window_start"])
            for key in ("records_in", "records_annotated", "dead_letter"):
                totals[key] += doc[key]
    totals["windows"] = len(windows)
    for name in ("late", "duplicates", "alerts"):
        totals[name] = sum(len(p.read_bytes().splitlines()) for p in (root / name).glob("*.jsonl"))
    return totals


def run_stream(config: StreamConfig, beam_args: Sequence[str], stop: threading.Event | None = None) -> dict[str, int]:
    """Run until SIGINT/SIGTERM (or `stop`), then return the output folder's totals."""
    options = PipelineOptions(list(beam_args))
    options.view_as(StandardOptions).streaming = True
    if not options.view_as(StandardOptions).runner:
        # Explicit: the DirectRunner would first try to download Prism.
        options.view_as(StandardOptions).runner = DEFAULT_STREAM_RUNNER
    if options.view_as(StandardOptions).runner in ("BundleBasedDirectRunner", "DirectRunner"):
        config = replace(config, wall_clock_watermark=True)
    stop = stop or threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    pipeline = beam.Pipeline(options=options)
    messages = (
        pipeline
        | "ReadFromPubSub"
        >> beam.io.ReadFromPubSub(subscription=config.subscription, with_attributes=True, timestamp_attribute="ts")
        | "MessageParts" >> beam.Map(lambda m: (m.data, dict(m.attributes or {})))
    )
    attach_sinks(build_stream_graph(messages, config), config.output, config.windows_topic, config.alerts_topic)
    result = pipeline.run()
    try:
        while not stop.wait(0.5):
            if result.state in (PipelineState.FAILED, PipelineState.CANCELLED, PipelineState.DONE):
                result.wait_until_finish()  # raises the pipeline's error
                break
        else:
            # Open windows show their latest counts at the next early firing: wait for it once.
            flush = min(config.early_seconds + 1, 15)
            print(f"statuslens stream: stopping, flushing open windows ({flush:g} s)", flush=True)
            time.sleep(flush)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    # Every sink writes at the end of each bundle: what is on disk is what the job has produced.
    totals = summarize_output(config.output)
    threading.Thread(target=_cancel_quietly, args=(result,), daemon=True).start()
    return totals


def _cancel_quietly(result: Any) -> None:
    try:
        result.cancel()
    except Exception:  # the process is exiting; a runner that cannot cancel is stopped with it
        return


def _content_id(message: tuple[bytes, dict[str, str]]) -> str:
    """The id of a message without one (not from `statuslens ship`): its content."""
    return hashlib.sha1(message[0]).hexdigest()


class _KeyByWindowStartFn(beam.DoFn):
    """message -> (start of its fixed window in seconds, (record id, message))."""

    def __init__(self, size: float) -> None:
        self.size = size

    def process(
        self, message: tuple[bytes, dict[str, str]], timestamp: Any = beam.DoFn.TimestampParam
    ) -> Iterable[tuple[int, tuple[str, Any]]]:
        record_id = message[1].get("id") or _content_id(message)
        yield int(timestamp.micros // 1_000_000 // self.size * self.size), (record_id, message)


class _DescribeLateFn(beam.DoFn):
    """A record past the allowed lateness, as a line of `late/late.jsonl`."""

    def __init__(self, lateness: float) -> None:
        self.lateness = lateness

    def process(
        self, message: tuple[bytes, dict[str, str]], timestamp: Any = beam.DoFn.TimestampParam
    ) -> Iterable[dict[str, Any]]:
        data, attributes = message
        source = attributes.get("source")
        # A dead letter with the record's id and event time; the source stays null when none was sent.
        letter = dead_letter_doc(source or "", f"later than the allowed lateness ({self.lateness:g} s)", data)
        yield {
            "source": source,
            "id": attributes.get("id"),
            "time": format_time(int(timestamp.micros // 1000)),
            "reason": letter["reason"],
            "raw": letter["raw"],
        }


class _AddWindowFn(beam.DoFn):
    """A group with its window bounds and pane: (AnomalyGroup, window fields)."""

    def process(
        self, group: AnomalyGroup, window: Any = beam.DoFn.WindowParam, pane: Any = beam.DoFn.PaneInfoParam
    ) -> Iterable[tuple[AnomalyGroup, dict[str, Any]]]:
        yield group, window_fields(window, pane)


def _window_group_line(group: AnomalyGroup, window: dict[str, Any]) -> dict[str, Any]:
    """A `windows/*.jsonl` group line: the `anomalies.jsonl` object in its window."""
    return {"kind": "anomaly", **group.to_json(), **window}


class _SummaryFn(beam.DoFn):
    """A window's merged counts as a summary line: the batch summary's counting fields, except
    `blank_lines` (the shipper does not send blank lines)."""

    def process(self, counts: Counts) -> Iterable[dict[str, Any]]:
        fields = summary_counts(counts)
        del fields["blank_lines"]
        yield {"kind": "summary", **fields}
