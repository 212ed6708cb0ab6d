"""The stream's analysis in windows: each message analysed at its event time, each firing's records
combined into one `Pane`, and each window's firings turned into lines and alerts by a step that
remembers the window so far (its cause facts and the consumer-seconds already alerted).

Beam's panes are increments (DISCARDING: accumulating panes made the local runner copy a window's
whole buffer on every bundle); the window-so-far state here is the compact `Pane` merge instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.coders import PickleCoder
from apache_beam.metrics.metric import Metrics
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec, TimerSpec, on_timer
from apache_beam.utils.timestamp import Timestamp

from statuslens.transforms.aggregation.analyzer import ChunkAnalyzer
from statuslens.transforms.model.records import RawRecord
from statuslens.transforms.readers.jsonlines import FieldMap
from statuslens.transforms.streaming.messages import message_to_chunk
from statuslens.transforms.streaming.panes import Pane, pane_of
from statuslens.transforms.streaming.window_lines import window_lines
from statuslens.transforms.verdicts.annotate import Annotator
from statuslens.transforms.verdicts.catalog import Catalog

__all__ = [
    "ANNOTATED",
    "CANDIDATES",
    "DEAD_LETTER",
    "RATE_ALERTS",
    "SUMMARIES",
    "AnalyzeMessageFn",
    "KeepWindowFn",
]

ANNOTATED = "annotated"
DEAD_LETTER = "dead_letter"
SUMMARIES = "summaries"
RATE_ALERTS = "rate_alerts"
CANDIDATES = "candidates"


class _EventTimeAnalyzer(ChunkAnalyzer):
    """The batch analyzer with each record's time replaced by the stream's event time (the message's
    timestamp: the log's own time, shifted by `--retime`), so every time a line shows is one clock."""

    event_ms = 0
    consumer_names = True  # the rate-limit alerts name the consumer

    def parser(self, fmt: str) -> Any:
        parse = super().parser(fmt)

        def at_event_time(item: Any) -> RawRecord:
            raw = parse(item)
            raw.time_ms = self.event_ms
            return raw

        return at_event_time


class AnalyzeMessageFn(beam.DoFn):
    """(data, attributes) at its event time -> its `Pane`; annotated lines and dead letters tagged.

    `default_fmt` is the format of a message that names none (not sent by `statuslens ship`)."""

    def __init__(self, catalog: Catalog, annotated_mode: str, fields: FieldMap, default_fmt: str | None = None) -> None:
        self.catalog = catalog
        self.annotated_mode = annotated_mode
        self.fields = fields
        self.default_fmt = default_fmt
        self._analyzer: _EventTimeAnalyzer | None = None
        self.dead_letters = Metrics.counter("statuslens", "dead_letters")
        self.unexpected_errors = Metrics.counter("statuslens", "unexpected_errors")

    def setup(self) -> None:
        self._analyzer = _EventTimeAnalyzer(Annotator(self.catalog), self.annotated_mode, self.fields)

    def process(
        self, message: tuple[bytes, dict[str, str]], timestamp: Any = beam.DoFn.TimestampParam
    ) -> Iterator[Any]:
        assert self._analyzer is not None
        data, attributes = message
        self._analyzer.event_ms = int(timestamp.micros // 1000)
        result = self._analyzer.analyze(message_to_chunk(data, attributes, self.default_fmt))
        if result.dead_letters:
            self.dead_letters.inc(len(result.dead_letters))
        if result.unexpected_errors:
            self.unexpected_errors.inc(result.unexpected_errors)
        for line in result.annotated:
            yield pvalue.TaggedOutput(ANNOTATED, line)
        for line in result.dead_letters:
            yield pvalue.TaggedOutput(DEAD_LETTER, line)
        shift = attributes.get("shift")
        yield pane_of(result, int(shift) if shift and shift.lstrip("-").isdigit() else None)


class KeepWindowFn(beam.DoFn):
    """(window start, (window fields, a firing's Pane)) -> group lines; summaries, rate-limit alerts and
    new-anomaly candidates tagged. Keyed by window (not by record or consumer: the local runner scans
    every key with state on each bundle); a window's state is cleared `keep_seconds` after its end (the
    pane's timestamp), once the window gate admits nothing more to it."""

    SO_FAR = ReadModifyWriteStateSpec("so_far", PickleCoder())
    ALERTED = ReadModifyWriteStateSpec("alerted", PickleCoder())
    CLEAR = TimerSpec("clear", TimeDomain.WATERMARK)

    def __init__(self, limit: int, keep_seconds: float) -> None:
        self.limit = limit
        self.keep_seconds = keep_seconds

    def process(
        self,
        element: tuple[str, tuple[dict[str, Any], Pane]],
        so_far_state: Any = beam.DoFn.StateParam(SO_FAR),
        alerted_state: Any = beam.DoFn.StateParam(ALERTED),
        clear: Any = beam.DoFn.TimerParam(CLEAR),
        timestamp: Any = beam.DoFn.TimestampParam,
    ) -> Iterator[Any]:
        _, (window, pane) = element
        if not pane.counts.records_in:
            return  # an empty firing (the on-time pane after early ones took everything)
        so_far: Pane = so_far_state.read() or Pane()
        so_far.merge(pane)
        alerted: set[tuple[str, int]] = alerted_state.read() or set()
        lines = window_lines(window, pane, so_far, self.limit, alerted)
        so_far_state.write(so_far)
        alerted_state.write(alerted)
        clear.set(Timestamp(micros=timestamp.micros) + self.keep_seconds)
        yield from lines.groups
        if lines.summary is not None:
            yield pvalue.TaggedOutput(SUMMARIES, lines.summary)
        for alert in lines.rate_alerts:
            yield pvalue.TaggedOutput(RATE_ALERTS, alert)
        for candidate in lines.candidates:
            yield pvalue.TaggedOutput(CANDIDATES, candidate)

    @on_timer(CLEAR)
    def forget(
        self, so_far_state: Any = beam.DoFn.StateParam(SO_FAR), alerted_state: Any = beam.DoFn.StateParam(ALERTED)
    ) -> None:
        so_far_state.clear()
        alerted_state.clear()
