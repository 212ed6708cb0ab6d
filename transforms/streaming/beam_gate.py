"""The stream's gate: each record once per window, and records past the allowed lateness set aside.

Input elements are (window start, (record id, message)); see `WindowGateFn`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import apache_beam as beam
from apache_beam.coders import BooleanCoder, PickleCoder
from apache_beam.metrics.metric import Metrics
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec, TimerSpec, on_timer
from apache_beam.utils.timestamp import Timestamp

__all__ = ["WindowGateFn"]


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
