"""`statuslens ship`: follow log files like `tail -F` and publish each record to Pub/Sub.

Beam has no long-running local file source that works (BEAM-NOTES), so following files is done
here, outside the pipeline. Files are known by their content (pipelines/manifest.py), so rotation,
truncation and compression are followed the way the cron job reads them. Each record is redacted
before it leaves the process and published with attributes `ts` (event time, epoch ms), `id`
(content identity + line: the same record always has the same id), `source`, `fmt` (the format
detected or given) and, with `--retime`, `shift` (ms added to the record's own time: whole seconds,
so a record keeps its calendar second).

Delivery: offsets are committed to the state file only after Pub/Sub acknowledged the batch, so a
clean restart ships no line twice, and a crash ships at most the last unacknowledged batch again
(the stream job drops those by id).
"""

from __future__ import annotations

import glob
import itertools
import math
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from statuslens.pipelines.atomic import atomic_write
from statuslens.pipelines.manifest import Manifest, PlannedRead, plan_reads
from statuslens.transforms.errors import RecordError
from statuslens.transforms.model.chunks import Chunk, Problem
from statuslens.transforms.model.records import decode_text
from statuslens.transforms.model.sources import SourceRef
from statuslens.transforms.readers.files import read_input
from statuslens.transforms.readers.formats import HAR, line_parser
from statuslens.transforms.readers.har import entry_raw, parse_har_entry
from statuslens.transforms.readers.jsonlines import DEFAULT_FIELD_MAP, FieldMap
from statuslens.transforms.redact_raw import redact_raw

__all__ = ["Publisher", "ShipConfig", "ShipStats", "record_messages", "retime_shift", "run_ship"]

Publish = Callable[[bytes, dict[str, str]], Any]


@dataclass(frozen=True)
class ShipConfig:
    topic: str
    follow: tuple[str, ...] = ()
    replay: tuple[str, ...] = ()
    state: Path = Path(".statuslens-ship-state.json")
    rate: float | None = None
    retime: bool = False
    batch_size: int = 100
    poll_seconds: float = 0.5
    settle_seconds: float = 5.0
    log_format: str | None = None
    field_map: tuple[tuple[str, str], ...] = ()  # JSON lines: where the time is (--field-map)


@dataclass
class ShipStats:
    published: int = 0
    skipped_blank: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class _Clock:
    """Event-time shift (--retime) and pacing (--rate)."""

    retime: bool
    rate: float | None
    shift_ms: int | None = None
    last_event_ms: int | None = None
    started: float = field(default_factory=time.monotonic)
    sent: int = 0

    def event_time(self, time_ms: int) -> int:
        if not self.retime:
            return time_ms
        if self.shift_ms is None:
            self.shift_ms = retime_shift(time.time(), time_ms)
        return time_ms + self.shift_ms

    def pace(self, event_ms: int) -> None:
        """Wait before the next record: by --rate, or, when retiming without a rate, until the
        record's (shifted) event time, so a replay runs at the archive's own speed and never
        publishes records from the future."""
        self.sent += 1
        if self.rate:
            ahead = self.sent / self.rate - (time.monotonic() - self.started)
        elif self.retime:
            ahead = event_ms / 1000 - time.time()
        else:
            return
        if ahead > 0:
            time.sleep(ahead)


def retime_shift(now_s: float, first_ms: int) -> int:
    """The --retime shift: whole seconds that bring the first record to now (or just after), so every
    record keeps its calendar second and a burst inside one second stays inside one second."""
    return (int(now_s * 1000) - first_ms + 999) // 1000 * 1000


class Publisher:
    """Google Pub/Sub publishing with the futures kept, so a batch can be confirmed before commit."""

    def __init__(self, topic: str) -> None:
        try:
            from google.cloud import pubsub_v1  # type: ignore[attr-defined,unused-ignore]
        except ImportError as exc:  # the [stream] extra is not installed
            raise RuntimeError("statuslens ship needs Pub/Sub: pip install 'statuslens[stream]'") from exc
        self.topic = topic
        self.client = pubsub_v1.PublisherClient()
        self._futures: list[Any] = []

    def __call__(self, data: bytes, attributes: dict[str, str]) -> None:
        self._futures.append(self.client.publish(self.topic, data, **attributes))

    def confirm(self) -> None:
        """Block until every message published so far is acknowledged (raises if one failed)."""
        for future in self._futures:
            future.result(timeout=60)
        self._futures = []


def record_messages(
    chunk: Chunk,
    identity: str,
    clock: _Clock,
    stats: ShipStats,
    parsers: dict[str, Any] | None = None,
    fields: FieldMap = DEFAULT_FIELD_MAP,
) -> Iterator[tuple[bytes, dict[str, str], int]]:
    """(data, attributes, bytes consumed) for each item of a chunk, redacted, event-timed.

    `parsers` keeps one line parser per format across chunks, so their memos outlive a chunk;
    `fields` is the --field-map, so a JSON line's time is found where it is."""
    parsers = {} if parsers is None else parsers
    if chunk.fmt == HAR:
        parse = parse_har_entry
    else:
        parse = parsers.get(chunk.fmt) or parsers.setdefault(chunk.fmt, line_parser(chunk.fmt, fields))
    if chunk.blank:  # a run of empty lines: each skipped, its newline consumed
        stats.skipped_blank += chunk.blank
        yield from itertools.repeat((b"", {}, 1), chunk.blank)
    for offset, item in enumerate(chunk.items):
        number = chunk.first + offset
        if isinstance(item, Problem):
            consumed = -1 if not item.damage else 0  # a too-long line's length is unknown
            data = redact_raw(decode_text(item.raw)).encode()  # as its dead letter's raw is
            event = clock.last_event_ms or int(time.time() * 1000)
        elif chunk.fmt != HAR and not item.strip():
            stats.skipped_blank += 1
            yield b"", {}, len(item) + 1
            continue
        else:
            consumed = len(item) + 1 if isinstance(item, bytes) else 0
            try:
                event = clock.event_time(parse(item).time_ms)
                clock.last_event_ms = event
            except (RecordError, ValueError):
                # The stream job dead-letters it; it still needs a time. The previous record's keeps
                # it in the same window when it is re-sent (the clock would not).
                event = clock.last_event_ms or int(time.time() * 1000)
            # A line is redacted as a dead letter's raw text is: a JSON line's header, cookie and
            # secret-named fields too (`"Set-Cookie": …`, `"password": …`), not only its URL.
            data = (entry_raw(item) if chunk.fmt == HAR else redact_raw(decode_text(item))).encode()
        source = str(SourceRef(chunk.path, number, entry=chunk.fmt == HAR))
        attributes = {"ts": str(event), "id": f"{identity[:20]}:{number}", "source": source, "fmt": chunk.fmt}
        if clock.shift_ms is not None:
            attributes["shift"] = str(clock.shift_ms)
        if isinstance(item, Problem):
            attributes["problem"] = item.reason  # the stream job dead-letters it with this reason
        yield data, attributes, consumed


def run_ship(
    config: ShipConfig, publish: Publish, confirm: Callable[[], None], stop: threading.Event | None = None
) -> ShipStats:
    """Ship the replay files once, then (with `follow`) keep shipping new lines until stopped."""
    stop = stop or threading.Event()
    manifest, shift_ms = _load(config.state)
    stats = ShipStats()
    # The --retime shift is part of the state: a record re-sent after a crash keeps its event time,
    # so it lands in the same window, where the stream job recognises its id.
    clock = _Clock(config.retime, config.rate, shift_ms=shift_ms)
    parsers: dict[str, Any] = {}  # one line parser per format for the whole run
    fields = FieldMap.with_overrides(dict(config.field_map))
    previous = (
        {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
        if threading.current_thread() is threading.main_thread()
        else {}
    )
    try:
        if config.replay:
            reads, notes = plan_reads(config.replay, manifest, now=time.time(), settle_seconds=0)
            stats.notes += notes
            _ship_reads(reads, config, manifest, publish, confirm, clock, stats, stop, parsers, fields)
        while config.follow and not stop.is_set():
            paths = sorted({p for pattern in config.follow for p in glob.glob(pattern)})
            reads, notes = plan_reads(
                paths, manifest, now=time.time(), settle_seconds=config.settle_seconds, partial_after=math.inf
            )
            stats.notes += notes
            _ship_reads(reads, config, manifest, publish, confirm, clock, stats, stop, parsers, fields)
            stop.wait(config.poll_seconds)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return stats


def _ship_reads(
    reads: Sequence[PlannedRead],
    config: ShipConfig,
    manifest: Manifest,
    publish: Publish,
    confirm: Callable[[], None],
    clock: _Clock,
    stats: ShipStats,
    stop: threading.Event,
    parsers: dict[str, Any],
    fields: FieldMap,
) -> None:
    for read in reads:
        offset, lines, exact = read.start, read.first_line - 1, True
        pending = 0
        for chunk in read_input(
            read.path, config.log_format, start=read.start, end=read.end, first_line=read.first_line
        ):
            if not isinstance(chunk, Chunk):
                continue
            if chunk.blank:  # a run of empty lines, counted at once: nothing to publish
                stats.skipped_blank += chunk.blank
                lines += chunk.blank
                offset += chunk.blank
                continue
            for data, attributes, consumed in record_messages(chunk, read.identity, clock, stats, parsers, fields):
                lines += 1
                if consumed < 0:
                    exact = False
                offset += max(consumed, 0)
                if not attributes:
                    continue
                clock.pace(int(attributes["ts"]))
                publish(data, attributes)
                stats.published += 1
                pending += 1
                if pending >= config.batch_size and exact and not read.compressed:
                    confirm()
                    _commit(config.state, manifest, clock, read, offset, lines)
                    pending = 0
                if stop.is_set() and exact and not read.compressed:
                    confirm()
                    _commit(config.state, manifest, clock, read, offset, lines)
                    return
        confirm()
        manifest.record(read)
        _save(config.state, manifest, clock)
        if stop.is_set():
            return


def _commit(state_path: Path, manifest: Manifest, clock: _Clock, read: PlannedRead, offset: int, lines: int) -> None:
    """Remember a plain file's progress inside a read: the offset after the last confirmed line."""
    state = manifest.state_for(read)
    state.tail = ""  # not known mid-read: the inode and the head identify the file (pipelines/identity.py)
    state.offset = min(offset, read.end if read.end is not None else offset)
    state.lines = lines
    _save(state_path, manifest, clock)


def _save(path: Path, manifest: Manifest, clock: _Clock) -> None:
    doc = {"version": 1, "retime_shift_ms": clock.shift_ms, "files": manifest.to_json()}
    atomic_write(path, orjson.dumps(doc, option=orjson.OPT_INDENT_2))


def _load(path: Path) -> tuple[Manifest, int | None]:
    if not path.exists():
        return Manifest({}), None
    doc = orjson.loads(path.read_bytes())
    return Manifest.from_json(doc.get("files", {})), doc.get("retime_shift_ms")
