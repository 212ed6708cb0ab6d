"""The streaming edge around AnalyzeLogs: messages in, duplicates and late records out, alerts.

A message is one log record as `statuslens ship` publishes it: the (redacted) line or HAR entry as
data, and attributes `ts` (event time, epoch ms), `id` (a stable record id), `source`
(`path:line` or `path:entryN`) and `fmt` (the file's format).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import Any

import apache_beam as beam
import orjson
from apache_beam.coders import BooleanCoder, PickleCoder
from apache_beam.metrics.metric import Metrics
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec, TimerSpec, on_timer
from apache_beam.transforms.window import FixedWindows
from apache_beam.utils.timestamp import Timestamp

from statuslens.transforms.model.chunks import Chunk, Problem
from statuslens.transforms.model.groups import normalize_message
from statuslens.transforms.model.times import format_time
from statuslens.transforms.readers.formats import HAR, UNKNOWN, detect_format

__all__ = [
    "FirstSeenAlertFn",
    "RateLimitAlerts",
    "WindowGateFn",
    "message_to_chunk",
    "rate_alert",
]

OVER_QPS_CODE = "ERR_403_DEVELOPER_OVER_QPS"
OVER_QPS_MESSAGE = "developer over qps"


def message_to_chunk(data: bytes, attributes: dict[str, str]) -> Chunk:
    """One message as a one-item chunk, numbered and named as the shipper saw it."""
    source = attributes.get("source", "")
    fmt = attributes.get("fmt") or detect_format([data])
    path, separator, number = source.rpartition(":entry" if fmt == HAR else ":")
    if not separator or not number.isdigit():
        path, number = source or "pubsub", "0"
    item: Any = data
    if attributes.get("problem"):
        return Chunk(path, fmt, int(number), (Problem(attributes["problem"], data),))
    if fmt == HAR:
        try:
            item = orjson.loads(data)
        except orjson.JSONDecodeError:
            item = Problem("HAR entry is not JSON", data)
    if fmt == UNKNOWN:
        item = Problem("message matches no known log format", data)
    return Chunk(path, fmt, int(number), (item,))


class WindowGateFn(beam.DoFn):
    """(window start, (record id, message)) -> the message once; re-sent ids on `duplicates`, records
    whose window has expired on `late`.

    Beam drops records that arrive after window end + allowed lateness without a word; this step
    applies the same rule a little earlier (an event-time timer per window) so that such records
    are counted and written, never silently gone. The ids seen in a window are kept for
    `remember_seconds` more after it expires, so a record re-sent after a crash is a duplicate, not
    a late record, even then. State is keyed by window, not by record: the direct runner scans every
    key with state on each bundle, so per-record keys would slow it down as the stream goes on."""

    CLOSED = ReadModifyWriteStateSpec("closed", BooleanCoder())
    SEEN = ReadModifyWriteStateSpec("seen", PickleCoder())
    EXPIRY = TimerSpec("expiry", TimeDomain.WATERMARK)
    FORGET = TimerSpec("forget", TimeDomain.WATERMARK)
    LATE = "late"
    DUPLICATES = "duplicates"

    def __init__(
        self,
        window_seconds: float,
        lateness_seconds: float,
        remember_seconds: float = 600,
        wall_clock_watermark: bool = False,
    ) -> None:
        self.window_seconds = window_seconds
        self.lateness_seconds = lateness_seconds
        self.remember_seconds = max(remember_seconds, lateness_seconds)
        # Beam's local runner uses the wall clock as the Pub/Sub watermark; knowing that, the first
        # record of a window that expired before anything of it was seen is recognised as late too.
        self.wall_clock_watermark = wall_clock_watermark
        self.late_records = Metrics.counter("statuslens", "late_records")
        self.duplicates = Metrics.counter("statuslens", "duplicate_records")

    def process(
        self,
        element: tuple[int, tuple[str, Any]],
        closed: Any = beam.DoFn.StateParam(CLOSED),
        seen: Any = beam.DoFn.StateParam(SEEN),
        expiry: Any = beam.DoFn.TimerParam(EXPIRY),
        forget: Any = beam.DoFn.TimerParam(FORGET),
    ) -> Iterator[Any]:
        window_start, (record_id, message) = element
        ids = seen.read() or set()
        if record_id in ids:
            self.duplicates.inc()
            yield beam.pvalue.TaggedOutput(self.DUPLICATES, record_id)
            return
        expires = window_start + self.window_seconds + self.lateness_seconds
        if closed.read() or (not ids and self.wall_clock_watermark and expires < time.time()):
            closed.write(True)
            self.late_records.inc()
            yield beam.pvalue.TaggedOutput(self.LATE, message)
            return
        ids.add(record_id)
        seen.write(ids)
        expiry.set(Timestamp.of(expires))
        forget.set(Timestamp.of(expires + self.remember_seconds))
        yield message

    @on_timer(EXPIRY)
    def close(self, closed: Any = beam.DoFn.StateParam(CLOSED)) -> None:
        closed.write(True)

    @on_timer(FORGET)
    def forget_ids(self, seen: Any = beam.DoFn.StateParam(SEEN)) -> None:
        seen.clear()


class FirstSeenAlertFn(beam.DoFn):
    """(group id, group) -> one `new_anomaly` alert the first time a group is ever seen.

    Runs in the global window so "first" means first since the job started; `known` seeds the
    groups a batch or cron run already reported (`--known anomalies.jsonl`), so a restart does not
    alert on everything again."""

    SEEN = ReadModifyWriteStateSpec("seen", BooleanCoder())

    def __init__(self, known: Iterable[str] = ()) -> None:
        self.known = frozenset(known)

    def process(
        self, element: tuple[str, dict[str, Any]], seen: Any = beam.DoFn.StateParam(SEEN)
    ) -> Iterator[dict[str, Any]]:
        key, group = element
        if key in self.known or seen.read():
            return
        seen.write(True)
        yield {
            "kind": "new_anomaly",
            **{
                name: group[name]
                for name in (
                    "verdict",
                    "status_code",
                    "sub_code",
                    "message",
                    "method",
                    "resource",
                    "first_seen",
                    "window_start",
                    "window_end",
                )
            },
            "explanation": group.get("explanation"),
            "example": (group.get("samples") or [{}])[0].get("url"),
        }


def rate_alert(consumer: str, second_ms: int, calls: int, over_qps: int, limit: int) -> dict[str, Any] | None:
    """The rate-limit alert for one consumer key in one calendar second, or None within the limit."""
    if calls <= limit:
        return None
    return {
        "kind": "rate_limit",
        "consumer": consumer,
        "second": format_time(second_ms),
        "calls": calls,
        "limit": limit,
        "over_qps_answers": over_qps,
        "throttled": over_qps > 0,
    }


class _CountCallsFn(beam.CombineFn):
    """(calls, Developer Over Qps answers) summed."""

    def create_accumulator(self) -> tuple[int, int]:
        return 0, 0

    def add_input(self, acc: tuple[int, int], value: tuple[int, int]) -> tuple[int, int]:
        return acc[0] + value[0], acc[1] + value[1]

    def merge_accumulators(self, accs: Iterable[tuple[int, int]]) -> tuple[int, int]:
        calls = qps = 0
        for a, b in accs:
            calls, qps = calls + a, qps + b
        return calls, qps

    def extract_output(self, acc: tuple[int, int]) -> tuple[int, int]:
        return acc


def _calls(record: bytes) -> Iterator[tuple[str, tuple[int, int]]]:
    doc = orjson.loads(record)
    if not doc.get("consumer"):
        return
    over_qps = doc.get("gateway_code") == OVER_QPS_CODE or (
        doc.get("status_code") == 403 and normalize_message(doc.get("message") or "") == OVER_QPS_MESSAGE
    )
    yield doc["consumer"], (1, int(over_qps))


class RateLimitAlerts(beam.PTransform):  # type: ignore[type-arg]
    """Annotated records -> a `rate_limit` alert per consumer key and calendar second over the limit
    (the catalog's calls_per_second: 4 for the Netflix API), with how many 403 Developer Over Qps
    answers came in that second."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def expand(self, records: Any) -> Any:
        limit = self.limit

        def to_alert(
            key: str, totals: tuple[int, int], window: Any = beam.DoFn.WindowParam
        ) -> Iterator[dict[str, Any]]:
            alert = rate_alert(key, int(window.start.micros // 1000), totals[0], totals[1], limit)
            if alert is not None:
                yield alert

        return (
            records
            | "CallsByConsumer" >> beam.FlatMap(_calls)
            | "CalendarSeconds" >> beam.WindowInto(FixedWindows(1))
            | "CountCalls" >> beam.CombinePerKey(_CountCallsFn())
            | "OverTheLimit" >> beam.FlatMapTuple(to_alert)
        )
