"""`statuslens stream`: the analysis over an unbounded Pub/Sub subscription, in event-time windows.

messages -> per event-time window, drop re-sent record ids and hold back records past the allowed
lateness (counted and written, never dropped unseen) -> each record analysed at its event time (the
batch's per-record analysis) -> fixed windows with early firings, each firing one `Pane` -> per
window: group lines with their causes (DOMAIN.md §8 over the window so far), summary lines, rate-limit
alerts -> first-seen alerts; dead letters, late records, duplicates. Runs until Ctrl-C / SIGTERM.
"""

from __future__ import annotations

import hashlib
import signal
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import apache_beam as beam
import orjson
from apache_beam.options.pipeline_options import StandardOptions
from apache_beam.runners.runner import PipelineState
from apache_beam.transforms import trigger as triggers
from apache_beam.transforms.window import FixedWindows, GlobalWindows

from statuslens.pipelines.plan import plan_execution
from statuslens.pipelines.stream_stop import Intake, drain, install, summarize_output
from statuslens.transforms.aggregation.beam_merge import MergeFn
from statuslens.transforms.model.dead_letters import dead_letter_doc
from statuslens.transforms.model.groups import GroupKey
from statuslens.transforms.model.times import format_time
from statuslens.transforms.outputs.beam_append import AppendJsonLinesFn, window_fields
from statuslens.transforms.readers.jsonlines import FieldMap
from statuslens.transforms.streaming.beam_alerts import FirstSeenAlertFn
from statuslens.transforms.streaming.beam_gate import WindowGateFn
from statuslens.transforms.streaming.beam_windows import (
    ANNOTATED,
    CANDIDATES,
    DEAD_LETTER,
    RATE_ALERTS,
    SUMMARIES,
    AnalyzeMessageFn,
    KeepWindowFn,
)
from statuslens.transforms.streaming.panes import Pane
from statuslens.transforms.verdicts.catalog import Catalog

__all__ = [
    "StreamConfig",
    "attach_sinks",
    "build_stream_graph",
    "read_known_groups",
    "run_stream",
]

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
    annotated_mode: str = "errors"  # --annotated: which records go to annotated/ (per window)
    field_map: dict[str, str] = field(default_factory=dict)  # --field-map
    log_format: str | None = None  # --log-format: for messages that name no format


def read_known_groups(path: str) -> frozenset[str]:
    """Group ids from an `anomalies.jsonl` (batch or cron): groups that are not new."""
    with open(path, "rb") as handle:
        return frozenset(GroupKey.from_json(orjson.loads(line)).id for line in handle if line.strip())


def build_stream_graph(messages: Any, config: StreamConfig) -> dict[str, Any]:
    """(data, attributes) messages -> PCollections: window group and summary lines, alerts, annotated
    lines, dead letters, late records and duplicate ids. No I/O here; `attach_sinks` writes them."""
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
    fields = FieldMap.with_overrides(config.field_map)
    analyzed = gated["timely"] | "AnalyzeAtEventTime" >> beam.ParDo(
        AnalyzeMessageFn(config.catalog, config.annotated_mode, fields, config.log_format)
    ).with_outputs(ANNOTATED, DEAD_LETTER, main="panes")
    # Longer than the gate's own rule: nothing the gate lets through is ever dropped here.
    beam_lateness = round(lateness + max(REMEMBER_IDS_SECONDS, lateness)) + _LATENESS_MARGIN_SECONDS
    panes = (
        analyzed["panes"]
        | "WindowRecords"
        >> beam.WindowInto(
            FixedWindows(window),
            trigger=triggers.AfterWatermark(
                early=triggers.AfterProcessingTime(max(1, round(config.early_seconds))), late=triggers.AfterCount(1)
            ),
            # Each firing carries only what arrived since the previous one: the direct runner copies a
            # key's whole buffered state on every bundle, so accumulating panes would make it slower
            # and bigger the longer the stream runs. KeepWindowFn keeps the window so far, compactly.
            accumulation_mode=triggers.AccumulationMode.DISCARDING,
            allowed_lateness=beam_lateness,
        )
        | "OnePanePerFiring" >> beam.CombineGlobally(MergeFn(Pane)).without_defaults()
        | "AddWindowToPane" >> beam.ParDo(_AddWindowFn())
        | "OneWindowForAll" >> beam.WindowInto(GlobalWindows())
        | "KeyByWindow" >> beam.Map(lambda pair: (pair[0]["window_start"], pair))
    )
    kept = panes | "KeepWindows" >> beam.ParDo(
        # A window's state goes once the gate admits nothing more to it (+ a margin for its last firing):
        # the local runner scans every key with state on each bundle, so fewer held windows is faster.
        KeepWindowFn(config.catalog.calls_per_second, lateness + _LATENESS_MARGIN_SECONDS)
    ).with_input_types(tuple[str, tuple[dict[str, Any], Pane]]).with_outputs(
        SUMMARIES, RATE_ALERTS, CANDIDATES, main="groups"
    )
    new_groups = kept[CANDIDATES] | "FirstSeen" >> beam.ParDo(FirstSeenAlertFn(config.known)).with_input_types(
        tuple[str, Any]
    )
    alerts = (new_groups, kept[RATE_ALERTS]) | "Alerts" >> beam.Flatten()
    late = gated[WindowGateFn.LATE] | "DescribeLate" >> beam.ParDo(_DescribeLateFn(lateness))
    return {
        "window_groups": kept["groups"],
        "summaries": kept[SUMMARIES],
        "alerts": alerts,
        "annotated": analyzed[ANNOTATED] | "AnnotatedInWindows" >> beam.WindowInto(FixedWindows(window)),
        "dead_letter": analyzed[DEAD_LETTER],
        "late": late,
        "duplicates": gated[WindowGateFn.DUPLICATES],
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
    outputs["annotated"] | "WriteAnnotated" >> beam.ParDo(
        AppendJsonLinesFn(str(root / "annotated"), "annotated", per_window=True, window_fields=False)
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


def run_stream(config: StreamConfig, beam_args: Sequence[str], stop: threading.Event | None = None) -> dict[str, int]:
    """Run until SIGINT/SIGTERM (or `stop`), then return the output folder's totals.

    On the local runner the stop is clean: no new message is pulled, every message pulled is waited
    for until it is on disk (windows, late/ or duplicates/), then the totals are read."""
    plan = plan_execution(beam_args, (), None, 1, streaming=True)
    options = plan.pipeline_options()
    options.view_as(StandardOptions).streaming = True
    intake: Intake | None = None
    if plan.runner in ("BundleBasedDirectRunner", "DirectRunner"):
        config = replace(config, wall_clock_watermark=True)
        intake = install()
        intake.resume()
    stop = stop or threading.Event()
    previous = {}
    if threading.current_thread() is threading.main_thread():
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
            drain(config.output, config.early_seconds, intake)
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
    """A firing's Pane with its window bounds and pane: (window fields, Pane)."""

    def process(
        self, pane: Pane, window: Any = beam.DoFn.WindowParam, info: Any = beam.DoFn.PaneInfoParam
    ) -> Iterable[tuple[dict[str, Any], Pane]]:
        yield window_fields(window, info), pane
