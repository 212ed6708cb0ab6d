"""Analyse chunks of log items: the per-chunk pure step, and the helpers that shape its outputs.

`ChunkAnalyzer.analyze` parses every item of a chunk, annotates it, and returns everything downstream needs
(records to write, dead letters, anomaly-group inputs, a partial count of the summary), so that the
whole hot path is one Python loop per chunk instead of one Beam element per line.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from statuslens.transforms.aggregation.cause_facts import CauseFacts
from statuslens.transforms.aggregation.fast_path import FastLines, fast_lines
from statuslens.transforms.aggregation.time_filter import TimeFilter
from statuslens.transforms.errors import RecordError
from statuslens.transforms.model.chunks import Chunk, Problem
from statuslens.transforms.model.counts import Counts, InputCounts
from statuslens.transforms.model.dead_letters import dead_letter, reason_kind
from statuslens.transforms.model.groups import GroupKey, Sample
from statuslens.transforms.model.records import RawRecord
from statuslens.transforms.model.sources import SourceRef, source_prefix
from statuslens.transforms.model.timeline import Timeline
from statuslens.transforms.model.urls import url_path
from statuslens.transforms.readers.formats import HAR, LineParser, line_parser
from statuslens.transforms.readers.har import entry_raw, parse_har_entry, request_header
from statuslens.transforms.readers.jsonlines import DEFAULT_FIELD_MAP, FieldMap
from statuslens.transforms.verdicts.annotate import Annotator
from statuslens.transforms.verdicts.classify import DOCUMENTED

__all__ = ["ANNOTATED_MODES", "ChunkAnalyzer", "ChunkResult", "wants_annotated"]

ANNOTATED_MODES = ("errors", "all", "none")


@dataclass
class ChunkResult:
    """Everything one chunk contributes. `unexpected_errors` counts the dead letters that a bug made
    (the catch-all below), so a run can tell them from bad input."""

    annotated: list[bytes] = field(default_factory=list)
    dead_letters: list[bytes] = field(default_factory=list)
    groups: list[tuple[GroupKey, Sample]] = field(default_factory=list)
    flagged: list[tuple[str, Sample]] = field(default_factory=list)
    stats: Counts = field(default_factory=Counts)
    causes: CauseFacts = field(default_factory=CauseFacts)
    unexpected_errors: int = 0


def wants_annotated(mode: str, status_code: int, verdict: str, flags: list[str]) -> bool:
    """Whether `--annotated MODE` writes a record; `errors`: effective code >= 400, not documented,
    or flagged."""
    if mode == "all":
        return True
    if mode == "none":
        return False
    return status_code >= 400 or verdict != DOCUMENTED or bool(flags)


class ChunkAnalyzer:
    """Holds the per-worker state (annotator, parsers) and analyses chunks with it."""

    consumer_names = False  # whether the cause facts keep the consumers' names (the stream's rate alerts)

    def __init__(
        self,
        annotator: Annotator,
        annotated_mode: str = "errors",
        fields: FieldMap = DEFAULT_FIELD_MAP,
        time_filter: TimeFilter | None = None,
        causes: bool = True,
    ) -> None:
        if annotated_mode not in ANNOTATED_MODES:
            raise ValueError(f"annotated mode must be one of {ANNOTATED_MODES}, got {annotated_mode!r}")
        self.annotator = annotator
        self.mode = annotated_mode
        consumer = annotator.catalog.consumer  # a header or field consumer is the readers' to find
        self.fields = fields.with_consumer(consumer.name) if consumer.kind == "field" else fields
        self._consumer_header = consumer.name if consumer.kind == "header" else None
        self.time_filter = time_filter
        self.causes = causes  # False (batch --no-causes): no per-call facts are collected
        self._parsers: dict[str, LineParser] = {}
        self.fast = True  # fast_path.py for the lines whose records are only counted; False: all go the plain way
        self._fast_paths: dict[str, FastLines | None] = {}

    def parser(self, fmt: str) -> Callable[[Any], RawRecord]:
        if fmt == HAR:
            return parse_har_entry if self._consumer_header is None else self._parse_har_with_consumer
        found = self._parsers.get(fmt)
        if found is None:
            found = self._parsers[fmt] = line_parser(fmt, self.fields)
        return found

    def fast_path(self, fmt: str) -> FastLines | None:
        """The fast path of a line format; None (every line takes the plain path) for HAR, for
        `--annotated all` (every record is written) and with --since/--until."""
        if not self.fast or fmt == HAR or self.mode == "all" or self.time_filter is not None:
            return None
        if fmt not in self._fast_paths:
            self._fast_paths[fmt] = fast_lines(self.parser(fmt), self.annotator, self._written_documented)
        return self._fast_paths[fmt]

    def _written_documented(self, code: int) -> bool:
        return wants_annotated(self.mode, code, DOCUMENTED, [])

    def _parse_har_with_consumer(self, entry: Any) -> RawRecord:
        raw = parse_har_entry(entry)
        assert self._consumer_header is not None
        raw.consumer = request_header(entry, self._consumer_header)
        return raw

    def analyze(self, chunk: Chunk) -> ChunkResult:
        result = ChunkResult()
        try:
            parse = self.parser(chunk.fmt)
        except ValueError as exc:  # e.g. a stream message naming a format that does not exist
            reason = f"unusable log format {chunk.fmt!r}: {exc}"
            parse = _refuse(reason)
            fast = None
        else:
            fast = self.fast_path(chunk.fmt)
        if self.time_filter is not None:  # §10: only then does a record cost a time comparison
            parse = _within(parse, self.time_filter)
        judge, render = self.annotator.judge, self.annotator.render
        group_records: list[tuple[GroupKey, int, str | None, str]] = []  # for the causes: hashed per chunk
        # Every call that has a consumer, for the causes: its consumer, time, and "METHOD path" of a success.
        call_of = self.annotator.consumers.call_of
        call_consumers: list[str] = []
        call_times: array[int] = array("q")
        call_requests: list[str] = []
        add_consumer, add_time, add_request = call_consumers.append, call_times.append, call_requests.append
        mode = self.mode
        with_causes = self.causes
        path = chunk.path
        is_har = chunk.fmt == HAR
        prefix = source_prefix(path, is_har)  # `path:` or `path:entry`, joined with each item's number
        dead_letters = result.dead_letters
        records = dead = unexpected = filtered = 0
        # Per-record counts go to plain local dicts (the hot path); they become one Counts at the end.
        # One counter a record: (calendar second, verdict, code) -> records, the report's charts; the
        # verdict and status-code counts are read off it once per chunk.
        timeline: dict[tuple[int, str, int], int] = {}
        flag_counts: dict[str, int] = {}
        reasons: dict[str, int] = {}  # dead letters only: off the path of records
        items = chunk.items
        blanks = chunk.blank  # a run of newline-only blocks, counted by the reader
        if not is_har and items.count(b"") == len(items):  # only empty lines (a file of newlines): one count
            blanks, items = blanks + len(items), ()
        for offset, item in enumerate(items):
            if isinstance(item, Problem):
                source = SourceRef(path) if item.damage else f"{prefix}{chunk.first + offset}"
                dead_letters.append(dead_letter(source, item.reason, item.raw))
                dead += 1
                _count_reason(reasons, item.reason)
                continue
            if not is_har and (not item or item.isspace()):  # blank: empty or ASCII whitespace only
                blanks += 1
                continue
            try:
                raw = fast(item) if fast is not None else None
                if raw is not None:  # documented, unflagged, not written, request-free: only counted
                    code, verdict, rendered = raw.http_status, DOCUMENTED, None
                else:
                    raw = parse(item)
                    judged = judge(raw)
                    code = judged.code
                    verdict = judged.verdict.verdict
                    flags = judged.flags
                    write = wants_annotated(mode, code, verdict, flags)
                    rendered = None
                    if write or verdict != DOCUMENTED or flags:
                        index = chunk.first + offset
                        rendered = render(raw, judged, f"{prefix}{index}")
            except _Outside:
                filtered += 1
                continue
            except RecordError as exc:
                source = f"{prefix}{chunk.first + offset}"
                dead_letters.append(dead_letter(source, str(exc), entry_raw(item) if is_har else item))
                dead += 1
                _count_reason(reasons, str(exc))
                continue
            except Exception as exc:  # a bug costs one record (as a dead letter), never the job
                source = f"{prefix}{chunk.first + offset}"
                reason = f"unexpected error: {type(exc).__name__}: {exc}"[:300]
                dead_letters.append(dead_letter(source, reason, _raw_of(item)))
                dead += 1
                unexpected += 1
                _count_reason(reasons, reason)
                continue
            records += 1
            cell = (raw.time_ms // 1000, verdict, code)
            timeline[cell] = timeline.get(cell, 0) + 1
            consumer = None
            if with_causes:
                if rendered is None:  # most records: the consumer and the path in one scan of the URL
                    consumer, call_path = call_of(raw)
                else:
                    consumer, call_path = rendered[0].consumer, None
                if consumer:
                    add_consumer(consumer)
                    add_time(raw.time_ms)
                    if code >= 400:
                        add_request("")
                    else:
                        add_request(f"{raw.method} {url_path(raw.url) if call_path is None else call_path}")
            if rendered is None:
                continue  # documented, unflagged and not written: nothing else to build
            record, explanation = rendered
            order = (raw.time_ms, path, index)
            if explanation is not None:
                key = GroupKey.of_record(record)
                result.groups.append((key, (order, record, explanation)))
                if with_causes:
                    group_records.append((key, raw.time_ms, consumer, raw.url))
            for flag in flags:
                flag_counts[flag] = flag_counts.get(flag, 0) + 1
                result.flagged.append((flag, (order, record, None)))
            if write:
                result.annotated.append(record.to_json())
        result.causes.add_calls(call_consumers, call_times, call_requests, self.consumer_names)
        result.causes.add_group_records(group_records)
        verdicts, statuses = _verdicts_and_codes(timeline)
        result.stats = Counts(
            records_in=records + dead + filtered,
            records_annotated=records,
            dead_letter=dead,
            blank_lines=blanks,
            verdicts=verdicts,
            flags=flag_counts,
            status_codes=statuses,
            inputs={path: InputCounts(records, dead, filtered)},
            filtered_out=filtered,
            timeline=Timeline.of_seconds(timeline),
            dead_letter_reasons=reasons,
        )
        result.unexpected_errors = unexpected
        return result


def _verdicts_and_codes(timeline: dict[tuple[int, str, int], int]) -> tuple[dict[str, int], dict[int, int]]:
    """Records per verdict and per code, in order of first appearance (a cell is made by the first
    record of its verdict and code, so the cells' order is the records')."""
    verdicts: dict[str, int] = {}
    statuses: dict[int, int] = {}
    for (_, verdict, code), count in timeline.items():
        verdicts[verdict] = verdicts.get(verdict, 0) + count
        statuses[code] = statuses.get(code, 0) + count
    return verdicts, statuses


def _count_reason(reasons: dict[str, int], reason: str) -> None:
    kind = reason_kind(reason)
    reasons[kind] = reasons.get(kind, 0) + 1


class _Outside(Exception):
    """A record outside --since/--until: counted in `filtered_out`, nothing else (never a dead letter)."""


def _within(parse: Callable[[Any], RawRecord], time_filter: TimeFilter) -> Callable[[Any], RawRecord]:
    """`parse` that raises _Outside for a record outside the filter's range, after parsing, before judging.

    A wrapper rather than a test in the loop: a run without the flags does no per-record work for them."""
    low, high = time_filter.bounds()

    def parse_within(item: Any) -> RawRecord:
        raw = parse(item)
        if low <= raw.time_ms < high:
            return raw
        raise _Outside

    return parse_within


def _refuse(reason: str) -> Callable[[Any], RawRecord]:
    def parse(_: Any) -> RawRecord:
        raise RecordError(reason)

    return parse


def _raw_of(item: Any) -> bytes | str:
    if isinstance(item, bytes):
        return item
    try:
        return entry_raw(item)
    except Exception:  # the entry itself is what broke: say what it is, not what it holds
        return f"<{type(item).__name__}>"
